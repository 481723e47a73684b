"""What each role can do from the home page. A tile without an endpoint is not built yet."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from community.models import Role


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    icon: str
    endpoint: str | None = None
    description: str = ""


TILES_BY_ROLE: dict[str, list[Tile]] = {
    Role.RESIDENT: [
        Tile("repair", _l("Report a repair"), "wrench", "repairs.new"),
        Tile("my-reports", _l("My reports"), "clipboard", "repairs.mine"),
        Tile("booking", _l("Book a service"), "calendar", description=_l("Cleaning, meals")),
        Tile("activities", _l("Activities"), "star", description=_l("Join your neighbours")),
        Tile("care", _l("Elderly care visit"), "heart", description=_l("A volunteer visits")),
        Tile(
            "notices",
            _l("Notices"),
            "bell",
            "notices.board",
            description=_l("News from the office"),
        ),
    ],
    Role.VOLUNTEER: [
        Tile("tasks", _l("Volunteer task board"), "hand", description=_l("Claim a visit")),
    ],
    Role.STAFF: [
        Tile("my-orders", _l("My work orders"), "clipboard", "repairs.work"),
    ],
    Role.OPERATOR: [
        Tile("queue", _l("Work orders"), "clipboard", "queue.index"),
        Tile("approvals", _l("Review sign-ups"), "check", "people.approvals"),
        Tile("people", _l("People and roles"), "people", "people.directory"),
        Tile("post-notice", _l("Post a notice"), "bell", "notices.new"),
    ],
    Role.ADMIN: [
        Tile("queue", _l("Work orders"), "clipboard", "queue.index"),
        Tile("people", _l("People and roles"), "people", "people.directory"),
        Tile("community", _l("Community settings"), "gear", "people.community_settings"),
    ],
}

ROLE_ORDER = [Role.RESIDENT, Role.VOLUNTEER, Role.STAFF, Role.OPERATOR, Role.ADMIN]


def tiles_for(roles: frozenset[str]) -> list[tuple[str, list[Tile]]]:
    """(role, its tiles) for each role held, in a fixed order, without repeating a tile."""
    seen: set[str] = set()
    sections = []
    for role in ROLE_ORDER:
        if role not in roles:
            continue
        tiles = [tile for tile in TILES_BY_ROLE[role] if tile.key not in seen]
        seen.update(tile.key for tile in tiles)
        if tiles:
            sections.append((role, tiles))
    return sections
