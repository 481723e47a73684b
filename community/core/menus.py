"""What features put on the home page and in the bottom navigation, declared where each feature
lives (at import time) and read by the home page and the page layout. Roles are plain strings
here: this module knows no feature and no model."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Tile:
    """A big button on the home page, in the section of one role."""

    key: str  # unique across sections: a tile two roles share shows once
    label: Any
    icon: str
    endpoint: str
    description: Any = ""
    order: int = 50  # lower comes first within the role's section


@dataclass(frozen=True)
class NavEntry:
    """An entry of the bottom navigation, for whoever holds one of the roles."""

    endpoint: str
    label: Any  # a string, or a callable of the person that returns one (a badge)
    icon: str
    roles: frozenset[str] = field(default_factory=frozenset)
    order: int = 50  # lower comes first: home is 0, "me" is 100

    def label_for(self, user) -> Any:
        return self.label(user) if callable(self.label) else self.label


TILES: dict[str, list[Tile]] = {}
NAV: list[NavEntry] = []


def add_tiles(role: str, *tiles: Tile) -> None:
    TILES.setdefault(role, []).extend(tiles)
    TILES[role].sort(key=lambda tile: tile.order)


def add_nav(entry: NavEntry) -> None:
    NAV.append(entry)
    NAV.sort(key=lambda item: item.order)


def tiles_for(roles, role_order: list[str]) -> list[tuple[str, list[Tile]]]:
    """(role, its tiles) for each role held, in role_order, without repeating a tile."""
    seen: set[str] = set()
    sections = []
    for role in role_order:
        if role not in roles:
            continue
        tiles = [tile for tile in TILES.get(role, []) if tile.key not in seen]
        seen.update(tile.key for tile in tiles)
        if tiles:
            sections.append((role, tiles))
    return sections


def nav_for(has_role: Callable[..., bool]) -> list[NavEntry]:
    """The entries for a person, given their has_role(*roles)."""
    return [entry for entry in NAV if not entry.roles or has_role(*entry.roles)]
