"""The office's care page: elders receiving care (mark one; open their profile; ask for a
visit at the desk) and the visits nobody has taken that are due soon."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.accounts.access import OFFICE, roles_required
from community.care import elder_profile, forms, listing
from community.core.errors import Invalid
from community.core.extensions import db
from community.core.web import render_page

bp = Blueprint("care_office", __name__, url_prefix="/care/office")


def _render(status: int = 200, error: Invalid | None = None, login: str = ""):
    return render_page(
        "care/office.html",
        status=status,
        elders=elder_profile.elders(db.session),
        soon=listing.unclaimed_soon(db.session),
        error=error,
        login=login,
    )


@bp.get("")
@roles_required(*OFFICE)
def home():
    return _render()


@bp.post("/mark")
@roles_required(*OFFICE)
def mark():
    login = forms.text(request.form, "login")
    try:
        person = elder_profile.mark_by_login(db.session, current_user, login)
        db.session.commit()
    except Invalid as error:
        db.session.rollback()
        return _render(422, error, login)
    flash(_("%(name)s now receives care.", name=person.name), "success")
    return redirect(url_for("care.profile", person_id=person.id))


__all__ = ["bp"]
