"""Notice pages: the board (a page, or more notices for htmx), one notice, and posting."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from community.accounts.access import ANY_ROLE, roles_required
from community.accounts.models import Role
from community.core import menus
from community.core.errors import Invalid
from community.core.extensions import db
from community.core.input import parse_id
from community.core.web import render_page, show_error
from community.directory.current import current_community
from community.directory.models import Building
from community.notices import rules
from community.notices.forms import NoticeForm

bp = Blueprint("notices", __name__, url_prefix="/notices")

menus.add_tiles(
    Role.RESIDENT,
    menus.Tile(
        "notices",
        _l("Notices"),
        "bell",
        "notices.board",
        description=_l("News from the office"),
        order=60,
    ),
)
menus.add_tiles(
    Role.OPERATOR, menus.Tile("post-notice", _l("Post a notice"), "bell", "notices.new", order=40)
)


@bp.app_context_processor
def notice_labels():
    return {
        "audience_labels": rules.AUDIENCE_LABELS,
        "role_audience_labels": rules.ROLE_AUDIENCE_LABELS,
    }


@bp.get("")
@roles_required(*ANY_ROLE)
def board():
    notices, next_before = rules.board(
        db.session, current_user, request.args.get("before", type=parse_id)
    )
    return render_page(
        "notices/board.html",
        "notices/_notices.html",
        notices=notices,
        next_before=next_before,
        older=bool(request.args.get("before")),
        may_post=current_user.has_role(*rules.POSTERS),
        sees_all=rules.may_read_all(current_user),
    )


@bp.get("/<id:notice_id>")
@roles_required(*ANY_ROLE)
def detail(notice_id: int):
    notice = rules.load_notice(db.session, current_user, notice_id)
    return render_page(
        "notices/detail.html", notice=notice, sees_all=rules.may_read_all(current_user)
    )


def building_choices() -> list[SelectChoice]:
    community = current_community()
    buildings = db.session.scalars(
        select(Building)
        .where(Building.community_id == (community.id if community else 0))
        .order_by(Building.sort_key, Building.name)
    )
    return [SelectChoice(building.id, building.name) for building in buildings]


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*rules.POSTERS)
def new():
    form = NoticeForm()
    form.building.choices = building_choices()
    if form.validate_on_submit():
        try:
            notice = rules.post_notice(
                db.session,
                current_user,
                current_community(),
                title=form.title.data,
                body=form.body.data,
                audience=form.audience.data,
                building_id=form.building.data,
                role=form.role.data,
                urgent=form.urgent.data,
            )
            db.session.commit()
        except Invalid as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(
                ngettext(
                    "The notice is posted and sent to %(num)d person.",
                    "The notice is posted and sent to %(num)d people.",
                    notice.recipient_count,
                ),
                "success",
            )
            return redirect(url_for("notices.detail", notice_id=notice.id), 303)
    status = 422 if form.is_submitted() else 200
    return render_page("notices/new.html", status=status, form=form)
