"""The admin's page for the community's own settings: name, address, the office's phone."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from community.accounts.access import roles_required
from community.accounts.models import Role
from community.core import menus
from community.core.extensions import db
from community.directory.current import current_community
from community.directory.forms import CommunityForm

bp = Blueprint("directory", __name__, url_prefix="/operator")

menus.add_tiles(
    Role.ADMIN,
    menus.Tile(
        "community", _l("Community settings"), "gear", "directory.community_settings", order=50
    ),
)


@bp.route("/community", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def community_settings():
    community = current_community()
    form = CommunityForm(obj=community)
    if form.validate_on_submit():
        form.populate_obj(community)
        db.session.commit()
        flash(_("Community settings are saved."), "success")
        return redirect(url_for("directory.community_settings"))
    status = 422 if form.is_submitted() else 200
    return render_template("directory/community.html", form=form), status
