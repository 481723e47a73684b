"""The elder's profile: whether they receive care, their emergency contacts, their family
links and what each may see (consent), who read their visit logs; and the office marking a
resident as receiving care."""

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from community.accounts import relations
from community.accounts import rules as accounts
from community.accounts.models import EmergencyContact, Role, User
from community.care.models import CareConsent, CareLogRead, CareVisit, ConsentStatus
from community.care.rules import MAX_CONTACTS, is_office
from community.core.db import utcnow
from community.core.errors import Conflict, Invalid, NotFound


def may_edit_profile(actor: User, person: User) -> bool:
    return actor.id == person.id or is_office(actor)


def _check_editor(actor: User, person: User) -> None:
    if not may_edit_profile(actor, person):
        raise NotFound(_("No such person."))


def set_care(
    session: Session, actor: User, person: User, receives_care: bool, birth_year: int | None
) -> None:
    _check_editor(actor, person)
    this_year = utcnow().year
    if birth_year is not None and not 1900 <= birth_year <= this_year:
        raise Invalid(
            _("Give a year between %(first)d and %(last)d.", first=1900, last=this_year),
            field="birth_year",
        )
    person.receives_care = receives_care
    person.birth_year = birth_year
    session.flush()


def contacts_of(session: Session, person: User) -> list[EmergencyContact]:
    return list(
        session.scalars(
            select(EmergencyContact)
            .where(EmergencyContact.person_id == person.id)
            .order_by(EmergencyContact.position, EmergencyContact.id)
        )
    )


def add_contact(
    session: Session, actor: User, person: User, name: str, phone: str, relation: str
) -> EmergencyContact:
    _check_editor(actor, person)
    name, phone, relation = name.strip(), phone.strip(), relation.strip()
    if not name or len(name) > 60:
        raise Invalid(_("Give a name of at most %(max)d characters.", max=60), field="name")
    digits = phone.replace(" ", "").replace("-", "")
    if not (3 <= len(digits) <= 20 and digits.lstrip("+").isdigit()):
        raise Invalid(_("Give a phone number (digits only)."), field="phone")
    if len(relation) > 30:
        raise Invalid(_("At most %(max)d characters.", max=30), field="relation")
    contacts = contacts_of(session, person)
    if len(contacts) >= MAX_CONTACTS:
        raise Conflict(_("At most %(max)d emergency contacts.", max=MAX_CONTACTS))
    contact = EmergencyContact(
        person_id=person.id,
        name=name,
        phone=digits,
        relation=relation,
        position=(contacts[-1].position + 1) if contacts else 0,
    )
    session.add(contact)
    session.flush()
    return contact


def _contact(session: Session, person: User, contact_id: int) -> EmergencyContact:
    contact = session.get(EmergencyContact, contact_id)
    if contact is None or contact.person_id != person.id:
        raise NotFound(_("No such contact."))
    return contact


def remove_contact(session: Session, actor: User, person: User, contact_id: int) -> None:
    _check_editor(actor, person)
    session.delete(_contact(session, person, contact_id))
    session.flush()


def move_contact(session: Session, actor: User, person: User, contact_id: int, up: bool) -> None:
    """Swap a contact with the one above (or below): the first is called first."""
    _check_editor(actor, person)
    contacts = contacts_of(session, person)
    contact = _contact(session, person, contact_id)
    at = contacts.index(contact)
    other = at - 1 if up else at + 1
    if not 0 <= other < len(contacts):
        return
    contacts[at], contacts[other] = contacts[other], contacts[at]
    for position, each in enumerate(contacts):
        each.position = position
    session.flush()


def family_of(session: Session, elder: User) -> list[tuple[object, User, CareConsent | None]]:
    """The elder's family links, each with the consent row (None: never decided, pending)."""
    links = relations.relatives_of(session, elder)
    consents = {
        row.relative_id: row
        for row in session.scalars(
            select(CareConsent)
            .where(CareConsent.elder_id == elder.id)
            .options(selectinload(CareConsent.decided_by))
        )
    }
    found = []
    for link in links:
        other = link.other_than(elder.id)
        found.append((link, other, consents.get(other.id)))
    return found


def link_relative(
    session: Session, actor: User, elder: User, login: str, grant: bool, now=None
) -> User:
    """The elder or the office links a family member by their phone or email, and records
    whether they may see the visit log. One answer for every number that cannot be linked."""
    _check_editor(actor, elder)
    relative = accounts.find_by_login(session, login) if login.strip() else None
    if relative is None or relative.id == elder.id or not relative.has_role(Role.RESIDENT):
        raise Invalid(
            _("This number cannot be linked. Check it, or ask the community office."),
            field="relative",
        )
    relations.link_family(session, actor, elder, relative.phone or relative.email)
    set_consent(
        session,
        actor,
        elder,
        relative.id,
        ConsentStatus.GRANTED if grant else ConsentStatus.PENDING,
        now,
    )
    return relative


def set_consent(
    session: Session, actor: User, elder: User, relative_id: int, status: str, now=None
) -> CareConsent:
    """The elder's choice (or the office recording it, given in person): who and when."""
    _check_editor(actor, elder)
    if status not in ConsentStatus.ALL:
        raise Invalid(_("Choose from the list."), field="status")
    relative = session.get(User, relative_id)
    if relative is None or not relations.are_linked(session, elder, relative):
        raise NotFound(_("No such family link."))
    now = now or utcnow()
    row = session.scalar(
        select(CareConsent).where(
            CareConsent.elder_id == elder.id, CareConsent.relative_id == relative_id
        )
    )
    if row is None:
        row = CareConsent(elder_id=elder.id, relative_id=relative_id, created_at=now)
        session.add(row)
    row.status = status
    row.decided_by_id = actor.id if status != ConsentStatus.PENDING else None
    row.decided_at = now if status != ConsentStatus.PENDING else None
    session.flush()
    return row


def unlink_relative(session: Session, actor: User, elder: User, relation_id: int) -> None:
    _check_editor(actor, elder)
    links = relations.relatives_of(session, elder)
    link = next((each for each in links if each.id == relation_id), None)
    if link is None:
        raise NotFound(_("No such family link."))
    other_id = link.other_than(elder.id).id
    relations.unlink(session, elder, relation_id)
    session.execute(
        update(CareConsent)
        .where(CareConsent.elder_id == elder.id, CareConsent.relative_id == other_id)
        .values(status=ConsentStatus.REVOKED, decided_by_id=actor.id, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def log_reads(session: Session, elder: User, limit: int = 20) -> list[CareLogRead]:
    """Who read the elder's visit logs, the latest first: the elder sees it on their profile."""
    return list(
        session.scalars(
            select(CareLogRead)
            .join(CareVisit, CareVisit.order_id == CareLogRead.order_id)
            .where(CareVisit.elder_id == elder.id)
            .options(selectinload(CareLogRead.reader))
            .order_by(CareLogRead.id.desc())
            .limit(limit)
        )
    )


def elders(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User).where(User.receives_care.is_(True)).order_by(User.name, User.id)
        )
    )


def mark_by_login(session: Session, actor: User, login: str) -> User:
    """The office marks a resident, found by phone or email, as receiving care."""
    person = accounts.find_by_login(session, login) if login.strip() else None
    if person is None or not person.has_role(Role.RESIDENT):
        raise Invalid(_("No resident has this phone number or email."), field="login")
    set_care(session, actor, person, True, person.birth_year)
    return person
