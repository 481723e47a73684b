"""The kinds of notification, declared by the features that send them. A person chooses per
kind whether it is pushed to their phone; the inbox always gets every kind."""

from dataclasses import dataclass

from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class NotificationKind:
    name: str  # stored in notification.kind and push_preference.kind: at most 16 characters
    label: LazyString  # the choice on the settings page: "Updates on my repairs"
    # Always pushed: no choice on the settings page, a refusal stored earlier is ignored (a
    # call for help must reach the people who can answer it).
    always: bool = False


KINDS: dict[str, NotificationKind] = {}


def declare(name: str, label: LazyString, always: bool = False) -> str:
    """Declare a kind (at import time, where the feature lives) and return its name. Declaring
    the same name twice with another label is a mistake two features made."""
    if len(name) > 16:
        raise ValueError(f"notification kind {name!r} is longer than 16 characters")
    known = KINDS.get(name)
    if known is not None and known.label is not label:
        raise ValueError(f"notification kind {name!r} is declared twice")
    KINDS[name] = NotificationKind(name, label, always)
    return name


def choosable() -> dict[str, NotificationKind]:
    """The kinds a person may switch on and off."""
    return {name: kind for name, kind in KINDS.items() if not kind.always}


def always_on(name: str) -> bool:
    kind = KINDS.get(name)
    return kind is not None and kind.always
