"""The office's page of calls for help: the open ones and the recent ones with their handling,
and who of the staff is on duty now."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.accounts.access import OFFICE, roles_required
from community.accounts.models import Role, User
from community.core import menus
from community.core.extensions import db
from community.core.input import id_or_none, parse_id
from community.core.links import id_paths
from community.core.web import render_page
from community.help import lists, rules
from community.help.forms import PressForm

bp = Blueprint("help_office", __name__, url_prefix="/operator/help")

RESPONDERS = (*OFFICE, Role.STAFF)

for _role in RESPONDERS:
    menus.add_tiles(
        _role,
        menus.Tile(
            "help-alerts",
            _l("Calls for help"),
            "bell",
            "help_office.alerts",
            description=_l("Elders who pressed “I need help”, and who is on duty"),
            order=5,
        ),
    )


@bp.get("/")
@roles_required(*RESPONDERS)
def alerts():
    # Junk in `before` (a hand-edited link) shows the newest closed calls.
    before = request.args.get("before", type=parse_id)
    return render_page(
        "help/office.html",
        alerts=lists.office_list(db.session, before),
        roster=lists.duty_roster(db.session),
        alert_path=id_paths("help.alert", "alert_id"),
        form=PressForm(),
    )


@bp.post("/duty")
@roles_required(*OFFICE)
def duty():
    if not PressForm().validate_on_submit():
        abort(400)
    user_id = id_or_none(request.form.get("user"))
    staff = db.session.get(User, user_id) if user_id else None
    if staff is None:
        abort(404)
    on = request.form.get("on") == "1"
    rules.set_on_duty(db.session, staff, on, current_user)
    db.session.commit()
    if on:
        flash(_("%(name)s is on duty now.", name=staff.name), "success")
    else:
        flash(_("%(name)s is off duty now.", name=staff.name), "success")
    return redirect(url_for("help_office.alerts"))
