"""The service desk: a day sheet of bookings per provider and per place, where staff and the
office mark who came and who paid at the desk, and the office's CSV export. Staff see only the
bookings of the provider they are; the office sees all."""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import format_time, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select, update
from sqlalchemy.orm import Session, contains_eager
from wtforms import StringField

from community.accounts.access import OFFICE, add_office_tiles, roles_required
from community.accounts.models import Role, User
from community.bookings import kind as _home_service  # noqa: F401  (declares the kind, listens)
from community.bookings.models import Attendance, Booking, Provider, Service, Slot
from community.capacity.models import Reservation, ReservationStatus
from community.core import menus
from community.core.csvexport import csv_download, plain_cell
from community.core.db import utcnow
from community.core.errors import Conflict, DomainError, Invalid, NotFound
from community.core.extensions import db
from community.core.forms import Form
from community.core.web import render_page, show_error
from community.directory.models import Place

bp = Blueprint("booking_desk", __name__, url_prefix="/desk")

DESK_ROLES = (Role.STAFF, *OFFICE)
menus.add_tiles(
    Role.STAFF,
    menus.Tile("desk-today", _l("Today's bookings"), "calendar", "booking_desk.index", order=20),
)
add_office_tiles(
    menus.Tile("desk-today", _l("Service bookings"), "calendar", "booking_desk.index", order=30),
)

PAYMENT_WAYS = {
    "cash": _l("Cash"),
    "wechat": _l("WeChat Pay"),
    "alipay": _l("Alipay"),
    "card": _l("Bank card"),
}
ATTENDANCE_LABELS = {
    Attendance.EXPECTED: _l("Expected"),
    Attendance.ATTENDED: _l("Came"),
    Attendance.NO_SHOW: _l("Did not come"),
}
RESERVATION_LABELS = {
    ReservationStatus.HELD: _l("Held"),
    ReservationStatus.CONFIRMED: _l("Confirmed"),
    ReservationStatus.OFFERED: _l("Offered a place"),
    ReservationStatus.WAITLISTED: _l("Waiting list"),
    ReservationStatus.CANCELLED: _l("Cancelled"),
    ReservationStatus.EXPIRED: _l("Offer ran out"),
}
# Shown on the sheet: people who hold, were offered or wait for a place.
ON_THE_SHEET = (
    ReservationStatus.HELD,
    ReservationStatus.CONFIRMED,
    ReservationStatus.OFFERED,
    ReservationStatus.WAITLISTED,
)
MAX_PAYMENT_CENTS = 10_000_000  # 100 000 yuan: more is a typing slip
MAX_EXPORT_DAYS = 93


# ---- The desk's rules: plain functions over a session ---------------------------------------


def is_office(user: User) -> bool:
    return user.has_role(*OFFICE)


def own_provider_ids(session: Session, user: User) -> list[int]:
    return list(session.scalars(select(Provider.id).where(Provider.user_id == user.id)))


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), zone)
    return start, datetime.combine(day + timedelta(days=1), time(), zone)


def sheet_rows(
    session: Session,
    viewer: User,
    first: date,
    last: date,
    zone: ZoneInfo,
    *,
    provider_id: int | None = None,
    place_id: int | None = None,
) -> list[Booking]:
    """The bookings of the days first..last that the viewer may see, with their slot, service,
    reservation and person, in one query, in time order."""
    start, _end = day_bounds(first, zone)
    _start, end = day_bounds(last, zone)
    query = (
        select(Booking)
        .join(Booking.slot)
        .join(Slot.service)
        .join(Booking.reservation)
        .join(Reservation.person)
        .options(
            contains_eager(Booking.slot).contains_eager(Slot.service),
            contains_eager(Booking.reservation)
            .contains_eager(Reservation.person)
            .selectinload(User.unit),
        )
        .where(
            Slot.starts_at >= start,
            Slot.starts_at < end,
            Reservation.status.in_(ON_THE_SHEET),
        )
        .order_by(Slot.starts_at, Service.id, Reservation.priority.desc(), Reservation.id)
    )
    if provider_id is not None:
        query = query.where(Service.provider_id == provider_id)
    if place_id is not None:
        query = query.where(Service.place_id == place_id)
    if not is_office(viewer):
        query = query.where(Service.provider_id.in_(own_provider_ids(session, viewer) or [0]))
    return list(session.scalars(query).unique())


def load_booking(session: Session, viewer: User, booking_id: int) -> Booking:
    """A booking the viewer may work on at the desk; anyone else's is not found (404)."""
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFound(_("No such booking."))
    if not is_office(viewer):
        provider = booking.slot.service.provider
        if provider is None or provider.user_id != viewer.id:
            raise NotFound(_("No such booking."))
    return booking


def mark_attendance(
    session: Session, viewer: User, booking_id: int, attendance: str, zone: ZoneInfo, now=None
) -> Booking:
    """The person came, or did not: once the booking's day has come, for a confirmed place."""
    now = now or utcnow()
    if attendance not in (Attendance.ATTENDED, Attendance.NO_SHOW):
        raise Invalid(_("Choose came or did not come."), field="attendance")
    booking = load_booking(session, viewer, booking_id)
    if booking.reservation.status != ReservationStatus.CONFIRMED:
        raise Conflict(_("Only a confirmed booking can be marked."))
    if booking.slot.starts_at.astimezone(zone).date() > now.astimezone(zone).date():
        raise Conflict(_("This booking's day has not come yet."))
    booking.attendance = attendance
    session.flush()
    return booking


def parse_yuan(text: str) -> int:
    """ "80", "80.5", "80.50" yuan -> cents; anything else is Invalid next to the amount."""
    try:
        amount = Decimal((text or "").strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise Invalid(_("Write the amount in yuan, like 80 or 80.50."), field="amount")
    cents = int(amount * 100)
    if cents <= 0:
        raise Invalid(_("The amount must be more than zero."), field="amount")
    if cents > MAX_PAYMENT_CENTS:
        raise Invalid(_("That amount is too large."), field="amount")
    return cents


def mark_paid(
    session: Session, viewer: User, booking_id: int, amount: str, how: str, now=None
) -> Booking:
    """Record a payment taken at the desk (no gateway): how much, how, when. Once: the UPDATE
    lands only while nothing is recorded, so two clerks at once record it once."""
    now = now or utcnow()
    booking = load_booking(session, viewer, booking_id)
    if booking.slot.service.price_cents == 0:
        raise Conflict(_("This service is free: there is nothing to pay."))
    if booking.reservation.status != ReservationStatus.CONFIRMED:
        raise Conflict(_("Only a confirmed booking can be paid."))
    cents = parse_yuan(amount)
    if how not in PAYMENT_WAYS:
        raise Invalid(_("Choose how it was paid."), field="how")
    done = session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.paid_at.is_(None))
        .values(paid_cents=cents, paid_how=how, paid_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise Conflict(_("A payment is recorded for this booking already."))
    session.refresh(booking)
    return booking


# ---- Forms -----------------------------------------------------------------------------


class PaymentForm(Form):
    amount = StringField(_l("Amount (yuan)"))
    how = StringField(_l("Paid by"), default="cash")  # radios drawn per row; checked by mark_paid


class AttendanceForm(Form):
    attendance = StringField()


# ---- Pages -----------------------------------------------------------------------------


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["COMMUNITY_TIMEZONE"])


def parse_day(value: str | None, default: date) -> date:
    """?day=YYYY-MM-DD; anything else (junk, a year no sheet has) is the default."""
    try:
        day = date.fromisoformat(value) if value and len(value) == 10 else default
    except ValueError:
        return default
    return day if 2000 <= day.year <= 2100 else default


def today() -> date:
    return utcnow().astimezone(zone()).date()


@bp.get("/")
@roles_required(*DESK_ROLES)
def index():
    """Staff go straight to their own sheet; the office picks a provider or a place."""
    day = parse_day(request.args.get("day"), today())
    if not is_office(current_user):
        mine = own_provider_ids(db.session, current_user)
        if len(mine) == 1:
            return redirect(url_for(".provider", provider_id=mine[0], day=day.isoformat()))
        providers = list(db.session.scalars(select(Provider).where(Provider.id.in_(mine or [0]))))
        places = []
    else:
        providers = list(db.session.scalars(select(Provider).order_by(Provider.name)))
        places = list(
            db.session.scalars(
                select(Place)
                .where(Place.id.in_(select(Service.place_id).where(Service.place_id.is_not(None))))
                .order_by(Place.name)
            )
        )
    return render_page(
        "bookings/desk/index.html",
        providers=providers,
        places=places,
        day=day,
        office=is_office(current_user),
    )


@bp.get("/provider/<id:provider_id>")
@roles_required(*DESK_ROLES)
def provider(provider_id: int):
    found = db.session.get(Provider, provider_id)
    if found is None or not (is_office(current_user) or found.user_id == current_user.id):
        abort(404)
    return show_sheet(found.name, provider_id=found.id)


@bp.get("/place/<id:place_id>")
@roles_required(*DESK_ROLES)
def place(place_id: int):
    found = db.session.get(Place, place_id)
    if found is None:
        abort(404)
    return show_sheet(found.name, place_id=found.id)


def show_sheet(
    title: str,
    *,
    provider_id: int | None = None,
    place_id: int | None = None,
    day: date | None = None,
    failed: tuple[int, Form] | None = None,
    status: int = 200,
):
    day = day or parse_day(request.args.get("day"), today())
    rows = sheet_rows(
        db.session, current_user, day, day, zone(), provider_id=provider_id, place_id=place_id
    )
    endpoint, key = (".provider", provider_id) if provider_id else (".place", place_id)
    args = {"provider_id": key} if provider_id else {"place_id": key}
    return render_page(
        "bookings/desk/sheet.html",
        "bookings/desk/_sheet.html",
        status=status,
        title=title,
        day=day,
        rows=rows,
        sheet_url=lambda d: url_for(endpoint, day=d.isoformat(), **args),
        here=url_for(endpoint, day=day.isoformat(), **args),
        failed=failed,
        payment_form=PaymentForm,
        payment_ways=PAYMENT_WAYS,
        attendance_labels=ATTENDANCE_LABELS,
        reservation_labels=RESERVATION_LABELS,
        sheet_kind="provider" if provider_id else "place",
        zone=zone(),
        today=today(),
        locale=str(get_locale() or "zh_CN"),
        clock=lambda moment: format_time(moment, "short"),
        timedelta=timedelta,
    )


def _back_to_sheet(booking: Booking, failed=None, status=200):
    """The sheet the form was on (its provider's, or its place's), on the booking's day: the
    page again with the message at the booking after an error, else a redirect to it."""
    service = booking.slot.service
    day = booking.slot.starts_at.astimezone(zone()).date()
    on_place = request.form.get("sheet") == "place" and service.place_id
    if failed is not None:
        if on_place:
            place_found = db.session.get(Place, service.place_id)
            return show_sheet(
                place_found.name, place_id=place_found.id, day=day, failed=failed, status=status
            )
        name = service.provider.name if service.provider else ""
        return show_sheet(
            name, provider_id=service.provider_id, day=day, failed=failed, status=status
        )
    if on_place:
        return redirect(url_for(".place", place_id=service.place_id, day=day.isoformat()))
    if service.provider_id is None:
        return redirect(url_for(".index", day=day.isoformat()))
    return redirect(url_for(".provider", provider_id=service.provider_id, day=day.isoformat()))


@bp.post("/booking/<id:booking_id>/attendance")
@roles_required(*DESK_ROLES)
def attendance(booking_id: int):
    form = AttendanceForm()
    booking = load_booking(db.session, current_user, booking_id)
    if not form.validate_on_submit():
        form.form_errors.append(_("Choose came or did not come."))
        return _back_to_sheet(booking, failed=(booking.id, form), status=422)
    try:
        mark_attendance(db.session, current_user, booking_id, form.attendance.data, zone())
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        booking = load_booking(db.session, current_user, booking_id)
        return _back_to_sheet(booking, failed=(booking.id, form), status=error.status)
    db.session.commit()
    flash(_("Saved."), "success")
    return _back_to_sheet(booking)


@bp.post("/booking/<id:booking_id>/payment")
@roles_required(*DESK_ROLES)
def payment(booking_id: int):
    form = PaymentForm()
    booking = load_booking(db.session, current_user, booking_id)
    status = 422
    if form.validate_on_submit():
        try:
            mark_paid(db.session, current_user, booking_id, form.amount.data, form.how.data)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("Payment recorded."), "success")
            return _back_to_sheet(booking)
    booking = load_booking(db.session, current_user, booking_id)
    return _back_to_sheet(booking, failed=(booking.id, form), status=status)


@bp.get("/bookings.csv")
@roles_required(*OFFICE)
def export():
    """The bookings of a day or a date range (?from=&to=, at most 93 days), for the ledger.
    No names or phone numbers: the file leaves the system."""
    first = parse_day(request.args.get("from") or request.args.get("day"), today())
    last = parse_day(request.args.get("to"), first)
    if last < first:
        first, last = last, first
    last = min(last, first + timedelta(days=MAX_EXPORT_DAYS - 1))
    here = zone()
    rows_found = sheet_rows(db.session, current_user, first, last, here)
    providers = dict(db.session.execute(select(Provider.id, Provider.name)).all())
    places = dict(db.session.execute(select(Place.id, Place.name)).all())
    locale = str(get_locale() or "zh_CN")

    def rows() -> Iterator[list]:
        yield [
            _("Number"),
            _("Date"),
            _("Time"),
            _("Service"),
            _("Provider"),
            _("Where"),
            _("People"),
            _("Status"),
            _("Attendance"),
            _("Price (yuan)"),
            _("Paid (yuan)"),
            _("Paid by"),
            _("Paid at"),
        ]
        for booking in rows_found:
            service = booking.slot.service
            starts = booking.slot.starts_at.astimezone(here)
            yield [
                booking.id,
                starts.date().isoformat(),
                starts.strftime("%H:%M"),
                plain_cell(service.name(locale)),
                plain_cell(providers.get(service.provider_id, "")),
                _("At home") if service.at_home else plain_cell(places.get(service.place_id, "")),
                booking.reservation.party_size,
                RESERVATION_LABELS[booking.reservation.status],
                ATTENDANCE_LABELS.get(booking.attendance, booking.attendance),
                f"{service.price_cents / 100:.2f}",
                f"{booking.paid_cents / 100:.2f}" if booking.paid_cents is not None else "",
                PAYMENT_WAYS.get(booking.paid_how, "") if booking.paid_how else "",
                booking.paid_at.astimezone(here).isoformat(timespec="minutes")
                if booking.paid_at
                else "",
            ]

    return csv_download(rows(), f"bookings-{first:%Y%m%d}-{last:%Y%m%d}.csv")
