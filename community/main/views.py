"""The home page for each role, the person's settings, and the health check."""

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from community.accounts.models import AccountStatus, Role, User
from community.accounts.sessions import LARGE_TEXT_COOKIE, large_text_mode
from community.core import menus
from community.core.errors import Invalid
from community.core.extensions import db, limiter
from community.core.i18n import LOCALE_COOKIE, match_locale
from community.core.web import redirect_back

bp = Blueprint("main", __name__)

ROLE_TITLES = {
    Role.RESIDENT: _l("For my home"),
    Role.VOLUNTEER: _l("Volunteering"),
    Role.STAFF: _l("My work"),
    Role.OPERATOR: _l("Running the community"),
    Role.ADMIN: _l("Administration"),
}
ROLE_ORDER = [Role.RESIDENT, Role.VOLUNTEER, Role.STAFF, Role.OPERATOR, Role.ADMIN]
COOKIE_AGE = 365 * 24 * 3600

# Who is offered "Call the community office": the people it serves. The office itself does not
# call its own number, nor do its staff; a visitor and a person waiting for approval may need it.
OFFICE_CALLERS = (Role.RESIDENT, Role.VOLUNTEER)

menus.add_nav(menus.NavEntry("main.home", _l("Home"), "home", order=0))
menus.add_nav(menus.NavEntry("main.settings", _l("Me"), "person", order=100))


@bp.app_context_processor
def navigation() -> dict:
    """The bottom navigation for the person's roles, built from what the features declared."""
    if not current_user.is_authenticated:
        return {"nav_items": []}
    return {
        "nav_items": [
            {
                "label": entry.label_for(current_user),
                "icon": entry.icon,
                "url": url_for(entry.endpoint),
                "current": request.endpoint == entry.endpoint,
            }
            for entry in menus.nav_for(current_user.has_role)
        ]
    }


@bp.app_context_processor
def office_call() -> dict:
    if not current_user.is_authenticated or current_user.status != AccountStatus.ACTIVE:
        return {"call_office": True}
    return {"call_office": current_user.has_role(*OFFICE_CALLERS)}


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    if current_user.status != AccountStatus.ACTIVE:
        return render_template("main/pending.html")
    pending_signups = None
    if current_user.has_role(Role.OPERATOR, Role.ADMIN):
        pending_signups = db.session.scalar(
            select(func.count()).where(User.status == AccountStatus.PENDING)
        )
    template = "main/home_large.html" if large_text_mode() else "main/home.html"
    return render_template(
        template,
        sections=menus.tiles_for(current_user.roles, ROLE_ORDER),
        role_titles=ROLE_TITLES,
        pending_signups=pending_signups,
    )


@bp.get("/settings")
def settings():
    return render_template("main/settings.html")


def remember(response, name: str, value: str):
    response.set_cookie(
        name,
        value,
        max_age=COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.post("/settings/language")
def set_language():
    locale = match_locale(request.form.get("locale"))
    if locale is None or locale not in current_app.config["LANGUAGES"]:
        raise Invalid(_("Choose one of the languages offered."), field="locale")
    if current_user.is_authenticated:
        current_user.locale = locale
        db.session.commit()
    return remember(redirect_back("main.settings"), LOCALE_COOKIE, locale)


@bp.post("/settings/large-text")
def set_large_text():
    on = request.form.get("large_text") == "1"
    if current_user.is_authenticated:
        current_user.large_text = on
        db.session.commit()
    return remember(redirect_back("main.settings"), LARGE_TEXT_COOKIE, "1" if on else "0")


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")
