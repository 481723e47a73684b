"""Language and time zone: the person's choice, then the browser's, then Chinese."""

from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any
from weakref import WeakKeyDictionary

from babel import Locale
from babel.dates import DateTimePattern, get_date_format, get_datetime_format, get_time_format
from flask import current_app, has_request_context, request
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_time,
    get_locale,
    get_timezone,
    get_translations,
)
from flask_login import current_user
from jinja2 import pass_context

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


# Per catalog (one per language and app): id(labels) -> (labels, their translations).
_translated: WeakKeyDictionary = WeakKeyDictionary()
_TRANSLATED_KEPT = 64


def translated(labels: Mapping[str, Any]) -> Mapping[str, str]:
    """A table of lazy labels (a module's constant) in the reader's language, read-only.

    Translated once per language per process: a catalog does not change while the app runs,
    and translating a label costs more than most of a row on a list page. Keyed by the table
    itself (kept beside its translation, so that its id cannot be reused), and by the catalog,
    so that another language, or another app with other catalogs, gets its own."""
    kept = _translated.setdefault(get_translations(), {})
    entry = kept.get(id(labels))
    if entry is None or entry[0] is not labels:
        if len(kept) >= _TRANSLATED_KEPT:  # tables made on the fly: never let them pile up
            kept.clear()
        entry = kept[id(labels)] = (
            labels,
            MappingProxyType({key: str(label) for key, label in labels.items()}),
        )
    return entry[1]


STYLES = ("short", "medium", "long", "full")


@cache
def _patterns(locale: Locale, style: str) -> tuple[str, DateTimePattern, DateTimePattern]:
    """A style's date-and-time glue, date pattern and time pattern, looked up once per process."""
    glue = get_datetime_format(style, locale=locale).replace("'", "")
    return glue, get_date_format(style, locale=locale), get_time_format(style, locale=locale)


class PageWords:
    """The reader's catalog, locale and time zone, looked up once per rendered template.

    Flask-Babel finds them again on every call (a few context lookups each): a list of forty
    rows called it hundreds of times a page. Each render gets its own (a context processor
    makes it), so a template rendered in someone else's language, inside force_locale, gets
    theirs. Formats only the four named styles; the text is Babel's, byte for byte."""

    __slots__ = ("locale", "translations", "zone")

    def __init__(self) -> None:
        self.translations = get_translations()
        self.locale = get_locale()
        self.zone = get_timezone()

    def datetime(self, value: datetime, style: str) -> str:
        return _formatted("datetime", self.locale, self.zone, style, value)

    def date(self, value: date, style: str) -> str:
        return _formatted("date", self.locale, self.zone, style, value)

    def time(self, value: datetime, style: str) -> str:
        return _formatted("time", self.locale, self.zone, style, value)


def _local(value: datetime, zone) -> datetime:
    if value.tzinfo is None:  # a time without a zone is a UTC one, as Flask-Babel takes it
        value = value.replace(tzinfo=UTC)
    return zone.normalize(value.astimezone(zone))


@lru_cache(maxsize=8192)
def _formatted(what: str, locale: Locale, zone, style: str, value: date) -> str:
    """A time as Babel writes it in this language, zone and style. Kept: a list shows the same
    times to everyone who opens it, again on every visit, and the text depends on nothing else."""
    glue, date_pattern, time_pattern = _patterns(locale, style)
    if what == "date":
        day = _local(value, zone).date() if isinstance(value, datetime) else value
        return date_pattern.apply(day, locale)
    moment = _local(value, zone)
    if what == "time":
        return time_pattern.apply(moment, locale)
    return glue.replace("{0}", time_pattern.apply(moment, locale)).replace(
        "{1}", date_pattern.apply(moment.date(), locale)
    )


def page_words(context) -> PageWords | None:
    """This render's PageWords; None in a macro imported without the page's context."""
    return context.get("_words")


@pass_context
def _gettext(context, string: str) -> str:
    words = page_words(context)
    return (words.translations if words else get_translations()).ugettext(string)


@pass_context
def _ngettext(context, singular: str, plural: str, num: int) -> str:
    words = page_words(context)
    return (words.translations if words else get_translations()).ungettext(singular, plural, num)


@pass_context
def _pgettext(context, msgctxt: str, string: str) -> str:
    words = page_words(context)
    return (words.translations if words else get_translations()).upgettext(msgctxt, string)


@pass_context
def _npgettext(context, msgctxt: str, singular: str, plural: str, num: int) -> str:
    words = page_words(context)
    translations = words.translations if words else get_translations()
    return translations.unpgettext(msgctxt, singular, plural, num)


@pass_context
def _datetime_filter(context, value, style: str = "medium") -> str:
    if not value:
        return ""
    words = page_words(context)
    return (
        words.datetime(value, style) if words and style in STYLES else format_datetime(value, style)
    )


@pass_context
def _date_filter(context, value, style: str = "medium") -> str:
    if not value:
        return ""
    words = page_words(context)
    return words.date(value, style) if words and style in STYLES else format_date(value, style)


@pass_context
def _clock_filter(context, value) -> str:
    if not value:
        return ""
    words = page_words(context)
    return words.time(value, "medium") if words else format_time(value, "medium")


@pass_context
def _appointment_filter(context, value) -> str:
    if not value:
        return ""
    words = page_words(context)
    if words:
        return f"{words.date(value, 'full')} {words.time(value, 'short')}"
    return f"{format_date(value, 'full')} {format_time(value, 'short')}"


def init_app(app) -> None:
    """Run after Flask-Babel's init_app: replaces its template gettext with one that reads
    the render's PageWords."""
    app.jinja_env.install_gettext_callables(
        gettext=_gettext,
        ngettext=_ngettext,
        pgettext=_pgettext,
        npgettext=_npgettext,
        newstyle=True,
    )
    app.context_processor(lambda: {"_words": PageWords()})
    app.jinja_env.filters["datetime"] = _datetime_filter
    app.jinja_env.filters["date"] = _date_filter
    # A time of day to the second, for figures a page may show a few seconds old.
    app.jinja_env.filters["clock"] = _clock_filter
    # An appointment: the whole date and the time to the minute ("2026年12月3日星期四 09:00").
    app.jinja_env.filters["appointment"] = _appointment_filter
    # Money is kept in fen (cents): shown as yuan in the reader's way of writing it.
    app.jinja_env.filters["yuan"] = lambda cents: format_currency(cents / 100, "CNY")
