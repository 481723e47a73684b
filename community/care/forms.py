"""What care's forms send, read into plain values: the request's three steps, the visit log,
confirming and thanking, and the profile's small forms. The pages are hand-written forms (radio
cards and steps); the CSRF token is checked for every POST by the app's CSRFProtect. Junk is
read as "nothing chosen", and the rules say what is missing next to the field."""

from datetime import date

from werkzeug.datastructures import MultiDict

from community.care.asking import VisitRequest
from community.care.lifecycle import VisitLog
from community.core.input import has_control, id_or_none


def _text(values: MultiDict, name: str, multiline: bool = False) -> str:
    value = values.get(name, "") or ""
    return "" if has_control(value, multiline=multiline) else value


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _small_int(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 4 else None


def read_request(values: MultiDict) -> VisitRequest:
    return VisitRequest(
        visit_kind=_text(values, "visit_kind"),
        day=_day(values.get("day")),
        window=_text(values, "window"),
        needs=_text(values, "needs", multiline=True),
        weekly=values.get("often") == "weekly",
    )


def read_elder(values: MultiDict) -> int | None:
    return id_or_none(values.get("elder"))


def read_step(values: MultiDict) -> int:
    step = _small_int(values.get("step"))
    return step if step in (1, 2, 3) else 1


def read_version(values: MultiDict) -> int | None:
    return id_or_none(values.get("version"))


def read_log(values: MultiDict) -> VisitLog:
    return VisitLog(
        done=_text(values, "done", multiline=True),
        mood=_small_int(values.get("mood")),
        concern=_text(values, "concern", multiline=True),
    )


def read_rating(values: MultiDict) -> int | None:
    return _small_int(values.get("rating"))


def read_thanks(values: MultiDict) -> str:
    return _text(values, "thanks", multiline=True)


def read_birth_year(values: MultiDict) -> tuple[int | None, bool]:
    """The year, and whether what was typed was readable (blank is: no year)."""
    text = (values.get("birth_year") or "").strip()
    if not text:
        return None, True
    year = _small_int(text)
    return year, year is not None


def text(values: MultiDict, name: str) -> str:
    return _text(values, name)
