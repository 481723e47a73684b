"""Care pages: asking for a visit (three steps in large-text mode), my care (visits, weekly
series, the elders I look after), a visit's page (the volunteer's steps, the log, confirming and
thanking) and the volunteers' board. Views parse, call care's rules, and render. The elder's
profile pages are in care/profile_views.py, on the same blueprint."""

from operator import attrgetter
from typing import ClassVar

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.accounts.access import ANY_ROLE, OFFICE, roles_required
from community.accounts.models import AccountStatus, Role, User
from community.accounts.sessions import large_text_mode
from community.care import asking, forms, lifecycle, listing, rules
from community.care.kind import VISIT_KINDS
from community.care.models import ConsentStatus
from community.core import menus
from community.core.db import utcnow
from community.core.errors import Conflict, DomainError, Invalid
from community.core.extensions import db
from community.core.i18n import translated
from community.core.input import id_or_none
from community.core.web import render_page
from community.workorders import states
from community.workorders.models import WorkOrderEvent

bp = Blueprint("care", __name__, url_prefix="/care")

menus.add_tiles(
    Role.RESIDENT,
    menus.Tile(
        "care",
        _l("Care visits"),
        "heart",
        "care.home",
        _l("Ask for a visit; read the visit log"),
        order=40,
    ),
)
menus.add_tiles(
    Role.VOLUNTEER,
    menus.Tile(
        "care-board", _l("Visit board"), "hand", "care.board", _l("Visits to take on"), order=10
    ),
)
menus.add_tiles(
    Role.OPERATOR,
    menus.Tile("care-office", _l("Elderly care"), "heart", "care_office.home", order=40),
)
menus.add_nav(menus.NavEntry("care.board", _l("Visits"), "hand", {Role.VOLUNTEER}, 25))

# The windows' labels by key, for translated().
WINDOW_LABELS = {key: label for key, (_start, _end, label) in rules.WINDOWS.items()}

# Which step of the request each field belongs to.
STEP_OF = {"elder": 1, "visit_kind": 1, "day": 2, "window": 2, "often": 2, "needs": 3}


class Words:
    """What care's templates say: `care` in every template."""

    VISIT_KINDS = VISIT_KINDS
    WINDOWS = rules.WINDOWS
    MOODS = rules.MOODS
    CONSENT = ConsentStatus
    CONSENT_LABELS: ClassVar = {
        ConsentStatus.PENDING: _l("Not yet allowed to read the visit log"),
        ConsentStatus.GRANTED: _l("Allowed to read the visit log and notes"),
        ConsentStatus.REVOKED: _l("No longer allowed to read the visit log"),
    }

    # A visit's statuses in care's words ("fixed" is for repairs).
    STATUS: ClassVar = {
        states.SUBMITTED: _l("Asked for"),
        states.ACCEPTED: _l("Waiting for a volunteer"),
        states.ASSIGNED: _l("A volunteer will come"),
        states.IN_PROGRESS: _l("The volunteer is there"),
        states.RESOLVED: _l("Done: please confirm"),
        states.CLOSED: _l("Confirmed"),
        states.CANCELLED: _l("Cancelled"),
        states.REJECTED: _l("Cancelled by the office"),
        states.DUPLICATE: _l("Cancelled by the office"),
        states.REOPENED: _l("Waiting for a volunteer"),
    }

    @staticmethod
    def window_label(key: str) -> str:
        return rules.WINDOWS[key][2] if key in rules.WINDOWS else key


@bp.app_context_processor
def care_words():
    return {"care": Words}


# ---- My care ------------------------------------------------------------------------------


@bp.get("")
@roles_required(*ANY_ROLE)
def home():
    """Plain rows in four statements however many visits and family (listing.py). Whom the
    person may ask for is rules.elders_of: themself if they receive care, then linked family who
    do and whom they may act for (relations.may_act_for: an active resident, and the person
    active)."""
    user = current_user
    linked = [row for row in listing.family_of(db.session, user) if row.receives_care]
    may_act = user.status == AccountStatus.ACTIVE
    may_ask = ([user.id] if user.receives_care else []) + [
        row.id for row in linked if row.resident and may_act
    ]
    seen = [user.id] if user.receives_care else []
    seen += [row.id for row in linked if row.consent == ConsentStatus.GRANTED]
    visits = listing.visits_of(db.session, seen, requested_by=user.id)
    coming = [*rules.UPCOMING, states.RESOLVED]
    return render_page(
        "care/home.html",
        may_ask=may_ask,
        family=linked,
        # The soonest first; what is over, the latest first.
        upcoming=sorted(
            (row for row in visits if row.status in coming), key=attrgetter("starts_at")
        ),
        past=[row for row in visits if row.status not in coming],
        series=listing.series_of(db.session, may_ask),
        now=utcnow(),
        **_card_words(),
    )


def _one_path(endpoint: str):
    """url_for(endpoint, order_id=...) for a list's rows, from one url_for per page."""
    head, _zero, tail = url_for(endpoint, order_id=0).rpartition("/0")
    return f"{head}/%d{tail}".__mod__


def _card_words() -> dict:
    """What the visit lists need beside their rows: the labels translated once per process,
    and the link to a visit."""
    return {
        "visit_url": _one_path("care.visit"),
        "kind_labels": translated(VISIT_KINDS),
        "status_labels": translated(Words.STATUS),
        "window_labels": translated(WINDOW_LABELS),
    }


# ---- Asking for a visit -------------------------------------------------------------------


def _elder_choices() -> tuple[list[User], User | None]:
    """Whom the person may ask for here, and the one chosen (or the only one)."""
    wanted = forms.read_elder(request.values)
    people = rules.elders_of(db.session, current_user)
    if wanted is not None and wanted not in {p.id for p in people}:
        # The desk: the office or staff ask for any elder (the link from the office's list).
        elder = db.session.get(User, wanted)
        if elder is not None and rules.may_ask_for(db.session, current_user, elder):
            people = [elder, *people]
    chosen = next((p for p in people if p.id == wanted), None)
    if chosen is None and len(people) == 1:
        chosen = people[0]
    return people, chosen


def _render_ask(people, elder, wanted, step, status=200, errors=None):
    return render_page(
        "care/ask.html",
        status=status,
        people=people,
        elder=elder,
        wanted=wanted,
        step=step,
        stepped=large_text_mode(),
        days=rules.request_days(utcnow()),
        errors=errors or {},
    )


@bp.route("/ask", methods=["GET", "POST"])
@roles_required(*ANY_ROLE)
def ask():
    people, elder = _elder_choices()
    wanted = forms.read_request(request.values)
    stepped = large_text_mode()
    step = forms.read_step(request.args) if stepped and request.method == "GET" else 3
    if request.method == "GET":
        if not stepped or step == 1:
            return _render_ask(people, elder, wanted, 1 if stepped else 3)
        # Going on to the next step: what came before must be right.
        try:
            if elder is None:
                raise Invalid(_("Choose who the visit is for."), field="elder")
            asking.check_request(wanted, utcnow(), step - 1)
        except Invalid as error:
            return _render_ask(
                people, elder, wanted, STEP_OF.get(error.field, 1), 422, {error.field: error}
            )
        return _render_ask(people, elder, wanted, step)
    try:
        if elder is None:
            raise Invalid(_("Choose who the visit is for."), field="elder")
        order = asking.request_visit(db.session, current_user, elder, wanted)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if error.field is None:
            raise
        back = STEP_OF.get(error.field, 3) if stepped else 3
        return _render_ask(people, elder, wanted, back, 422, {error.field: error})
    if wanted.weekly:
        flash(_("Asked for: a visit every week. Volunteers can see it on the board."), "success")
    else:
        flash(_("Asked for. Volunteers can see it on the board."), "success")
    return redirect(url_for("care.visit", order_id=order.id))


@bp.post("/series/<id:series_id>/stop")
@roles_required(*ANY_ROLE)
def stop_series(series_id: int):
    try:
        cancelled = asking.stop_series(db.session, current_user, series_id)
        db.session.commit()
    except Conflict as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("care.home"))
    flash(
        ngettext(
            "The weekly visit is stopped; %(num)d coming visit is cancelled.",
            "The weekly visit is stopped; %(num)d coming visits are cancelled.",
            len(cancelled),
        ),
        "success",
    )
    return redirect(url_for("care.home"))


# ---- A visit ------------------------------------------------------------------------------


def _render_visit(view: lifecycle.VisitView, status: int = 200, error=None):
    user = current_user
    shows_log = lifecycle.read_log(db.session, user, view)
    if shows_log:
        db.session.commit()  # the read is recorded even if the page fails to reach them
    events = db.session.scalars(
        select(WorkOrderEvent)
        .where(WorkOrderEvent.order_id == view.order.id)
        .options(selectinload(WorkOrderEvent.actor))
        .order_by(WorkOrderEvent.id)
    ).all()
    order = view.order
    assigned = order.status == states.ASSIGNED
    offered = {
        "claim": view.on_board and user.has_role(Role.VOLUNTEER) and not view.is_assignee,
        "release": view.is_assignee and assigned,
        "start": view.is_assignee and assigned,
        "resolve": view.is_assignee and order.status == states.IN_PROGRESS,
        "confirm": view.may_ask and order.status == states.RESOLVED,
        "rate": view.may_ask and order.status == states.CLOSED and order.rating is None,
        "cancel": view.may_ask and order.status in rules.CANCELLABLE,
    }
    return render_page(
        "care/visit.html",
        status=status,
        view=view,
        order=order,
        visit=view.visit,
        events=events,
        shows_log=shows_log,
        offered=offered,
        error=error,
        sees_names=user.has_role(Role.OPERATOR, Role.ADMIN, Role.STAFF) or view.sees_private,
    )


@bp.get("/visits/<id:order_id>")
@roles_required(*ANY_ROLE)
def visit(order_id: int):
    return _render_visit(lifecycle.load_visit(db.session, current_user, order_id))


def _act(order_id: int, change, done: str, to_board: bool = False, refused_status=None):
    """A step on a visit's page: back to it (or to the board) on success; refused, the page
    says why, with the error's status unless refused_status says otherwise."""
    view = lifecycle.load_visit(db.session, current_user, order_id)
    version = forms.read_version(request.form)
    try:
        change(view, version)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if error.status == 403:
            raise
        view = lifecycle.load_visit(db.session, current_user, order_id)
        return _render_visit(view, refused_status or error.status, error)
    flash(done, "success")
    if to_board:
        return redirect(url_for("care.board"))
    return redirect(url_for("care.visit", order_id=order_id))


@bp.post("/visits/<id:order_id>/claim")
@roles_required(Role.VOLUNTEER)
def claim(order_id: int):
    try:
        lifecycle.claim_visit(db.session, current_user, order_id)
        db.session.commit()
    except Conflict as error:
        db.session.rollback()
        return _render_board(409, error.message)
    flash(_("The visit is yours. The elder's home and notes are below."), "success")
    return redirect(url_for("care.visit", order_id=order_id))


@bp.post("/visits/<id:order_id>/hand-back")
@roles_required(Role.VOLUNTEER)
def hand_back(order_id: int):
    return _act(
        order_id,
        lambda view, version: lifecycle.step(db.session, current_user, view, "release", version),
        _("Handed back: the visit is on the board again."),
        to_board=True,
        refused_status=409,
    )


@bp.post("/visits/<id:order_id>/arrive")
@roles_required(Role.VOLUNTEER)
def arrive(order_id: int):
    return _act(
        order_id,
        lambda view, version: lifecycle.step(db.session, current_user, view, "start", version),
        _("Noted: you are there."),
    )


@bp.post("/visits/<id:order_id>/done")
@roles_required(Role.VOLUNTEER)
def done(order_id: int):
    log = forms.read_log(request.form)
    return _act(
        order_id,
        lambda view, version: lifecycle.finish(db.session, current_user, view, version, log),
        _("Thank you: the visit is logged. The elder or their family will confirm it."),
    )


@bp.post("/visits/<id:order_id>/confirm")
@roles_required(*ANY_ROLE)
def confirm(order_id: int):
    rating, thanks = forms.read_rating(request.form), forms.read_thanks(request.form)
    return _act(
        order_id,
        lambda view, version: lifecycle.confirm(
            db.session, current_user, view, version, rating, thanks
        ),
        _("Confirmed. Thank you!"),
    )


@bp.post("/visits/<id:order_id>/thank")
@roles_required(*ANY_ROLE)
def thank(order_id: int):
    rating, thanks = forms.read_rating(request.form), forms.read_thanks(request.form)
    return _act(
        order_id,
        lambda view, version: lifecycle.thank(
            db.session, current_user, view, version, rating, thanks
        ),
        _("Your thanks are passed on."),
    )


@bp.post("/visits/<id:order_id>/cancel")
@roles_required(*ANY_ROLE)
def cancel(order_id: int):
    return _act(
        order_id,
        lambda view, version: lifecycle.cancel(db.session, current_user, view, version),
        _("The visit is cancelled."),
    )


# ---- The board ----------------------------------------------------------------------------


def _render_board(status: int = 200, taken: str | None = None):
    visit_kind = request.args.get("kind")
    building_id = request.args.get("building", type=id_or_none)
    buildings = listing.buildings(db.session)
    rows = listing.board(
        db.session,
        visit_kind=visit_kind if visit_kind in VISIT_KINDS else None,
        building_id=building_id,
    )
    return render_page(
        "care/board.html",
        "care/_board_rows.html",
        status=status,
        rows=rows,
        mine=listing.my_claims(db.session, current_user),
        claim_url=_one_path("care.claim"),
        **_card_words(),
        buildings=buildings,
        building_names={b.id: b.name for b in buildings},
        chosen_kind=visit_kind if visit_kind in VISIT_KINDS else "",
        chosen_building=building_id,
        taken=taken,
    )


@bp.get("/board")
@roles_required(Role.VOLUNTEER, *OFFICE)
def board():
    return _render_board()


__all__ = ["bp"]
