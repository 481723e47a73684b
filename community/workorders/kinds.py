"""The kinds of work order, as data. A feature declares its kind (repairs declare `repair`; care
visits and at-home services will declare theirs) and the engine reads everything kind-specific
from here: categories, how long the office has, who may be assigned or may claim from the open
board, and what notifications say and link to. Adding a kind never touches the machine."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from flask_babel.speaklater import LazyString

from community.workorders.states import EVENT_TEXTS


@dataclass(frozen=True)
class Kind:
    name: str  # stored in work_order.kind: at most 12 characters
    label: LazyString  # "Repair"
    categories: dict[str, LazyString]  # key -> label, in the order forms offer them
    sla_hours: dict[str, float]  # priority -> hours from acceptance to due
    assignable_roles: frozenset[str]  # who the office may assign
    notification_kind: str  # the notify kind its updates are sent as
    # "Repair #%(number)d: %(what)s": the title of every update, with the order's number and
    # what happened.
    update_title: LazyString
    link_endpoint: str  # the page an update links to, given order_id
    # A faster SLA for some categories (an elevator is worse than a tap): a factor on the hours.
    sla_factor: dict[str, float] = field(default_factory=dict)
    # Who may take an unassigned order from the open board; empty: nobody, the office assigns.
    claim_roles: frozenset[str] = frozenset()
    # What the timeline and the updates call an action in this kind's words, where the engine's
    # own (states.EVENT_TEXTS: "Fixed") do not fit: a care visit is "done", not fixed.
    event_texts: dict[str, LazyString] = field(default_factory=dict)

    def due_time(self, category: str, priority: str, start: datetime) -> datetime:
        return start + timedelta(hours=self.sla_hours[priority] * self.sla_factor.get(category, 1))

    @property
    def claimable(self) -> bool:
        return bool(self.claim_roles)


KINDS: dict[str, Kind] = {}
_all_categories: Mapping[str, LazyString] | None = None


def declare(kind: Kind) -> Kind:
    """Declare a kind, at import time, in the feature that owns it."""
    if len(kind.name) > 12:
        raise ValueError(f"work-order kind {kind.name!r} is longer than 12 characters")
    known = KINDS.get(kind.name)
    if known is not None and known != kind:
        raise ValueError(f"work-order kind {kind.name!r} is declared twice")
    KINDS[kind.name] = kind
    global _all_categories
    _all_categories = None
    return kind


def kind_of(order) -> Kind:
    return KINDS[order.kind]


def event_text(order, action: str):
    """What the timeline says of an action on this order, in its kind's words."""
    return kind_of(order).event_texts.get(action) or EVENT_TEXTS[action]


def all_categories() -> Mapping[str, LazyString]:
    """Every kind's categories, key -> label: the operator's queue filters across kinds. The
    same read-only mapping every time, until another kind is declared."""
    global _all_categories
    if _all_categories is None:
        found: dict[str, LazyString] = {}
        for kind in KINDS.values():
            found.update(kind.categories)
        _all_categories = MappingProxyType(found)
    return _all_categories
