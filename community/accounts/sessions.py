"""Who is asking: the person behind the server-side login session, and what every page knows
of them (their language, large-text mode, the community)."""

from datetime import timedelta

from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.accounts import rules as accounts
from community.accounts.models import Role
from community.core.extensions import db, login_manager
from community.core.i18n import match_locale
from community.directory.current import community_card

LARGE_TEXT_COOKIE = "large_text"

ROLE_NAMES = {
    Role.RESIDENT: _l("resident"),
    Role.VOLUNTEER: _l("volunteer"),
    Role.STAFF: _l("service staff"),
    Role.OPERATOR: _l("operator"),
    Role.ADMIN: _l("admin"),
}


def large_text_mode() -> bool:
    if current_user.is_authenticated:
        return current_user.large_text
    return request.cookies.get(LARGE_TEXT_COOKIE) == "1"


def idle_limits(config) -> tuple[timedelta, timedelta]:
    """(a resident's, the office's) idle limits from the app's settings."""
    return (
        timedelta(seconds=config["SESSION_IDLE_SECONDS"]),
        timedelta(seconds=config["SESSION_IDLE_SECONDS_OFFICE"]),
    )


def idle_limit_of(user) -> timedelta:
    """How long this person's sessions last unused."""
    return accounts.idle_limit(user, *idle_limits(current_app.config))


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(token: str):
        idle, office_idle = idle_limits(app.config)
        user = accounts.load_login_session(db.session, token, idle=idle, office_idle=office_idle)
        if user is None or user.session_written:
            # Committed at once: this runs before the view (see below), so nothing else is
            # pending, and a page that only reads still records the visit.
            db.session.commit()
        return user

    @app.before_request
    def load_person_first():
        """Load the person before the view does anything, so that the loader's commit above
        can never carry a view's half-done changes with it."""
        if request.endpoint != "static":
            current_user._get_current_object()

    @app.context_processor
    def page_context():
        # Babel spells zh_CN as zh_Hans_CN; pages use the name we offer.
        locale = match_locale(str(get_locale())) or app.config["BABEL_DEFAULT_LOCALE"]
        return {
            "community": community_card(),
            "large_text": large_text_mode(),
            "locale": locale,
            "html_lang": locale.replace("_", "-"),
            "role_names": ROLE_NAMES,
        }
