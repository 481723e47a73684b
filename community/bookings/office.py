"""The operator's service catalogue: the services residents book, each one's weekly plan and
closed dates, and the providers who do the work. Every page is for the office only."""

from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.access import OFFICE, add_office_tiles, roles_required
from community.accounts.models import AccountStatus, Role, User, UserRole
from community.bookings.models import Provider, Service, ServiceClosure, ServiceHours
from community.bookings.office_forms import (
    WEEKDAYS,
    ClosureForm,
    OpeningForm,
    OutsideProviderForm,
    ServiceForm,
    StaffProviderForm,
)
from community.core import menus
from community.core.db import utcnow
from community.core.extensions import db
from community.directory.models import Place
from community.directory.scenarios import SCENARIOS

bp = Blueprint("booking_office", __name__, url_prefix="/operator/services")

add_office_tiles(
    menus.Tile(
        "service-catalogue",
        _l("Services and slots"),
        "calendar",
        "booking_office.catalogue",
        description=_l("What residents can book, and when"),
        order=35,
    ),
)


@bp.context_processor
def _words():
    return {"weekdays": WEEKDAYS, "scenarios": SCENARIOS, "clock": _clock}


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["COMMUNITY_TIMEZONE"])


def _service(service_id: int) -> Service:
    service = db.session.get(Service, service_id, options=[selectinload(Service.hours)])
    if service is None:
        abort(404)
    return service


def _staff() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.STAFF, User.status == AccountStatus.ACTIVE)
            .order_by(User.name, User.id)
        )
    )


def _providers() -> list[Provider]:
    return list(
        db.session.scalars(
            select(Provider).options(joinedload(Provider.user)).order_by(Provider.name, Provider.id)
        )
    )


def _service_form(service: Service | None = None, *, posted: bool = True) -> ServiceForm:
    """The service's form: what was posted, or (posted=False) what is saved."""
    if posted:
        form = ServiceForm()
    else:
        form = ServiceForm(formdata=None, obj=service)
        if service is not None:
            form.place.data = service.place_id or 0
            form.provider.data = service.provider_id or 0
            form.staff.data = 0
            form.price_yuan.data = Decimal(service.price_cents) / 100
    places = db.session.scalars(select(Place).order_by(Place.name, Place.id))
    form.set_choices(places, _providers(), _staff())
    return form


def _provider_for_staff(person_id: int) -> Provider:
    """The provider row of a member of staff, made the first time they are chosen."""
    provider = db.session.scalar(select(Provider).where(Provider.user_id == person_id))
    if provider is None:
        person = db.session.get(User, person_id)
        provider = Provider(name=person.name, phone=person.phone or "", user_id=person.id)
        db.session.add(provider)
        db.session.flush()
    return provider


def _fill(service: Service, form: ServiceForm) -> None:
    for name in (
        "name_zh",
        "name_en",
        "scenario",
        "duration_minutes",
        "per_slot",
        "notice_hours",
        "horizon_days",
        "buffer_minutes",
        "cancel_hours",
        "active",
    ):
        setattr(service, name, getattr(form, name).data)
    service.name_zh, service.name_en = service.name_zh.strip(), service.name_en.strip()
    service.description_zh = (form.description_zh.data or "").strip()
    service.description_en = (form.description_en.data or "").strip()
    service.place_id = form.place.data or None
    service.at_home = service.place_id is None
    service.price_cents = form.price_cents
    if form.staff.data:
        service.provider_id = _provider_for_staff(form.staff.data).id
    else:
        service.provider_id = form.provider.data or None


@bp.get("/")
@roles_required(*OFFICE)
def catalogue():
    services = db.session.scalars(
        select(Service)
        .options(joinedload(Service.place), joinedload(Service.provider))
        .order_by(Service.active.desc(), Service.name_zh, Service.id)
    ).all()
    return render_template(
        "bookings/office/catalogue.html", services=services, locale=str(get_locale())
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*OFFICE)
def new():
    form = _service_form(posted=request.method == "POST")
    if form.validate_on_submit():
        service = Service()
        _fill(service, form)
        db.session.add(service)
        db.session.commit()
        flash(_("The service is saved. Now give it its opening hours."), "success")
        return redirect(url_for("booking_office.edit", service_id=service.id), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("bookings/office/new.html", form=form), status


def _edit_page(service: Service, status: int = 200, **forms):
    closures = db.session.scalars(
        select(ServiceClosure)
        .where(
            or_(ServiceClosure.service_id == service.id, ServiceClosure.service_id.is_(None)),
            ServiceClosure.day >= utcnow().astimezone(_zone()).date(),
        )
        .order_by(ServiceClosure.day, ServiceClosure.id)
    ).all()
    return render_template(
        "bookings/office/service.html",
        service=service,
        name=service.name(str(get_locale())),
        form=forms.get("form") or _service_form(service, posted=False),
        opening_form=forms.get("opening_form") or OpeningForm(formdata=None),
        closure_form=forms.get("closure_form") or ClosureForm(formdata=None),
        closures=closures,
    ), status


@bp.get("/<id:service_id>")
@roles_required(*OFFICE)
def edit(service_id: int):
    return _edit_page(_service(service_id))


@bp.post("/<id:service_id>")
@roles_required(*OFFICE)
def save(service_id: int):
    service = _service(service_id)
    form = _service_form(service)
    if not form.validate_on_submit():
        return _edit_page(service, 422, form=form)
    _fill(service, form)
    db.session.commit()
    flash(_("The service is saved."), "success")
    return redirect(url_for("booking_office.edit", service_id=service.id), 303)


@bp.post("/<id:service_id>/hours")
@roles_required(*OFFICE)
def add_opening(service_id: int):
    service = _service(service_id)
    form = OpeningForm()
    if form.validate_on_submit():
        weekday, opens, closes = form.minutes()
        overlap = next(
            (
                hours
                for hours in service.hours
                if hours.weekday == weekday and hours.opens < closes and opens < hours.closes
            ),
            None,
        )
        if overlap is None:
            service.hours.append(ServiceHours(weekday=weekday, opens=opens, closes=closes))
            db.session.commit()
            flash(_("The opening is added."), "success")
            return redirect(url_for("booking_office.edit", service_id=service.id) + "#plan", 303)
        form.opens.errors = [
            *form.opens.errors,
            _(
                "It overlaps the opening from %(opens)s to %(closes)s.",
                opens=_clock(overlap.opens),
                closes=_clock(overlap.closes),
            ),
        ]
    return _edit_page(service, 422, opening_form=form)


@bp.post("/<id:service_id>/hours/<id:hours_id>/remove")
@roles_required(*OFFICE)
def remove_opening(service_id: int, hours_id: int):
    service = _service(service_id)
    opening = next((hours for hours in service.hours if hours.id == hours_id), None)
    if opening is None:
        abort(404)
    service.hours.remove(opening)
    db.session.commit()
    flash(_("The opening is removed."), "success")
    return redirect(url_for("booking_office.edit", service_id=service.id) + "#plan", 303)


@bp.post("/<id:service_id>/closures")
@roles_required(*OFFICE)
def add_closure(service_id: int):
    service = _service(service_id)
    form = ClosureForm()
    if form.validate_on_submit():
        owner = None if form.every_service.data else service.id
        today = utcnow().astimezone(_zone()).date()
        already = db.session.scalar(
            select(ServiceClosure.id).where(
                ServiceClosure.day == form.day.data,
                ServiceClosure.service_id.is_(None)
                if owner is None
                else ServiceClosure.service_id == owner,
            )
        )
        if form.day.data < today:
            form.day.errors = [*form.day.errors, _("Choose today or a later day.")]
        elif already is not None:
            form.day.errors = [*form.day.errors, _("That day is closed already.")]
        else:
            db.session.add(
                ServiceClosure(
                    service_id=owner, day=form.day.data, reason=(form.reason.data or "").strip()
                )
            )
            db.session.commit()
            flash(_("The closed date is added."), "success")
            return redirect(
                url_for("booking_office.edit", service_id=service.id) + "#closures", 303
            )
    return _edit_page(service, 422, closure_form=form)


@bp.post("/<id:service_id>/closures/<id:closure_id>/remove")
@roles_required(*OFFICE)
def remove_closure(service_id: int, closure_id: int):
    service = _service(service_id)
    closure = db.session.get(ServiceClosure, closure_id)
    if closure is None or closure.service_id not in (None, service.id):
        abort(404)
    db.session.delete(closure)
    db.session.commit()
    flash(_("The closed date is removed."), "success")
    return redirect(url_for("booking_office.edit", service_id=service.id) + "#closures", 303)


def _providers_page(status: int = 200, outside_form=None, staff_form=None):
    providers = _providers()
    if staff_form is None:
        staff_form = StaffProviderForm(formdata=None)
    with_row = {provider.user_id for provider in providers}
    staff_form.set_choices([person for person in _staff() if person.id not in with_row])
    return render_template(
        "bookings/office/providers.html",
        providers=providers,
        outside_form=outside_form or OutsideProviderForm(formdata=None),
        staff_form=staff_form,
    ), status


@bp.get("/providers")
@roles_required(*OFFICE)
def providers():
    return _providers_page()


@bp.post("/providers/outside")
@roles_required(*OFFICE)
def add_outside_provider():
    form = OutsideProviderForm()
    if not form.validate_on_submit():
        return _providers_page(422, outside_form=form)
    db.session.add(
        Provider(
            name=form.name.data.strip(),
            phone=(form.phone.data or "").strip(),
            note=(form.note.data or "").strip(),
        )
    )
    db.session.commit()
    flash(_("%(name)s is recorded as a provider.", name=form.name.data.strip()), "success")
    return redirect(url_for("booking_office.providers"), 303)


@bp.post("/providers/staff")
@roles_required(*OFFICE)
def add_staff_provider():
    form = StaffProviderForm()
    providers_of_staff = set(db.session.scalars(select(Provider.user_id)))
    form.set_choices([person for person in _staff() if person.id not in providers_of_staff])
    if not form.validate_on_submit():
        return _providers_page(422, staff_form=form)
    provider = _provider_for_staff(form.person.data)
    db.session.commit()
    flash(_("%(name)s is recorded as a provider.", name=provider.name), "success")
    return redirect(url_for("booking_office.providers"), 303)
