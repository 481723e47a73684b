"""Who is asking: the person behind the server-side login session, and what every page knows."""

from flask import Flask, g, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from community import accounts
from community.extensions import db, login_manager
from community.i18n import match_locale
from community.models import Community, Role

LARGE_TEXT_COOKIE = "large_text"

ROLE_NAMES = {
    Role.RESIDENT: _l("resident"),
    Role.VOLUNTEER: _l("volunteer"),
    Role.STAFF: _l("service staff"),
    Role.OPERATOR: _l("operator"),
    Role.ADMIN: _l("admin"),
}


def current_community() -> Community | None:
    if "community" not in g:
        g.community = db.session.scalar(select(Community).order_by(Community.id).limit(1))
    return g.community


def large_text_mode() -> bool:
    if current_user.is_authenticated:
        return current_user.large_text
    return request.cookies.get(LARGE_TEXT_COOKIE) == "1"


def navigation() -> list[dict]:
    """The bottom navigation for the person's roles: (endpoint, label, icon)."""
    if not current_user.is_authenticated:
        return []
    items = [{"endpoint": "main.home", "label": _l("Home"), "icon": "home"}]
    if current_user.has_role(Role.RESIDENT):
        items.append({"endpoint": "repairs.mine", "label": _l("Repairs"), "icon": "wrench"})
    if current_user.has_role(Role.STAFF):
        items.append({"endpoint": "repairs.work", "label": _l("My work"), "icon": "clipboard"})
    if current_user.has_role(Role.OPERATOR, Role.ADMIN):
        # Sign-ups and people are a tap away on the home page; the queue is the daily work.
        items.append({"endpoint": "queue.index", "label": _l("Orders"), "icon": "clipboard"})
    if current_user.has_role(*Role):
        from community.inbox.nav import inbox_item

        items.append(inbox_item(current_user))
    items.append({"endpoint": "main.settings", "label": _l("Me"), "icon": "person"})
    for item in items:
        item["url"] = url_for(item["endpoint"])
        item["current"] = request.endpoint == item["endpoint"]
    return items


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(token: str):
        return accounts.load_login_session(db.session, token)

    @app.context_processor
    def page_context():
        # Babel spells zh_CN as zh_Hans_CN; pages use the name we offer.
        locale = match_locale(str(get_locale())) or app.config["BABEL_DEFAULT_LOCALE"]
        return {
            "community": current_community(),
            "large_text": large_text_mode(),
            "locale": locale,
            "html_lang": locale.replace("_", "-"),
            "nav_items": navigation(),
            "role_names": ROLE_NAMES,
        }
