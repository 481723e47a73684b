"""The order page every kind shares (details, timeline, the actions the viewer may take), taking
an action, the photos behind their order's access check, and the staff member's work list."""

from dataclasses import dataclass
from functools import cached_property

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.accounts.access import ANY_ROLE, roles_required
from community.accounts.models import Role
from community.core import menus
from community.core.errors import Conflict, Invalid
from community.core.extensions import db
from community.core.i18n import translated
from community.core.input import parse_id
from community.core.links import id_paths
from community.workorders import machine, orders, states
from community.workorders.kinds import all_categories, event_text, kind_of
from community.workorders.models import WorkOrderEvent, WorkOrderPhoto
from community.workorders.photos import discard, photo_file, store_photos
from community.workorders.replies import replies_for, reply_text

bp = Blueprint("workorders", __name__)


menus.add_tiles(
    Role.STAFF,
    menus.Tile("my-orders", _l("My work orders"), "clipboard", "workorders.work", order=10),
)
menus.add_nav(menus.NavEntry("workorders.work", _l("My work"), "clipboard", {Role.STAFF}, 20))


class Words:
    """What templates say of orders of any kind: `wf` in every template. One per rendered
    template, so that a list translates each label once per page, not once per row."""

    STATUSES = states.STATUSES
    OPEN_STATUSES = states.OPEN_STATUSES
    ACTIVE_STATUSES = states.ACTIVE_STATUSES
    ACTION_LABELS = states.ACTION_LABELS
    EVENT_TEXTS = states.EVENT_TEXTS
    PRIORITIES = states.PRIORITIES
    is_overdue = staticmethod(machine.is_overdue)
    kind_of = staticmethod(kind_of)
    event_text = staticmethod(event_text)
    all_categories = staticmethod(all_categories)

    def __init__(self) -> None:
        self._categories: dict[tuple[str, str], str] = {}

    @cached_property
    def STATUS_LABELS(self) -> dict[str, str]:
        return translated(states.STATUS_LABELS)

    @cached_property
    def PRIORITY_LABELS(self) -> dict[str, str]:
        return translated(states.PRIORITY_LABELS)

    @cached_property
    def order_url(self):
        """url_for("workorders.detail", order_id=...), built once per page, not for every row."""
        return id_paths("workorders.detail", "order_id")

    def category_label(self, order) -> str:
        key = (order.kind, order.category)
        label = self._categories.get(key)
        if label is None:
            label = self._categories[key] = str(
                kind_of(order).categories.get(order.category, order.category)
            )
        return label


@bp.app_context_processor
def workorder_words():
    return {"wf": Words()}


@dataclass(frozen=True)
class ActionForm:
    """What an action's form holds besides the version: its note's label (none: no note), its
    own fields from workorders/actions/<action>.html (before or after the note), photos."""

    note: str = ""
    fields: bool = False
    after: bool = False
    photos: bool = False
    danger: bool = False


def action_forms() -> dict[str, ActionForm]:
    """Built per request: the labels are in the viewer's language."""
    optional = _("Note (optional)")
    return {
        "accept": ActionForm(fields=True),
        "reject": ActionForm(_("Reason (the resident sees it)"), danger=True),
        "duplicate": ActionForm(optional, fields=True),
        "assign": ActionForm(_("Note for the person doing it (optional)"), fields=True),
        "claim": ActionForm(optional),
        "release": ActionForm(optional),
        "start": ActionForm(optional, photos=True),
        "resolve": ActionForm(_("What was done"), photos=True),
        "confirm": ActionForm(),
        "reopen": ActionForm(_("What is still wrong?")),
        "cancel": ActionForm(_("Why? (optional)"), danger=True),
        "rate": ActionForm(_("Comment (optional)"), fields=True),
        "comment": ActionForm(_("Your comment"), after=True, photos=True),
    }


def render_detail(order, status: int = 200, error: str | None = None, error_action=None):
    events = db.session.scalars(
        select(WorkOrderEvent)
        .where(WorkOrderEvent.order_id == order.id)
        .options(selectinload(WorkOrderEvent.actor), selectinload(WorkOrderEvent.photos))
        .order_by(WorkOrderEvent.id)
    ).all()
    actions = machine.allowed_actions(order, current_user)
    mine = machine.relations(order, current_user)
    staff = (
        orders.staff_with_load(db.session, kind_of(order).assignable_roles)
        if "assign" in actions
        else []
    )
    return render_template(
        "workorders/detail.html",
        order=order,
        events=events,
        actions=actions,
        staff=staff,
        replies=replies_for(order.category) if states.OPERATOR in mine else [],
        viewer_sees_names=current_user.has_role(Role.OPERATOR, Role.ADMIN, Role.STAFF),
        contacts=orders.contacts_for(order, current_user),
        actor_name=lambda actor: orders.shown_name(order, actor, current_user),
        action_forms=action_forms(),
        error=error,
        error_action=error_action,
    ), status


@bp.get("/repairs/<id:order_id>")
@roles_required(*ANY_ROLE)
def detail(order_id: int):
    return render_detail(orders.load_order(db.session, current_user, order_id))


def action_fields(form) -> dict:
    fields = {"note": form.get("note", "")}
    for name in ("category", "priority"):
        if name in form:
            fields[name] = form[name]
    # Out of range is None here, and the machine says so next to the field.
    for name in ("assignee_id", "duplicate_of"):
        if name in form:
            fields[name] = form.get(name, type=parse_id)
    if "rating" in form:
        fields["rating"] = form.get("rating", type=int)
    if not fields["note"].strip() and form.get("reply"):
        fields["note"] = reply_text(form.get("category", ""), form["reply"])
    return fields


@bp.post("/repairs/<id:order_id>/do/<action>")
@roles_required(*ANY_ROLE)
def act(order_id: int, action: str):
    order = orders.load_order(db.session, current_user, order_id)
    photos = []
    try:
        version = request.form.get("version", type=parse_id)
        if version is None:
            raise Invalid(_("This page is out of date. Reload it and try again."))
        if action_forms().get(action, ActionForm()).photos:
            photos = store_photos(request.files.getlist("photos"), current_user.id)
        machine.apply(
            db.session,
            order,
            current_user,
            action,
            version,
            photos=photos,
            **action_fields(request.form),
        )
        db.session.commit()
    except (Invalid, Conflict) as error:
        db.session.rollback()
        discard(photos)
        order = orders.load_order(db.session, current_user, order_id)
        return render_detail(order, error.status, error.message, action)
    except Exception:
        db.session.rollback()
        discard(photos)
        raise
    flash(_("Saved: %(what)s.", what=states.EVENT_TEXTS[action]), "success")
    return redirect(url_for("workorders.detail", order_id=order_id))


@bp.get("/photos/<id:photo_id>")
@bp.get("/photos/<id:photo_id>/thumbnail", endpoint="thumbnail", defaults={"thumb": True})
@roles_required(*ANY_ROLE)
def photo(photo_id: int, thumb: bool = False):
    photo = db.session.get(WorkOrderPhoto, photo_id)
    if photo is None:
        abort(404)
    orders.load_order(db.session, current_user, photo.order_id)
    # Never stored (see core.security): a photo of someone's home must not be left in the
    # browser's cache for the next person on a shared phone. Thumbnails are small.
    return send_file(photo_file(photo, thumbnail=thumb), mimetype="image/jpeg")


@bp.get("/work")
@roles_required(Role.STAFF)
def work():
    # A page number from a link. Junk is page 1 (a hand-edited link still shows the work); a
    # page past the end says so and links back to the first.
    number = request.args.get("page", 1, type=parse_id)
    return render_template(
        "workorders/work.html", page=orders.staff_orders(db.session, current_user, number)
    )
