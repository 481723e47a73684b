"""Activity pages: the list (this week first, by category), an activity and its sessions,
signing up (with companions, or for family), my activities and their tickets (QR code, short
code, calendar file), and the door: organisers and the office check people in by typed code,
camera scan or name, with present / expected refreshed by htmx."""

from zoneinfo import ZoneInfo

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from community.accounts.access import ANY_ROLE, roles_required
from community.accounts.models import Role
from community.activities import joining, listing, rules, schedule, tickets
from community.activities.calendar import signup_calendar
from community.activities.forms import ActionForm, CodeForm, SignUpForm
from community.activities.models import ActivitySession
from community.capacity import holding
from community.capacity.models import ReservationStatus
from community.core import menus
from community.core.db import utcnow
from community.core.errors import DomainError, NotFound
from community.core.extensions import db
from community.core.i18n import translated
from community.core.web import render_page, show_error
from community.directory.scenarios import SCENARIOS
from community.workorders.photos import stored_file

bp = Blueprint("activities", __name__, url_prefix="/activities")

for _role in (Role.RESIDENT, Role.VOLUNTEER):
    menus.add_tiles(
        _role,
        menus.Tile("activities", _l("Activities"), "calendar", "activities.index", order=35),
    )
menus.add_tiles(
    Role.VOLUNTEER,
    menus.Tile(
        "activities-running", _l("Activities I run"), "calendar", "activities.running", order=36
    ),
)


def locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["COMMUNITY_TIMEZONE"])


@bp.context_processor
def _words():
    # The categories in the reader's language, translated once per process, not per row.
    return {"scenarios": translated(SCENARIOS), "locale": locale(), "statuses": ReservationStatus}


def qr_svg(token: str) -> Markup:
    """The ticket's QR code as inline SVG, named for screen readers."""
    svg = segno.make(token, error="m").svg_inline(scale=5, border=4, svgclass="qr", lineclass=None)
    label = Markup.escape(_("Ticket QR code"))
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


# ---- Residents ------------------------------------------------------------------------------


@bp.get("/")
@roles_required(*ANY_ROLE)
def index():
    category = request.args.get("category", "")
    category = category if category in SCENARIOS else ""
    now = utcnow()
    # One url_for per page: the path of activity 0, split around its number.
    head, _zero, tail = url_for("activities.detail", activity_id=0).rpartition("/0")
    sessions = listing.coming(db.session, current_user, now, category or None)
    return render_page(
        "activities/index.html",
        "activities/_list.html",
        sessions=sessions,
        mine=listing.signed_up(db.session, current_user, sessions),
        detail_url=f"{head}/%d{tail}".__mod__,
        category=category,
        now=now,
        zone=zone(),
    )


@bp.get("/<id:activity_id>")
@roles_required(*ANY_ROLE)
def detail(activity_id: int):
    now = utcnow()
    reach = rules.reach_of(db.session, current_user, now)
    activity = schedule.activity_for(db.session, current_user, activity_id, reach)
    sessions = [row for row in activity.sessions if row.ends_at > now]
    mine = {}
    for signup in joining.signups_of(db.session, current_user, sessions):
        mine.setdefault(signup.session_id, []).append(signup)
    year = rules.this_year(now)
    refusals = [rules.refusal_for(activity, person, year) for person in reach.people]
    refusal = refusals[0] if all(refusals) else None
    return render_page(
        "activities/detail.html",
        activity=activity,
        sessions=sessions,
        places=schedule.places_of(db.session, sessions, now),
        mine=mine,
        refusal=refusal,
        runs=reach.office or activity.id in reach.runs,
        form=ActionForm(),
        now=now,
    )


@bp.get("/<id:activity_id>/cover")
@bp.get("/<id:activity_id>/cover/small", endpoint="cover_small", defaults={"small": True})
@roles_required(*ANY_ROLE)
def cover(activity_id: int, small: bool = False):
    activity = schedule.activity_for(db.session, current_user, activity_id)
    if not activity.cover_name:
        abort(404)
    path = stored_file(activity.cover_name, thumbnail=small)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=0)


@bp.post("/<id:activity_id>/publish")
@roles_required(*ANY_ROLE)
def publish(activity_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if schedule.publish(db.session, activity_id, current_user):
        db.session.commit()
        flash(_("Published. Its audience has been told."), "success")
    else:
        db.session.rollback()
        flash(_("It was published already."), "info")
    return redirect(url_for("activities.detail", activity_id=activity_id))


def _join_page(row: ActivitySession, form: SignUpForm, status: int = 200):
    now = utcnow()
    return render_page(
        "activities/join.html",
        status=status,
        row=row,
        activity=row.activity,
        places=schedule.places_of(db.session, [row], now)[row.id],
        form=form,
        now=now,
    )


@bp.route("/sessions/<id:session_id>/join", methods=["GET", "POST"])
@roles_required(*ANY_ROLE)
def join(session_id: int):
    reach = rules.reach_of(db.session, current_user)
    row = db.session.get(ActivitySession, session_id)
    if row is None:
        raise NotFound(_("No such activity."))
    schedule.activity_for(db.session, current_user, row.activity_id, reach)
    form = SignUpForm()
    form.person.choices = [SelectChoice(person.id, person.name) for person in reach.people]
    if request.method == "GET":
        form.person.data = current_user.id
        return _join_page(row, form)
    status = 422
    if form.validate_on_submit():
        chosen = {person.id: person for person in reach.people}.get(form.person.data)
        try:
            signup = joining.sign_up(
                db.session, row.id, chosen, current_user, int(form.companions.data or 0)
            )
            db.session.commit()
        except (DomainError, ValueError) as error:
            db.session.rollback()
            if isinstance(error, DomainError):
                show_error(form, error)
                status = error.status if error.field is None else 422
            else:
                form.companions.errors = [_("Bring at most %(max)d companions.", max=3)]
        else:
            if signup.reservation.status == ReservationStatus.WAITLISTED:
                flash(_("It is full: you are on the waiting list."), "info")
            else:
                flash(_("You are signed up. Your ticket is below."), "success")
            return redirect(url_for("activities.signup", signup_id=signup.id))
    row = db.session.get(ActivitySession, session_id)
    return _join_page(row, form, status)


@bp.get("/mine")
@roles_required(*ANY_ROLE)
def mine():
    coming, earlier = listing.my_signups(db.session, current_user, utcnow())
    head, _zero, tail = url_for("activities.signup", signup_id=0).rpartition("/0")
    return render_page(
        "activities/mine.html",
        coming=coming,
        earlier=earlier,
        positions=listing.positions(db.session, coming),
        signup_url=f"{head}/%d{tail}".__mod__,
    )


def render_signup(signup, status: int = 200, error: str | None = None):
    return render_page(
        "activities/signup.html",
        status=status,
        signup=signup,
        position=holding.positions(db.session, [signup]).get(signup.id),
        form=ActionForm(),
        error=error,
        now=utcnow(),
        qr=qr_svg,
    )


@bp.get("/signups/<id:signup_id>")
@roles_required(*ANY_ROLE)
def signup(signup_id: int):
    return render_signup(joining.signup_for(db.session, current_user, signup_id))


def act(signup_id: int, change, done: str):
    found = joining.signup_for(db.session, current_user, signup_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return render_signup(found, 400, _("This form has expired. Please reload the page."))
    try:
        change(db.session, found, current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        found = joining.signup_for(db.session, current_user, signup_id)
        return render_signup(found, error.status, error.message)
    flash(done, "success")
    return redirect(url_for("activities.signup", signup_id=signup_id))


@bp.post("/signups/<id:signup_id>/cancel")
@roles_required(*ANY_ROLE)
def cancel(signup_id: int):
    return act(signup_id, joining.cancel, _("The sign-up is cancelled."))


@bp.post("/signups/<id:signup_id>/accept")
@roles_required(*ANY_ROLE)
def accept(signup_id: int):
    return act(signup_id, joining.accept_offer, _("The place is yours."))


@bp.post("/signups/<id:signup_id>/decline")
@roles_required(*ANY_ROLE)
def decline(signup_id: int):
    return act(signup_id, joining.decline_offer, _("Thank you: the place goes to the next person."))


@bp.get("/signups/<id:signup_id>/calendar.ics")
@roles_required(*ANY_ROLE)
def calendar(signup_id: int):
    found = joining.signup_for(db.session, current_user, signup_id)
    body = signup_calendar(found, locale(), zone(), request.host, utcnow())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="activity-{found.id}.ics"'},
    )


# ---- Organisers and the door ----------------------------------------------------------------


@bp.get("/running")
@roles_required(*ANY_ROLE)
def running():
    """The sessions the person runs (the office: every one), soonest first."""
    now = utcnow()
    reach = rules.reach_of(db.session, current_user, now)
    sessions = schedule.running(db.session, reach, now)
    return render_page(
        "activities/running.html",
        sessions=sessions,
        drafts=schedule.drafts(db.session, reach),
        form=ActionForm(),
    )


def _door_page(row, form, status=200, result=None):
    present, expected = tickets.door_counts(db.session, row.id)
    return render_page(
        "activities/door.html",
        status=status,
        row=row,
        activity=row.activity,
        people=tickets.door_list(db.session, row.id),
        present=present,
        expected=expected,
        form=form,
        action=ActionForm(),
        result=result,
        now=utcnow(),
    )


@bp.get("/sessions/<id:session_id>/door")
@roles_required(*ANY_ROLE)
def door(session_id: int):
    row = tickets.door_session(db.session, current_user, session_id)
    return _door_page(row, CodeForm(formdata=None))


@bp.get("/sessions/<id:session_id>/door/count")
@roles_required(*ANY_ROLE)
def door_count(session_id: int):
    row = tickets.door_session(db.session, current_user, session_id)
    present, expected = tickets.door_counts(db.session, row.id)
    return render_page(
        "activities/_count.html",
        "activities/_count.html",
        row=row,
        present=present,
        expected=expected,
    )


def _checked(row, outcome, form):
    person = outcome.signup.reservation.person.name
    if outcome.already:
        message = _("%(name)s is already checked in.", name=person)
    else:
        message = _("%(name)s is checked in.", name=person)
    if outcome.signup.companions:
        message += " " + _("With %(count)d companions.", count=outcome.signup.companions)
    result = {"ok": True, "already": outcome.already, "message": message}
    return _door_page(row, form, 200, result)


@bp.post("/sessions/<id:session_id>/door")
@roles_required(*ANY_ROLE)
def check_in(session_id: int):
    row = tickets.door_session(db.session, current_user, session_id)
    form = CodeForm()
    if not form.validate_on_submit():
        return _door_page(row, form, 422)
    try:
        outcome = tickets.check_in(db.session, current_user, row.id, form.code.data)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        row = tickets.door_session(db.session, current_user, session_id)
        return _door_page(row, form, error.status, {"ok": False, "message": error.message})
    return _checked(row, outcome, CodeForm(formdata=None))


@bp.post("/sessions/<id:session_id>/door/<id:signup_id>")
@roles_required(*ANY_ROLE)
def check_in_by_name(session_id: int, signup_id: int):
    row = tickets.door_session(db.session, current_user, session_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _door_page(row, CodeForm(formdata=None), 400)
    try:
        outcome = tickets.check_in_by_name(db.session, current_user, row.id, signup_id)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        row = tickets.door_session(db.session, current_user, session_id)
        return _door_page(
            row, CodeForm(formdata=None), error.status, {"ok": False, "message": error.message}
        )
    return _checked(row, outcome, CodeForm(formdata=None))


__all__ = ["bp"]
