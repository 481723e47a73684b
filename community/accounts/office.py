"""The office's people pages: review sign-ups, find people, grant roles."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select

from community.accounts import rules as accounts
from community.accounts.access import OFFICE, roles_required
from community.accounts.forms import RejectForm
from community.accounts.models import AccountStatus, Role, User
from community.core import menus
from community.core.extensions import db
from community.core.input import parse_id
from community.core.web import render_page, wants_partial

bp = Blueprint("people", __name__, url_prefix="/operator")

menus.add_tiles(
    Role.OPERATOR,
    menus.Tile("approvals", _l("Review sign-ups"), "check", "people.approvals", order=20),
)
for role in OFFICE:
    menus.add_tiles(
        role, menus.Tile("people", _l("People and roles"), "people", "people.directory", order=30)
    )

PAGE_SIZE = 50


@bp.get("/signups")
@roles_required(*OFFICE)
def approvals():
    pending = db.session.scalars(
        select(User).where(User.status == AccountStatus.PENDING).order_by(User.created_at, User.id)
    ).all()
    return render_template("accounts/approvals.html", pending=pending, reject_form=RejectForm())


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
    statement = select(User).where(User.status == AccountStatus.ACTIVE)
    if query:
        pattern = f"%{query}%"
        statement = statement.where(
            or_(User.name.ilike(pattern), User.phone.ilike(pattern), User.email.ilike(pattern))
        )
    if after:
        statement = statement.where(User.id > after)
    people = db.session.scalars(statement.order_by(User.id).limit(PAGE_SIZE + 1)).all()
    more = len(people) > PAGE_SIZE
    people = people[:PAGE_SIZE]
    return render_page(
        "accounts/directory.html",
        "accounts/_people.html",
        people=people,
        query=query,
        next_after=people[-1].id if more else None,
        grantable=accounts.grantable_roles(current_user),
    )


@bp.post("/accounts/<id:user_id>/roles/<role>")
@roles_required(*OFFICE)
def set_role(user_id: int, role: str):
    held = request.form.get("held") == "1"
    person = accounts.set_role(db.session, current_user, user_id, role, held=held)
    db.session.commit()
    if wants_partial():
        return render_template(
            "accounts/_person.html", person=person, grantable=accounts.grantable_roles(current_user)
        )
    flash(_("Roles of %(name)s are saved.", name=person.name), "success")
    return redirect(url_for("people.directory", q=request.form.get("q", "")))
