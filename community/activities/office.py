"""The operator's activity pages: every activity, a new one (a session or a weekly series, a
cover photo), its organisers, and the figures (fill rate and attendance per activity and per
category). For the office only. A session's page (sign-ups, the desk's "paid", calling it off)
is in office_sessions.py, on this blueprint."""

from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from community.accounts import rules as accounts
from community.accounts.access import OFFICE, add_office_tiles, roles_required
from community.accounts.models import Role, User
from community.activities import attendance, editing, rules, schedule, tickets
from community.activities.forms import (
    ActionForm,
    ActivityDetailsForm,
    ActivityForm,
    OrganiserForm,
)
from community.activities.models import (
    AUDIENCES,
    Activity,
    ActivitySession,
    Audience,
    Organiser,
)
from community.core import menus
from community.core.db import utcnow
from community.core.errors import DomainError, Invalid
from community.core.extensions import db
from community.core.web import render_page, show_error
from community.directory.models import Building, Place
from community.directory.scenarios import SCENARIOS
from community.workorders.photos import discard_picture, store_picture

bp = Blueprint("activity_office", __name__, url_prefix="/operator/activities")

add_office_tiles(
    menus.Tile(
        "activity-office",
        _l("Activities"),
        "calendar",
        "activity_office.index",
        description=_l("Publish activities, name organisers, see who came"),
        order=36,
    ),
)

AUDIENCE_LABELS = {
    Audience.EVERYONE: _l("Everyone"),
    Audience.BUILDING: _l("The residents of one building"),
    Audience.ROLE: _l("The holders of one role"),
    Audience.SENIORS: _l("People aged 60 and over"),
}
ROLE_LABELS = {
    Role.RESIDENT: _l("Residents"),
    Role.VOLUNTEER: _l("Volunteers"),
    Role.STAFF: _l("Service staff"),
    Role.OPERATOR: _l("Operators"),
    Role.ADMIN: _l("Administrators"),
}


@bp.context_processor
def _words():
    return {
        "scenarios": SCENARIOS,
        "audience_labels": AUDIENCE_LABELS,
        "payment_ways": tickets.PAYMENT_WAYS,
        "locale": str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
    }


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["COMMUNITY_TIMEZONE"])


def _activity(activity_id: int) -> Activity:
    found = db.session.get(Activity, activity_id)
    if found is None:
        abort(404)
    return found


@bp.get("/")
@roles_required(*OFFICE)
def index():
    activities = list(
        db.session.scalars(
            select(Activity)
            .options(joinedload(Activity.place))
            .order_by(Activity.id.desc())
            .limit(200)
        )
    )
    return render_page("activities/office/index.html", activities=activities)


def _set_detail_choices(form: ActivityDetailsForm) -> None:
    form.category.choices = [SelectChoice(key, str(label)) for key, label in SCENARIOS.items()]
    places = db.session.scalars(select(Place).order_by(Place.name)).all()
    form.place.choices = [SelectChoice(0, _("Not at a place of the community"))] + [
        SelectChoice(place.id, place.name) for place in places
    ]


def _set_choices(form: ActivityForm) -> None:
    _set_detail_choices(form)
    form.audience.choices = [SelectChoice(key, str(AUDIENCE_LABELS[key])) for key in AUDIENCES]
    form.audience_role.choices = [
        SelectChoice(str(role), str(label)) for role, label in ROLE_LABELS.items()
    ]
    buildings = db.session.scalars(select(Building).order_by(Building.sort_key, Building.id))
    form.audience_building.choices = [SelectChoice(0, _("Choose a building"))] + [
        SelectChoice(building.id, building.name) for building in buildings
    ]


def _draft(form: ActivityForm, cover_name: str) -> schedule.ActivityDraft:
    zone = _zone()
    opens = form.signup_opens_on.data
    closes = form.signup_closes_on.data
    place_ids = {choice.value for choice in form.place.choices}
    building_ids = {choice.value for choice in form.audience_building.choices}
    if form.place.data not in place_ids:
        raise Invalid(_("Choose one from the list."), field="place")
    if form.audience_building.data not in building_ids:
        raise Invalid(_("Choose one from the list."), field="audience_building")
    return schedule.ActivityDraft(
        title_zh=form.title_zh.data,
        title_en=form.title_en.data or "",
        description_zh=form.description_zh.data or "",
        description_en=form.description_en.data or "",
        category=form.category.data,
        first_start=form.first_start(zone),
        duration_minutes=form.duration_minutes.data,
        weeks=form.weeks.data,
        place_id=form.place.data or None,
        address=form.address.data or "",
        capacity=form.capacity.data,
        audience=form.audience.data,
        audience_building_id=form.audience_building.data or None,
        audience_role=form.audience_role.data or "",
        signup_opens_at=rules.local_midnight(opens, zone) if opens else None,
        signup_closes_at=rules.local_midnight(closes, zone, next_day=True) if closes else None,
        waitlist=bool(form.waitlist.data),
        hold_minutes=form.hold_minutes.data,
        price_cents=int((form.price_yuan.data or Decimal(0)) * 100),
        cover_name=cover_name,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*OFFICE)
def new():
    form = ActivityForm()
    _set_choices(form)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            cover_name = ""
            try:
                stored = (
                    store_picture(request.files.get("cover"))
                    if request.files.get("cover")
                    else None
                )
                cover_name = stored[0] if stored else ""
                activity = schedule.create_activity(
                    db.session, current_user, _draft(form, cover_name)
                )
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                if cover_name:
                    discard_picture(cover_name)
                if error.field == "photos":
                    error.field = "cover"
                show_error(form, error)
                status = error.status if error.field is None else 422
            except BaseException:
                db.session.rollback()
                if cover_name:
                    discard_picture(cover_name)
                raise
            else:
                flash(_("Saved as a draft. Name its organisers, then publish it."), "success")
                return redirect(url_for(".activity", activity_id=activity.id))
    return render_page("activities/office/new.html", status=status, form=form)


@bp.route("/<id:activity_id>/edit", methods=["GET", "POST"])
@roles_required(*OFFICE)
def edit(activity_id: int):
    """Change the titles, descriptions, category, place and places per session."""
    found = _activity(activity_id)
    form = ActivityDetailsForm(obj=found if request.method == "GET" else None)
    _set_detail_choices(form)
    if request.method == "GET":
        form.place.data = found.place_id or 0
        return render_page("activities/office/edit.html", form=form, activity=found)
    status = 422
    if form.validate_on_submit():
        try:
            done = editing.change(
                db.session,
                current_user,
                found.id,
                editing.Details(
                    title_zh=form.title_zh.data,
                    title_en=form.title_en.data or "",
                    description_zh=form.description_zh.data or "",
                    description_en=form.description_en.data or "",
                    category=form.category.data,
                    place_id=form.place.data or None,
                    address=form.address.data or "",
                    capacity=form.capacity.data,
                ),
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            status = error.status if error.field is None else 422
        else:
            flash(_("Saved."), "success")
            if done.offered:
                flash(
                    ngettext(
                        "%(num)d person waiting was offered a new place.",
                        "%(num)d people waiting were offered a new place.",
                        done.offered,
                    ),
                    "info",
                )
            if done.told:
                flash(
                    ngettext(
                        "%(num)d person was told of the new place.",
                        "%(num)d people were told of the new place.",
                        done.told,
                    ),
                    "info",
                )
            return redirect(url_for(".activity", activity_id=found.id))
    return render_page(
        "activities/office/edit.html", status=status, form=form, activity=_activity(activity_id)
    )


def _volunteers():
    """(id, name) of everyone who may organise: volunteers and staff, by name."""
    return accounts.active_holders(db.session, Role.VOLUNTEER, Role.STAFF)


def _activity_page(activity: Activity, form: OrganiserForm | None = None, status: int = 200):
    if form is None:
        form = OrganiserForm(formdata=None)
    form.person.choices = [SelectChoice(0, _("Choose a volunteer"))] + [
        SelectChoice(person.id, person.name) for person in _volunteers()
    ]
    organisers = list(
        db.session.scalars(
            select(Organiser)
            .where(Organiser.activity_id == activity.id)
            .options(joinedload(Organiser.user))
        )
    )
    sessions = list(
        db.session.scalars(
            select(ActivitySession)
            .where(ActivitySession.activity_id == activity.id)
            .order_by(ActivitySession.starts_at)
        )
    )
    return render_page(
        "activities/office/activity.html",
        status=status,
        activity=activity,
        organisers=organisers,
        sessions=sessions,
        places=schedule.places_of(db.session, sessions, utcnow()),
        form=form,
        action=ActionForm(),
    )


@bp.get("/<id:activity_id>")
@roles_required(*OFFICE)
def activity(activity_id: int):
    return _activity_page(_activity(activity_id))


@bp.post("/<id:activity_id>/organisers")
@roles_required(*OFFICE)
def add_organiser(activity_id: int):
    found = _activity(activity_id)
    form = OrganiserForm()
    form.person.choices = [SelectChoice(person.id, person.name) for person in _volunteers()]
    if form.validate_on_submit():
        person = db.session.get(User, form.person.data) if form.person.data else None
        try:
            schedule.name_organiser(db.session, found, person)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("Organiser named."), "success")
            return redirect(url_for(".activity", activity_id=found.id))
    return _activity_page(_activity(activity_id), form, 422)


@bp.post("/<id:activity_id>/organisers/<id:organiser_id>/remove")
@roles_required(*OFFICE)
def remove_organiser(activity_id: int, organiser_id: int):
    found = _activity(activity_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    schedule.remove_organiser(db.session, found, organiser_id)
    db.session.commit()
    flash(_("Organiser removed."), "success")
    return redirect(url_for(".activity", activity_id=found.id))


@bp.get("/figures")
@roles_required(*OFFICE)
def figures():
    rows, by_category = attendance.figures(db.session)
    return render_page("activities/office/figures.html", rows=rows, by_category=by_category)
