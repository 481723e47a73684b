"""The elder's profile pages, on care's blueprint: year of birth and whether they receive care,
emergency contacts in order, linked family and what each may see. The elder, linked family who
may act for them, and the office edit it; an error shows next to its field."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.accounts.access import ANY_ROLE, roles_required
from community.accounts.models import User
from community.care import elder_profile, forms, rules
from community.care.views import bp
from community.core.errors import DomainError, Invalid, NotFound
from community.core.extensions import db
from community.core.web import render_page

# The profile page's fields that show their own errors.
PROFILE_FIELDS = frozenset({"birth_year", "name", "phone", "relation", "relative"})


def _person(person_id: int) -> User:
    person = db.session.get(User, person_id)
    if person is None or not elder_profile.may_edit_profile(current_user, person):
        raise NotFound(_("No such person."))
    return person


def _render_profile(person: User, status: int = 200, errors=None, values=None):
    return render_page(
        "care/profile.html",
        status=status,
        person=person,
        contacts=elder_profile.contacts_of(db.session, person),
        family=elder_profile.family_of(db.session, person),
        reads=elder_profile.log_reads(db.session, person),
        errors=errors or {},
        values=values or {},
        office=rules.is_office(current_user),
    )


@bp.get("/profile")
@roles_required(*ANY_ROLE)
def my_profile():
    return redirect(url_for("care.profile", person_id=current_user.id))


@bp.get("/people/<id:person_id>")
@roles_required(*ANY_ROLE)
def profile(person_id: int):
    return _render_profile(_person(person_id))


def _change_profile(person_id: int, done: str, change, *args):
    """change(session, actor, person, *args) on the person's profile; then back to it, or the
    page again with the error next to its field."""
    person = _person(person_id)
    try:
        change(db.session, current_user, person, *args)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if error.status in (403, 404):
            raise
        person = _person(person_id)
        # Next to its field where the page has one, else above the page.
        where = error.field if error.field in PROFILE_FIELDS else "form"
        return _render_profile(person, error.status, {where: error}, request.form.to_dict())
    flash(done, "success")
    return redirect(url_for("care.profile", person_id=person_id))


@bp.post("/people/<id:person_id>/care")
@roles_required(*ANY_ROLE)
def save_care(person_id: int):
    def change(session, actor, person):
        year, readable = forms.read_birth_year(request.form)
        if not readable:
            raise Invalid(_("Give the year as four digits, like 1948."), field="birth_year")
        wants = request.form.get("receives_care") == "1"
        elder_profile.set_care(session, actor, person, wants, year)

    return _change_profile(person_id, _("Saved."), change)


@bp.post("/people/<id:person_id>/contacts")
@roles_required(*ANY_ROLE)
def add_contact(person_id: int):
    name, phone, relation = (forms.text(request.form, key) for key in ("name", "phone", "relation"))
    return _change_profile(
        person_id, _("Emergency contact added."), elder_profile.add_contact, name, phone, relation
    )


@bp.post("/people/<id:person_id>/contacts/<id:contact_id>/move")
@roles_required(*ANY_ROLE)
def move_contact(person_id: int, contact_id: int):
    up = request.form.get("direction") != "down"
    return _change_profile(person_id, _("Order saved."), elder_profile.move_contact, contact_id, up)


@bp.post("/people/<id:person_id>/contacts/<id:contact_id>/remove")
@roles_required(*ANY_ROLE)
def remove_contact(person_id: int, contact_id: int):
    done = _("Emergency contact removed.")
    return _change_profile(person_id, done, elder_profile.remove_contact, contact_id)


@bp.post("/people/<id:person_id>/family")
@roles_required(*ANY_ROLE)
def link_family(person_id: int):
    login, grant = forms.text(request.form, "relative"), request.form.get("grant") == "1"
    done = _("Family member linked.")
    return _change_profile(person_id, done, elder_profile.link_relative, login, grant)


@bp.post("/people/<id:person_id>/family/<id:relative_id>/consent")
@roles_required(*ANY_ROLE)
def consent(person_id: int, relative_id: int):
    status = forms.text(request.form, "status")
    done = _("Saved: what your family may see.")
    return _change_profile(person_id, done, elder_profile.set_consent, relative_id, status)


@bp.post("/people/<id:person_id>/family/<id:relation_id>/unlink")
@roles_required(*ANY_ROLE)
def unlink_family(person_id: int, relation_id: int):
    done = _("Family link removed.")
    return _change_profile(person_id, done, elder_profile.unlink_relative, relation_id)
