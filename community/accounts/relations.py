"""Who may act for whom: family links the office records, and the one lookup of a person to
act for, which never tells whether a phone number or email is registered.

The rule: the office (operator, admin) and the service staff may act for any resident: they
take reports at the desk and on the phone as part of their job. Anyone else, volunteers
included (there is no duty roster yet to say who is on duty), only for a resident the office
has linked to them. The office records a link after checking in person, since the app has no
other way to know two people are family."""

from flask_babel import gettext as _
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from community.accounts import rules as accounts
from community.accounts.models import AccountStatus, Relation, RelationKind, Role, User
from community.core.errors import Invalid, NotFound

MAY_ACT_FOR_ANY_RESIDENT = (Role.OPERATOR, Role.ADMIN, Role.STAFF)


def _pair(one: int, other: int) -> tuple[int, int]:
    return (one, other) if one < other else (other, one)


def are_linked(session: Session, one: User, other: User) -> bool:
    person_id, relative_id = _pair(one.id, other.id)
    return (
        session.scalar(
            select(Relation.id).where(
                Relation.person_id == person_id, Relation.relative_id == relative_id
            )
        )
        is not None
    )


def may_act_for(session: Session, actor: User, person: User) -> bool:
    if person.id == actor.id:
        return True
    if not person.has_role(Role.RESIDENT):
        return False
    if actor.has_role(*MAY_ACT_FOR_ANY_RESIDENT):
        return True
    return actor.status == AccountStatus.ACTIVE and are_linked(session, actor, person)


def person_to_act_for(session: Session, actor: User, login: str, field: str) -> User:
    """The resident with this phone or email, if the actor may act for them. One answer for
    "nobody has it", "not a resident" and "not linked to you": the form must not tell a
    stranger which numbers belong to neighbours."""
    try:
        person = accounts.find_by_login(session, login)
    except Invalid:
        person = None
    if person is None or not may_act_for(session, actor, person):
        raise Invalid(
            _(
                "You can only do this for someone the community office has linked to you. "
                "Check the number, or ask the office to record your family link."
            ),
            field=field,
        )
    return person


def relatives_of(session: Session, user: User) -> list[Relation]:
    return list(
        session.scalars(
            select(Relation)
            .where(or_(Relation.person_id == user.id, Relation.relative_id == user.id))
            .order_by(Relation.id)
        )
    )


def link_family(session: Session, recorder: User, person: User, login: str) -> Relation:
    """The office records that person and the resident with this phone or email are family.
    Recording it twice is harmless."""
    try:
        relative = accounts.find_by_login(session, login)
    except Invalid:
        relative = None
    if relative is None or not relative.has_role(Role.RESIDENT):
        raise Invalid(_("No resident has this phone number or email."), field="relative")
    if relative.id == person.id:
        raise Invalid(_("Choose someone other than the person themselves."), field="relative")
    if not person.has_role(Role.RESIDENT):
        raise Invalid(_("Family links are between residents."), field="relative")
    person_id, relative_id = _pair(person.id, relative.id)
    existing = session.scalar(
        select(Relation).where(
            and_(Relation.person_id == person_id, Relation.relative_id == relative_id)
        )
    )
    if existing is not None:
        return existing
    link = Relation(
        person_id=person_id,
        relative_id=relative_id,
        kind=RelationKind.FAMILY,
        recorded_by_id=recorder.id,
    )
    session.add(link)
    try:
        session.flush()
    except IntegrityError:
        # The same link recorded from two screens at once: one row is enough.
        session.rollback()
        return session.scalar(
            select(Relation).where(
                Relation.person_id == person_id, Relation.relative_id == relative_id
            )
        )
    return link


def unlink(session: Session, person: User, relation_id: int) -> None:
    removed = session.execute(
        delete(Relation).where(
            Relation.id == relation_id,
            or_(Relation.person_id == person.id, Relation.relative_id == person.id),
        )
    )
    if removed.rowcount != 1:
        raise NotFound(_("No such family link."))
