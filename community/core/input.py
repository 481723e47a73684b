"""Input refused at the edge, once for every route: control characters in text, and ids the
database cannot hold (the `id` URL converter and `parse_id` for query strings and forms)."""

import re

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BaseConverter, ValidationError

from community.core.errors import DomainError

# Ids are PostgreSQL `integer` columns: anything past this is a 500 there (and past 2**63 on
# SQLite), and 0 or a negative number never names a row.
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")

# C0 controls and DEL. PostgreSQL refuses NUL in text outright; the others have no business in
# anything a person types. Tab, CR and LF are the only ones a multi-line box may carry.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_CONTROLS_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CONTROL_MESSAGE = _l(
    "What you sent contains invisible control characters. Please type it again without them."
)


def parse_id(value) -> int:
    """An id from text: 1 to MAX_ID, else ValueError (so that `args.get(name, type=parse_id)`
    gives None for junk, as it does for any other bad number)."""
    text = str(value).strip()
    if not _DIGITS.fullmatch(text) or not 0 < int(text) <= MAX_ID:
        raise ValueError(f"not an id: {text[:20]!r}")
    return int(text)


def id_or_none(value) -> int | None:
    try:
        return parse_id(value)
    except (TypeError, ValueError):
        return None


class IdConverter(BaseConverter):
    """`<id:order_id>`: a row id, 1 to MAX_ID. Anything else matches no route: a 404."""

    regex = r"[1-9][0-9]{0,9}"
    weight = 50

    def to_python(self, value: str) -> int:
        number = id_or_none(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def has_control(text: str, *, multiline: bool = False) -> bool:
    return (_CONTROLS_BUT_LINES if multiline else _CONTROLS).search(text) is not None


def _json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def refuse_control_characters() -> None:
    """A 400 for control characters anywhere in the path, the query string, a form or a JSON
    body. Single-line form fields refuse line breaks too, in community.core.forms.

    A login refused here is not counted by the login throttle: no password was checked, so it
    tells an attacker nothing and costs no hashing, and it cannot be used to get around the
    throttle either (it can never log anyone in)."""
    # Form field names, query strings and the path are never multi-line.
    texts = [request.path, *request.args.keys(), *request.args.values(), *request.form.keys()]
    suspect = any(has_control(text) for text in texts) or any(
        has_control(text, multiline=True) for text in request.form.values()
    )
    if not suspect and request.is_json:
        body = request.get_json(silent=True)
        suspect = any(has_control(text, multiline=True) for text in _json_strings(body))
    if suspect:
        raise DomainError(str(CONTROL_MESSAGE))


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    app.before_request(refuse_control_characters)
