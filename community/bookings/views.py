"""Booking pages for residents: the services, a service's free times, the booking form, my
bookings, a booking's page (cancel, move, offers, add to calendar). Views parse, call
bookings.rules, and render."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.accounts.access import ANY_ROLE, roles_required
from community.accounts.models import Role
from community.bookings import rules
from community.bookings.calendar import booking_calendar
from community.bookings.forms import ActionForm, BookForm, MoveForm
from community.bookings.models import Service
from community.bookings.slots import day_slots, starts_on
from community.capacity import holding
from community.capacity.models import ReservationStatus
from community.core import menus
from community.core.db import utcnow
from community.core.errors import DomainError, Invalid, NotFound
from community.core.extensions import db
from community.core.web import render_page, show_error

bp = Blueprint("bookings", __name__)

menus.add_tiles(
    Role.RESIDENT,
    menus.Tile("book-service", _l("Book a service"), "calendar", "bookings.services", order=30),
)
menus.add_nav(menus.NavEntry("bookings.mine", _l("Bookings"), "calendar", {Role.RESIDENT}, 30))

DAYS_SHOWN = 14


def locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["COMMUNITY_TIMEZONE"])


def load_service(service_id: int) -> Service:
    service = db.session.scalar(
        select(Service)
        .where(Service.id == service_id, Service.active.is_(True))
        .options(selectinload(Service.hours))
    )
    if service is None:
        raise NotFound(_("No such service."))
    return service


def bookable_days(service: Service, now: datetime) -> list[date]:
    """The next days the weekly plan opens, within the service's horizon."""
    today = now.astimezone(zone()).date()
    last = (now + timedelta(days=service.horizon_days)).astimezone(zone()).date()
    earliest = now + timedelta(hours=service.notice_hours)
    days = []
    day = today
    while day <= last and len(days) < DAYS_SHOWN:
        if any(earliest <= start for start in starts_on(service, day, zone())):
            days.append(day)
        day += timedelta(days=1)
    return days


def parse_day(value: str | None, days: list[date]) -> date | None:
    """?day=YYYY-MM-DD among the bookable days; anything else means the first one."""
    try:
        chosen = date.fromisoformat(value or "")
    except ValueError:
        chosen = None
    if chosen in days:
        return chosen
    return days[0] if days else None


def parse_start(value: str | None) -> datetime | None:
    """A start as the pages send it (ISO 8601 with its offset), or None: the rules refuse it."""
    try:
        moment = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def parse_party(value: str | None) -> int:
    value = (value or "").strip()
    if not value:
        return 1
    if not value.isdigit() or len(value) > 3:
        raise Invalid(_("Say how many people are coming."), field="party_size")
    return int(value)


@bp.get("/services")
@roles_required(*ANY_ROLE)
def services():
    rows = db.session.scalars(
        select(Service).where(Service.active.is_(True)).order_by(Service.scenario, Service.id)
    ).all()
    return render_page("bookings/services.html", services=rows, locale=locale())


@bp.get("/services/<id:service_id>")
@roles_required(*ANY_ROLE)
def service(service_id: int):
    found = load_service(service_id)
    now = utcnow()
    days = bookable_days(found, now)
    day = parse_day(request.args.get("day"), days)
    times = day_slots(db.session, found, day, now, zone()) if day else []
    return render_page(
        "bookings/service.html",
        "bookings/_times.html",
        service=found,
        locale=locale(),
        days=days,
        day=day,
        times=[time for time in times if time.free > 0],
    )


@bp.route("/services/<id:service_id>/book", methods=["GET", "POST"])
@roles_required(*ANY_ROLE)
def book(service_id: int):
    found = load_service(service_id)
    form = BookForm(formdata=request.args) if request.method == "GET" else BookForm()
    people = rules.acting_for(db.session, current_user)
    form.person.choices = [(person.id, person.name) for person in people]
    if request.method == "GET":
        form.person.data = form.person.data or current_user.id
    starts_at = parse_start(form.slot.data)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            chosen = {person.id: person for person in people}.get(form.person.data)
            try:
                booking = rules.book(
                    db.session,
                    found.id,
                    starts_at,
                    chosen,
                    current_user,
                    parse_party(form.party_size.data),
                )
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                show_error(form, error)
                status = error.status if error.field is None else 422
            else:
                if booking.reservation.status == ReservationStatus.WAITLISTED:
                    flash(_("That time is full: you are on the waiting list."), "info")
                else:
                    flash(_("Booked. You will be reminded the day before."), "success")
                return redirect(url_for("bookings.detail", booking_id=booking.id))
    return render_page(
        "bookings/book.html",
        status=status,
        service=found,
        locale=locale(),
        form=form,
        starts_at=starts_at,
    )


@bp.get("/bookings")
@roles_required(*ANY_ROLE)
def mine():
    upcoming, past, positions = rules.my_bookings(db.session, current_user)
    return render_page(
        "bookings/mine.html",
        upcoming=upcoming,
        past=past,
        positions=positions,
        locale=locale(),
        form=ActionForm(),
    )


def render_detail(booking, status: int = 200, error: str | None = None):
    return render_page(
        "bookings/detail.html",
        status=status,
        booking=booking,
        locale=locale(),
        position=holding.positions(db.session, [booking]).get(booking.id),
        form=ActionForm(),
        error=error,
        now=utcnow(),
    )


@bp.get("/bookings/<id:booking_id>")
@roles_required(*ANY_ROLE)
def detail(booking_id: int):
    return render_detail(rules.booking_for(db.session, current_user, booking_id))


def act(booking_id: int, change, done: str):
    """A button on the booking's page: on success back to it; refused, the page with why."""
    booking = rules.booking_for(db.session, current_user, booking_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return render_detail(booking, 400, _("This form has expired. Please reload the page."))
    try:
        result = change(db.session, booking, current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        booking = rules.booking_for(db.session, current_user, booking_id)
        return render_detail(booking, error.status, error.message)
    flash(done, "success")
    return redirect(url_for("bookings.detail", booking_id=result.id))


@bp.post("/bookings/<id:booking_id>/cancel")
@roles_required(*ANY_ROLE)
def cancel(booking_id: int):
    return act(booking_id, rules.cancel, _("The booking is cancelled."))


@bp.post("/bookings/<id:booking_id>/accept")
@roles_required(*ANY_ROLE)
def accept(booking_id: int):
    return act(booking_id, rules.accept_offer, _("The place is yours."))


@bp.post("/bookings/<id:booking_id>/decline")
@roles_required(*ANY_ROLE)
def decline(booking_id: int):
    return act(booking_id, rules.decline_offer, _("Thank you: the place goes to the next person."))


@bp.post("/bookings/<id:booking_id>/leave")
@roles_required(*ANY_ROLE)
def leave(booking_id: int):
    return act(booking_id, rules.leave_waiting_list, _("You left the waiting list."))


@bp.route("/bookings/<id:booking_id>/move", methods=["GET", "POST"])
@roles_required(*ANY_ROLE)
def move(booking_id: int):
    booking = rules.booking_for(db.session, current_user, booking_id)
    found = load_service(booking.slot.service_id)
    form = MoveForm()
    status, error = 200, None
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                moved = rules.reschedule(
                    db.session, booking, parse_start(form.slot.data), current_user
                )
                db.session.commit()
            except DomainError as refused:
                db.session.rollback()
                booking = rules.booking_for(db.session, current_user, booking_id)
                status, error = refused.status, refused.message
            else:
                flash(_("The booking is moved."), "success")
                return redirect(url_for("bookings.detail", booking_id=moved.id))
        else:
            error = _("This form has expired. Please reload the page.")
    now = utcnow()
    days = bookable_days(found, now)
    day = parse_day(request.values.get("day"), days)
    times = day_slots(db.session, found, day, now, zone()) if day else []
    return render_page(
        "bookings/move.html",
        status=status,
        booking=booking,
        service=found,
        locale=locale(),
        days=days,
        day=day,
        times=[t for t in times if t.free > 0 and t.starts_at != booking.slot.starts_at],
        form=form,
        error=error,
    )


@bp.get("/bookings/<id:booking_id>/calendar.ics")
@roles_required(*ANY_ROLE)
def calendar(booking_id: int):
    booking = rules.booking_for(db.session, current_user, booking_id)
    body = booking_calendar(booking, locale(), zone(), request.host, utcnow())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="booking-{booking.id}.ics"'},
    )


__all__ = ["bp"]
