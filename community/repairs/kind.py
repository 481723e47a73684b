"""The repair: the first kind of work order. Everything the engine needs to know of it."""

from flask_babel import lazy_gettext as _l

from community.accounts.models import Role
from community.workorders.announce import WORKORDER
from community.workorders.kinds import Kind, declare

REPAIR = declare(
    Kind(
        name="repair",
        label=_l("Repair"),
        categories={
            "plumbing": _l("Plumbing"),
            "electrical": _l("Electrical"),
            "elevator": _l("Elevator"),
            "doors_locks": _l("Doors and locks"),
            "public_area": _l("Public area"),
            "greenery": _l("Greenery"),
            "noise": _l("Noise"),
            "other": _l("Other"),
        },
        # Hours from acceptance to the due time, per priority; some categories are faster.
        sla_hours={"low": 168, "normal": 72, "high": 24, "urgent": 4},
        sla_factor={"elevator": 0.5, "electrical": 0.75},
        assignable_roles=frozenset({Role.STAFF}),
        notification_kind=WORKORDER,
        update_title=_l("Repair #%(number)d: %(what)s"),
        link_endpoint="workorders.detail",
    )
)
