"""Review sign-ups, grant roles, edit the community's settings."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from community import accounts
from community.extensions import db
from community.models import AccountStatus, Role, User
from community.people import bp
from community.people.forms import CommunityForm, RejectForm
from community.session_login import current_community
from community.web import render_page, roles_required, wants_partial

PAGE_SIZE = 50


@bp.get("/signups")
@roles_required(Role.OPERATOR, Role.ADMIN)
def approvals():
    pending = db.session.scalars(
        select(User).where(User.status == AccountStatus.PENDING).order_by(User.created_at, User.id)
    ).all()
    return render_template("people/approvals.html", pending=pending, reject_form=RejectForm())


@bp.post("/signups/<int:user_id>/approve")
@roles_required(Role.OPERATOR, Role.ADMIN)
def approve(user_id: int):
    person = accounts.review_signup(db.session, current_user, user_id, approve=True)
    db.session.commit()
    return reviewed(person, _("%(name)s is now a resident.", name=person.name))


@bp.post("/signups/<int:user_id>/reject")
@roles_required(Role.OPERATOR, Role.ADMIN)
def reject(user_id: int):
    form = RejectForm()
    if not form.validate_on_submit():
        person = accounts.get_person(db.session, user_id)
        return render_page(
            "people/approvals.html",
            "people/_signup.html",
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
        return render_template("people/_reviewed.html", person=person, message=message)
    flash(message, "success")
    return redirect(url_for("people.approvals"))


@bp.get("/people")
@roles_required(Role.OPERATOR, Role.ADMIN)
def directory():
    query = request.args.get("q", "").strip()
    after = request.args.get("after", type=int)
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
        "people/directory.html",
        "people/_people.html",
        people=people,
        query=query,
        next_after=people[-1].id if more else None,
        grantable=accounts.grantable_roles(current_user),
    )


@bp.post("/people/<int:user_id>/roles/<role>")
@roles_required(Role.OPERATOR, Role.ADMIN)
def set_role(user_id: int, role: str):
    held = request.form.get("held") == "1"
    person = accounts.set_role(db.session, current_user, user_id, role, held=held)
    db.session.commit()
    if wants_partial():
        return render_template(
            "people/_person.html", person=person, grantable=accounts.grantable_roles(current_user)
        )
    flash(_("Roles of %(name)s are saved.", name=person.name), "success")
    return redirect(url_for("people.directory", q=request.form.get("q", "")))


@bp.route("/community", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def community_settings():
    community = current_community()
    form = CommunityForm(obj=community)
    if form.validate_on_submit():
        form.populate_obj(community)
        db.session.commit()
        flash(_("Community settings are saved."), "success")
        return redirect(url_for("people.community_settings"))
    status = 422 if form.is_submitted() else 200
    return render_template("people/community.html", form=form), status
