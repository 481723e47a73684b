"""The operator's queue: the filtered list, assigning many orders at once, the CSV export."""

from collections.abc import Iterable, Iterator
from dataclasses import replace
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from community.accounts.access import OFFICE, roles_required
from community.core import menus
from community.core.csvexport import csv_download, plain_cell
from community.core.db import utcnow
from community.core.extensions import db
from community.core.i18n import translated
from community.core.input import parse_id
from community.core.shortcache import short_cache
from community.core.web import render_page
from community.directory.models import Building
from community.workorders import machine, orders, states
from community.workorders.kinds import all_categories
from community.workorders.queue import (
    ACTIVE,
    ALL,
    UNASSIGNED,
    QueueFilters,
    SortKey,
    iter_orders,
    queue_page,
    status_counts,
)

# "/operator" rather than "/operator/orders": the export lives at /operator/orders.csv, and a
# blueprint prefix always adds a slash before the rule.
bp = Blueprint("queue", __name__, url_prefix="/operator")

for role in OFFICE:
    menus.add_tiles(
        role, menus.Tile("queue", _l("Work orders"), "clipboard", "queue.index", order=10)
    )
# Sign-ups and people are a tap away on the home page; the queue is the daily work.
menus.add_nav(menus.NavEntry("queue.index", _l("Orders"), "clipboard", frozenset(OFFICE), 30))

# The filter's building picker: built once, as building a statement costs more than this one.
_BUILDINGS = select(Building.id, Building.name).order_by(Building.sort_key, Building.name)


@bp.get("/orders")
@roles_required(*OFFICE)
def index():
    return render_queue(QueueFilters.from_args(request.args), request.args.get("after"))


def render_queue(
    filters: QueueFilters,
    after: str | None,
    status: int = 200,
    assign_error: str | None = None,
    chosen: Iterable[int] = (),
    chosen_assignee: int | None = None,
):
    now = utcnow()
    key = SortKey.decode(after)
    # The counts and the staff's loads change with every order, but a page a few seconds old
    # is as good to the office, and the page says how old. Kept per app (one community, one
    # database) and keyed by every filter the counts depend on (the status shown and the sort
    # do not change them); they are the same for everyone who may open the queue.
    cache, seconds = short_cache(), float(current_app.config["QUEUE_SUMMARY_SECONDS"])
    counts_key = ("queue-counts", replace(filters, status=ACTIVE, sort=""))
    counts, counted_at = cache.get(
        counts_key, seconds, lambda: status_counts(db.session, filters, now)
    )
    staff, _loaded_at = cache.get(
        ("queue-staff",), seconds, lambda: orders.staff_picker(db.session)
    )
    page = queue_page(db.session, filters, now, key)
    return render_page(
        "workorders/office/index.html",
        "workorders/office/_results.html",
        status=status,
        filters=filters,
        after=key.encode() if key else None,
        page=page,
        counts=counts,
        staff=staff,
        counted_at=counted_at if seconds else None,
        summary_seconds=int(seconds),
        buildings=db.session.execute(_BUILDINGS).all(),
        overdue_ids={order.id for order in page.orders if machine.is_overdue(order, now)},
        assign_error=assign_error,
        chosen=set(chosen),
        chosen_assignee=chosen_assignee,
        # Translated once per page, not once per row.
        status_labels=translated(states.STATUS_LABELS),
        category_labels=translated(all_categories()),
        priority_labels=translated(states.PRIORITY_LABELS),
        ACTIVE=ACTIVE,
        ALL=ALL,
        UNASSIGNED=UNASSIGNED,
    )


@bp.post("/orders/assign")
@roles_required(*OFFICE)
def assign():
    """The bulk form posts to a URL that carries the queue's filters, so that both the error
    page and the redirect afterwards show the same queue."""
    filters = QueueFilters.from_args(request.args)
    key = SortKey.decode(request.args.get("after"))
    after = key.encode() if key else None
    picks = orders.parse_picks(request.form.getlist("order"))
    chosen = sorted(picks)
    assignee_id = request.form.get("assignee_id", type=parse_id)
    staff = {person.id: person for person, _load in orders.staff_with_load(db.session)}
    error = None
    if not chosen:
        error = _("Tick at least one order to assign.")
    elif assignee_id not in staff:
        error = _("Choose a member of the service staff.")
    if error:
        return render_queue(filters, after, 422, error, chosen, assignee_id)
    assigned, skipped = orders.assign_orders(db.session, current_user, picks, staff[assignee_id])
    db.session.commit()
    flash(
        ngettext(
            "%(num)d order assigned to %(name)s.",
            "%(num)d orders assigned to %(name)s.",
            len(assigned),
            name=staff[assignee_id].name,
        ),
        "success" if assigned else "error",
    )
    if skipped:
        flash(
            ngettext(
                "%(num)d skipped: %(reasons)s",
                "%(num)d skipped: %(reasons)s",
                len(skipped),
                reasons=" ".join(skipped),
            ),
            "info",
        )
    return redirect(url_for("queue.index", after=after, **filters.as_args()))


@bp.get("/orders.csv")
@roles_required(*OFFICE)
def export():
    """The queue as a spreadsheet, every matching order, streamed in chunks. No requester
    names or phone numbers: the file leaves the system."""
    filters = QueueFilters.from_args(request.args)
    now = utcnow()
    zone = ZoneInfo(current_app.config["COMMUNITY_TIMEZONE"])
    buildings = dict(db.session.execute(select(Building.id, Building.name)).all())

    def when(moment) -> str:
        return moment.astimezone(zone).isoformat(timespec="minutes") if moment else ""

    def rows() -> Iterator[list]:
        yield [
            _("Number"),
            _("Created"),
            _("Category"),
            _("Priority"),
            _("Status"),
            _("Building"),
            _("Place or home"),
            _("Description"),
            _("Assigned to"),
            _("Due"),
            _("Overdue"),
        ]
        for order in iter_orders(db.session, filters, now):
            where = order.place_name or order.unit_label or ""
            yield [
                order.id,
                when(order.created_at),
                all_categories().get(order.category, order.category),
                states.PRIORITY_LABELS.get(order.priority, order.priority),
                states.STATUS_LABELS.get(order.status, order.status),
                buildings.get(order.building_id, ""),
                plain_cell(where),
                plain_cell(order.description),
                plain_cell(order.assignee_name or ""),
                when(order.due_at),
                _("Yes") if machine.is_overdue(order, now) else _("No"),
            ]

    filename = f"work-orders-{now.astimezone(zone):%Y%m%d-%H%M}.csv"
    return csv_download(rows(), filename)
