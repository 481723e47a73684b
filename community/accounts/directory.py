"""The office's list of people as plain rows, and what each row's forms need, made once per
page: the links, the CSRF token and the button labels.

A page of 50 people as entities, each with its home and roles, and seven url_for, CSRF
macros and translated labels per person, took about 35 ms; the rows carry what a card
prints, and a card's forms only paste its id into paths built once."""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Select, bindparam, func, or_, select

from community.accounts.models import AccountStatus, Role, User, UserRole
from community.accounts.sessions import ROLE_NAMES
from community.core.i18n import translated
from community.core.links import id_paths
from community.directory.models import Building, Unit

PAGE_SIZE = 25


@dataclass(frozen=True)
class PersonRow:
    """What a person's card shows."""

    id: int
    name: str
    login_name: str
    home: str | None
    roles: frozenset[str]

    @classmethod
    def of(cls, user: User) -> "PersonRow":
        return cls(
            user.id,
            user.name,
            user.login_name,
            user.unit.full_label if user.unit else None,
            user.roles,
        )


# A person's roles as one string ("resident staff"), read beside their row.
_roles = (
    select(func.aggregate_strings(UserRole.role, " "))
    .where(UserRole.user_id == User.id)
    .correlate(User)
    .scalar_subquery()
)


def _people(searching: bool, paging: bool) -> Select:
    statement = (
        select(User.id, User.name, User.phone, User.email, Unit.label, Building.name, _roles)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(Building, Building.id == Unit.building_id)
        .where(User.status == AccountStatus.ACTIVE)
    )
    if searching:
        pattern = bindparam("pattern")
        statement = statement.where(
            or_(User.name.ilike(pattern), User.phone.ilike(pattern), User.email.ilike(pattern))
        )
    if paging:
        statement = statement.where(User.id > bindparam("after"))
    return statement.order_by(User.id).limit(bindparam("size"))


# Built once, searching or not, first page or not: building a statement and its cache key
# cost about what running it does.
_PAGES = {
    (searching, paging): _people(searching, paging)
    for searching in (False, True)
    for paging in (False, True)
}


def people_page(session, query: str, after: int | None) -> tuple[list[PersonRow], int | None]:
    """A page of active people in id order after `after`, matching `query` by name, phone or
    email; and the id to start the next page after (None: this is the last)."""
    statement = _PAGES[bool(query), bool(after)]
    values = {"pattern": f"%{query}%", "after": after, "size": PAGE_SIZE + 1}
    rows = session.execute(statement, values).all()
    people = [
        PersonRow(
            person_id,
            name,
            phone or email or "",
            f"{building} {unit}" if unit is not None else None,
            frozenset(roles.split()) if roles else frozenset(),
        )
        for person_id, name, phone, email, unit, building, roles in rows[:PAGE_SIZE]
    ]
    return people, (people[-1].id if len(rows) > PAGE_SIZE else None)


@dataclass(frozen=True)
class RoleButton:
    role: str
    path: Callable[[int], str]
    make: str
    remove: str


@dataclass(frozen=True)
class CardParts:
    """A person card's links, labels and CSRF token, for every card of a page."""

    role_names: dict[str, str]
    roles_label: str
    reset_label: str
    buttons: list[RoleButton]
    reset_path: Callable[[int], str]
    family_path: Callable[[int], str]
    csrf: str

    @classmethod
    def for_page(cls, grantable: list[Role]) -> "CardParts":
        names = translated(ROLE_NAMES)
        return cls(
            role_names=names,
            roles_label=_("Roles"),
            reset_label=_("Make a password reset code"),
            buttons=[
                RoleButton(
                    role,
                    id_paths("people.set_role", "user_id", role=role),
                    _("Make %(role)s", role=names[role]),
                    _("Remove %(role)s", role=names[role]),
                )
                for role in grantable
            ],
            reset_path=id_paths("people.reset_code", "user_id"),
            family_path=id_paths("people.family", "user_id"),
            csrf=generate_csrf(),
        )
