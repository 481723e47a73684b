"""The office's people pages: review sign-ups and moves, find people, grant roles, record
family links, make a password reset code."""

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from community.accounts import changes, relations, resets
from community.accounts import directory as directory_rows
from community.accounts import rules as accounts
from community.accounts.access import OFFICE, add_office_tiles, roles_required
from community.accounts.forms import FamilyLinkForm, RejectForm
from community.accounts.models import AccountStatus, Role, User
from community.core import menus
from community.core.errors import Invalid
from community.core.extensions import db
from community.core.input import id_or_none, parse_id
from community.core.web import render_page, show_error, wants_partial

bp = Blueprint("people", __name__, url_prefix="/operator")

menus.add_tiles(
    Role.OPERATOR,
    menus.Tile("approvals", _l("Review sign-ups"), "check", "people.approvals", order=20),
)
add_office_tiles(
    menus.Tile("people", _l("People and roles"), "people", "people.directory", order=30)
)


@bp.get("/signups")
@roles_required(*OFFICE)
def approvals():
    pending = db.session.scalars(
        select(User).where(User.status == AccountStatus.PENDING).order_by(User.created_at, User.id)
    ).all()
    return render_template(
        "accounts/approvals.html",
        pending=pending,
        moves=changes.pending_moves(db.session),
        reject_form=RejectForm(),
        decline_form=RejectForm(),
    )


@bp.post("/signups/<id:user_id>/approve")
@roles_required(*OFFICE)
def approve(user_id: int):
    person = accounts.review_signup(db.session, current_user, user_id, approve=True)
    db.session.commit()
    return reviewed(person, _("%(name)s is now a resident.", name=person.name))


@bp.post("/signups/<id:user_id>/reject")
@roles_required(*OFFICE)
def reject(user_id: int):
    form = RejectForm()
    if not form.validate_on_submit():
        person = accounts.get_person(db.session, user_id)
        return render_page(
            "accounts/approvals.html",
            "accounts/_signup.html",
            status=422,
            pending=[person],
            person=person,
            reject_form=form,
        )
    person = accounts.review_signup(
        db.session, current_user, user_id, approve=False, note=form.note.data
    )
    db.session.commit()
    return reviewed(person, _("The sign-up of %(name)s was declined.", name=person.name))


@bp.post("/moves/<id:user_id>/approve")
@roles_required(*OFFICE)
def approve_move(user_id: int):
    person = changes.review_move(db.session, current_user, user_id, approve=True)
    db.session.commit()
    flash(
        _("%(name)s now lives at %(home)s.", name=person.name, home=person.unit.full_label),
        "success",
    )
    return redirect(url_for("people.approvals"), 303)


@bp.post("/moves/<id:user_id>/decline")
@roles_required(*OFFICE)
def decline_move(user_id: int):
    form = RejectForm()
    if not form.validate_on_submit():
        person = accounts.get_person(db.session, user_id)
        return render_template(
            "accounts/approvals.html",
            pending=[],
            moves=[person] if person.move_unit_id else [],
            reject_form=RejectForm(),
            decline_form=form,
        ), 422
    person = changes.review_move(
        db.session, current_user, user_id, approve=False, note=form.note.data
    )
    db.session.commit()
    flash(_("The move of %(name)s was declined.", name=person.name), "success")
    return redirect(url_for("people.approvals"), 303)


@bp.post("/people/<id:user_id>/reset-code")
@roles_required(*OFFICE)
def reset_code(user_id: int):
    """Show a new one-time code once, to be handed over in person; never stored by the
    browser (it is on no page anyone can come back to)."""
    config = current_app.config
    person, code, expires_at = resets.issue_reset_code(
        db.session,
        current_user,
        user_id,
        key=config["SECRET_KEY"],
        lifetime=timedelta(minutes=config["PASSWORD_RESET_MINUTES"]),
    )
    db.session.commit()
    response = make_response(
        render_template(
            "accounts/reset_code.html",
            person=person,
            code=f"{code[:4]} {code[4:]}",
            expires_at=expires_at,
            minutes=config["PASSWORD_RESET_MINUTES"],
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def reviewed(person: User, message: str):
    if wants_partial():
        return render_template("accounts/_reviewed.html", person=person, message=message)
    flash(message, "success")
    return redirect(url_for("people.approvals"))


@bp.get("/people")
@roles_required(*OFFICE)
def directory():
    query = request.args.get("q", "").strip()
    after = request.args.get("after", type=parse_id)
    people, next_after = directory_rows.people_page(db.session, query, after)
    return render_page(
        "accounts/directory.html",
        "accounts/_people.html",
        people=people,
        query=query,
        after=after,
        next_after=next_after,
        parts=directory_rows.CardParts.for_page(accounts.grantable_roles(current_user)),
    )


@bp.post("/people/<id:user_id>/roles/<role>")
@roles_required(*OFFICE)
def set_role(user_id: int, role: str):
    held = request.form.get("held") == "1"
    person = accounts.set_role(db.session, current_user, user_id, role, held=held)
    db.session.commit()
    if wants_partial():
        return render_template(
            "accounts/_person.html",
            person=directory_rows.PersonRow.of(person),
            parts=directory_rows.CardParts.for_page(accounts.grantable_roles(current_user)),
        )
    flash(_("Roles of %(name)s are saved.", name=person.name), "success")
    # Back to the same search and page, at the person's card (without JS the whole page comes
    # back; with it, only the card is swapped above).
    back = url_for(
        "people.directory",
        q=request.form.get("q", "").strip() or None,
        after=id_or_none(request.form.get("after", "")),
        _anchor=f"person-{person.id}",
    )
    return redirect(back)


def render_family(person: User, form: FamilyLinkForm, status: int = 200):
    return render_template(
        "accounts/family.html",
        person=person,
        links=relations.relatives_of(db.session, person),
        form=form,
    ), status


@bp.get("/people/<id:user_id>/family")
@roles_required(*OFFICE)
def family(user_id: int):
    """A resident's family links: who may report and act for them, and for whom they may."""
    return render_family(accounts.get_person(db.session, user_id), FamilyLinkForm())


@bp.post("/people/<id:user_id>/family")
@roles_required(*OFFICE)
def link_family(user_id: int):
    person = accounts.get_person(db.session, user_id)
    form = FamilyLinkForm()
    if not form.validate_on_submit():
        return render_family(person, form, 422)
    try:
        link = relations.link_family(db.session, current_user, person, form.relative.data)
    except Invalid as error:
        db.session.rollback()
        show_error(form, error)
        return render_family(person, form, 422)
    db.session.commit()
    flash(
        _(
            "%(name)s and %(relative)s are linked as family.",
            name=person.name,
            relative=link.other_than(person.id).name,
        ),
        "success",
    )
    return redirect(url_for("people.family", user_id=person.id))


@bp.post("/people/<id:user_id>/family/<id:relation_id>/remove")
@roles_required(*OFFICE)
def unlink_family(user_id: int, relation_id: int):
    person = accounts.get_person(db.session, user_id)
    relations.unlink(db.session, person, relation_id)
    db.session.commit()
    flash(_("The family link is removed."), "success")
    return redirect(url_for("people.family", user_id=person.id))
