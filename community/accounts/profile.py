"""The person's own account page: their name, a move to another home, and the devices they are
logged in on, each of which they can log out."""

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from wtforms.fields.choices import SelectChoice

from community.accounts import changes
from community.accounts import rules as accounts
from community.accounts.forms import MoveForm, NameForm
from community.accounts.sessions import idle_limit_of
from community.accounts.useragents import describe_device
from community.accounts.views import unit_choices
from community.core.errors import DomainError
from community.core.extensions import db
from community.core.web import show_error

bp = Blueprint("account", __name__, url_prefix="/account")


def render_account(name_form=None, move_form=None, status: int = 200):
    move_form = move_form or MoveForm()
    move_form.unit.choices = [SelectChoice(0, _("Choose…")), *unit_choices()]
    devices = [
        {
            "id": row.id,
            "device": describe_device(row.user_agent),
            "last_seen_at": row.last_seen_at,
            "created_at": row.created_at,
            "this_device": row.token == current_user.session_token,
        }
        for row in accounts.login_sessions(db.session, current_user, idle_limit_of(current_user))
    ]
    return render_template(
        "accounts/account.html",
        name_form=name_form or NameForm(name=current_user.name),
        move_form=move_form,
        devices=devices,
    ), status


@bp.get("")
@login_required
def page():
    return render_account()


@bp.post("/name")
@login_required
def rename():
    form = NameForm()
    try:
        if not form.validate_on_submit():
            return render_account(name_form=form, status=422)
        changes.rename(current_user, form.name.data)
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return render_account(name_form=form, status=error.status)
    db.session.commit()
    flash(_("Your name is saved."), "success")
    return redirect(url_for("account.page"), 303)


@bp.post("/move")
@login_required
def move():
    form = MoveForm()
    form.unit.choices = []
    if not form.validate_on_submit():
        return render_account(move_form=form, status=422)
    try:
        changes.request_move(db.session, current_user, form.unit.data)
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return render_account(move_form=form, status=error.status)
    db.session.commit()
    flash(_("Your move is waiting for the office's approval."), "success")
    return redirect(url_for("account.page"), 303)


@bp.post("/move/cancel")
@login_required
def cancel_move():
    changes.cancel_move(current_user)
    db.session.commit()
    flash(_("You are no longer asking to move."), "info")
    return redirect(url_for("account.page"), 303)


@bp.post("/devices/<id:login_session_id>/logout")
@login_required
def end_device(login_session_id: int):
    was_this_one = accounts.end_device_session(db.session, current_user, login_session_id)
    db.session.commit()
    if was_this_one:
        logout_user()
        session.clear()
        flash(_("You have logged out."), "info")
        return redirect(url_for("main.home"), 303)
    flash(_("That device is logged out."), "success")
    return redirect(url_for("account.page"), 303)


@bp.post("/devices/logout-others")
@login_required
def end_other_devices():
    accounts.end_other_sessions(db.session, current_user)
    db.session.commit()
    flash(_("You are logged out everywhere else."), "success")
    return redirect(url_for("account.page"), 303)
