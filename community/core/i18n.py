"""Language and time zone: the person's choice, then the browser's, then Chinese."""

from functools import cache

from babel import Locale
from flask import current_app, has_request_context, request
from flask_babel import format_currency, format_date, format_datetime, format_time
from flask_login import current_user

LOCALE_COOKIE = "locale"


def supported_locales() -> list[str]:
    return current_app.config["LANGUAGES"]


def match_locale(value: str | None) -> str | None:
    """'zh-CN', 'zh_cn' or 'zh' -> 'zh_CN'; 'en-GB' -> 'en'; unknown -> None."""
    if not value:
        return None
    wanted = value.replace("-", "_").lower()
    for locale in supported_locales():
        if wanted == locale.lower() or wanted.split("_")[0] == locale.split("_")[0].lower():
            return locale
    return None


def switched_locale() -> str | None:
    """The language chosen on this browser with the language switch (its cookie), if any."""
    return match_locale(request.cookies.get(LOCALE_COOKIE))


def browser_locale() -> str | None:
    """The language this browser asks for: the switch, then its languages (None if it says
    nothing we offer). Saved on the account at login and sign-up, so that what the person is
    sent later (rendered in their saved language) matches the pages they read."""
    chosen = switched_locale()
    if chosen:
        return chosen
    for language, _quality in request.accept_languages:
        chosen = match_locale(language)
        if chosen:
            return chosen
    return None


@cache
def parsed_locale(name: str) -> Locale:
    """Babel's Locale for a name we offer, parsed once per process, not once per request."""
    return Locale.parse(name)


def select_locale() -> Locale:
    if not has_request_context():
        # Workers and commands speak the community's default language.
        return parsed_locale(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated and current_user.locale:
        chosen = match_locale(current_user.locale)
        if chosen:
            return parsed_locale(chosen)
    return parsed_locale(browser_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def select_timezone() -> str:
    return current_app.config["COMMUNITY_TIMEZONE"]


def init_app(app) -> None:
    app.jinja_env.filters["datetime"] = lambda value, style="medium": (
        format_datetime(value, style) if value else ""
    )
    app.jinja_env.filters["date"] = lambda value, style="medium": (
        format_date(value, style) if value else ""
    )
    # A time of day to the second, for figures a page may show a few seconds old.
    app.jinja_env.filters["clock"] = lambda value: format_time(value, "medium") if value else ""
    # An appointment: the whole date and the time to the minute ("2026年12月3日星期四 09:00").
    app.jinja_env.filters["appointment"] = lambda value: (
        f"{format_date(value, 'full')} {format_time(value, 'short')}" if value else ""
    )
    # Money is kept in fen (cents): shown as yuan in the reader's way of writing it.
    app.jinja_env.filters["yuan"] = lambda cents: format_currency(cents / 100, "CNY")
