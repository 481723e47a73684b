"""Raising a call for help, answering it, escalating it when nobody answers, and closing it.
Plain Python over a session: every move that two people can race for is one conditional UPDATE
judged by its rowcount, and each move appends to the alert's record.

Who is told, at once and ignoring quiet hours (an urgent, always-pushed kind): the office
(every active operator), the staff the office marked on duty, the elder's family (recorded
relations) and their emergency contacts who are registered here (matched by phone number).
Contacts who are not registered are listed on the alert page for the office to call.
If nobody answers within ESCALATE_AFTER, the alert escalates once to everyone who may help:
all active staff, operators and admins, the volunteers who live in the elder's building, and
the family and registered contacts again."""

import re
from datetime import datetime, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, or_, select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from community.accounts import relations
from community.accounts.models import (
    AccountStatus,
    EmergencyContact,
    Relation,
    Role,
    User,
    UserRole,
)
from community.core.db import utcnow
from community.core.errors import Conflict, Invalid, NotAllowed, NotFound
from community.core.links import path_for
from community.directory.models import Unit
from community.help.models import AlertStatus, HelpAlert, HelpAlertEvent, OnDuty
from community.notify import kinds as notify_kinds
from community.notify import outbox

HELP = notify_kinds.declare("help", _l("Calls for help"), always=True)
ESCALATE_AFTER = timedelta(minutes=2)
# Who may answer any call: the office and the service staff.
RESPONDER_ROLES = (Role.OPERATOR, Role.ADMIN, Role.STAFF)


def normalise_phone(phone: str) -> str:
    """Digits only, without China's country code: "+86 138-0000-0006" -> "13800000006"."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def contacts_of(session: Session, elder: User) -> list[EmergencyContact]:
    return list(
        session.scalars(
            select(EmergencyContact)
            .where(EmergencyContact.person_id == elder.id)
            .order_by(EmergencyContact.position, EmergencyContact.id)
        )
    )


def registered_contacts(session: Session, contacts: list[EmergencyContact]) -> dict[str, User]:
    """The contacts who have an active account here, by their normalised phone number."""
    phones = {normalise_phone(contact.phone) for contact in contacts} - {""}
    if not phones:
        return {}
    people = session.scalars(
        select(User).where(User.phone.in_(phones), User.status == AccountStatus.ACTIVE)
    )
    return {person.phone: person for person in people}


def _active_with_role(*roles: str) -> Select:
    return (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(roles), User.status == AccountStatus.ACTIVE)
    )


def _family(elder_id: int) -> Select:
    return (
        select(User.id)
        .join(
            Relation,
            or_(
                and_(Relation.person_id == elder_id, Relation.relative_id == User.id),
                and_(Relation.relative_id == elder_id, Relation.person_id == User.id),
            ),
        )
        .where(User.status == AccountStatus.ACTIVE)
    )


def _contact_ids(session: Session, alert: HelpAlert) -> Select:
    contacts = registered_contacts(session, contacts_of(session, alert.elder))
    return select(User.id).where(User.id.in_([person.id for person in contacts.values()] or [0]))


def first_audience(session: Session, alert: HelpAlert) -> Select:
    """The people told at once: operators, on-duty staff, family, registered contacts."""
    on_duty = (
        select(User.id)
        .join(OnDuty, OnDuty.user_id == User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.STAFF, User.status == AccountStatus.ACTIVE)
    )
    everyone = union(
        _active_with_role(Role.OPERATOR),
        on_duty,
        _family(alert.elder_id),
        _contact_ids(session, alert),
    )
    return _excluding_elder(everyone, alert)


def escalation_audience(session: Session, alert: HelpAlert) -> Select:
    """Everyone who may help: all staff, operators and admins, the volunteers who live in the
    elder's building, and the family and registered contacts again."""
    parts = [
        _active_with_role(*RESPONDER_ROLES),
        _family(alert.elder_id),
        _contact_ids(session, alert),
    ]
    if alert.elder.unit is not None:
        parts.append(
            _active_with_role(Role.VOLUNTEER)
            .join(Unit, Unit.id == User.unit_id)
            .where(Unit.building_id == alert.elder.unit.building_id)
        )
    return _excluding_elder(union(*parts), alert)


def _excluding_elder(everyone, alert: HelpAlert) -> Select:
    ids = everyone.subquery()
    return select(ids.c.id).where(ids.c.id != alert.elder_id)


def _words(alert: HelpAlert) -> dict:
    elder = alert.elder
    return {
        "name": elder.name,
        "home": elder.unit.full_label if elder.unit else _("no home recorded"),
        "phone": elder.phone or _("no phone recorded"),
    }


def _tell(session: Session, alert: HelpAlert, audience: Select, escalated: bool) -> int:
    def render():
        words = _words(alert)
        if escalated:
            title = _("Nobody has answered yet: %(name)s needs help", **words)
        else:
            title = _("%(name)s needs help now", **words)
        body = _("Home: %(home)s. Phone: %(phone)s. Open to answer.", **words)
        return title, body

    return outbox.queue_bulk(
        session,
        audience,
        HELP,
        render,
        link=path_for("help.alert", alert_id=alert.id),
        urgent=True,
        topic=f"help-{alert.id}",
    )


def _record(session: Session, alert_id: int, actor: User | None, action: str, note: str = ""):
    session.add(
        HelpAlertEvent(
            alert_id=alert_id, actor_id=actor.id if actor else None, action=action, note=note
        )
    )


def open_alert_of(session: Session, elder: User) -> HelpAlert | None:
    return session.scalar(
        select(HelpAlert).where(
            HelpAlert.elder_id == elder.id, HelpAlert.status != AlertStatus.RESOLVED
        )
    )


def raise_alert(session: Session, elder: User, actor: User) -> tuple[HelpAlert, bool]:
    """The elder (or someone acting for them) asks for help. Returns the alert and whether it
    is new: a second press while one is open joins the open one (a partial unique index keeps
    it to one even when two people press at once)."""
    if not elder.has_role(Role.RESIDENT) or not relations.may_act_for(session, actor, elder):
        raise NotAllowed(_("You can only call for help for yourself or your family."))
    alert = HelpAlert(elder_id=elder.id, raised_by_id=actor.id, status=AlertStatus.RAISED)
    try:
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError:
        existing = open_alert_of(session, elder)
        if existing is None:  # resolved between the two statements: try once more
            return raise_alert(session, elder, actor)
        _record(session, existing.id, actor, "pressed_again")
        return existing, False
    _record(session, alert.id, actor, "raised")
    _tell(session, alert, first_audience(session, alert), escalated=False)
    return alert, True


def may_handle(session: Session, user: User, alert: HelpAlert) -> bool:
    """Whether a person may see the alert's page and answer it: not the elder (their own page
    says help is coming), but the office and staff, whoever raised it, the family, registered
    contacts, and after an escalation the volunteers of the elder's building."""
    if user.id == alert.elder_id or user.status != AccountStatus.ACTIVE:
        return False
    if user.has_role(*RESPONDER_ROLES) or user.id == alert.raised_by_id:
        return True
    if relations.are_linked(session, user, alert.elder):
        return True
    contacts = registered_contacts(session, contacts_of(session, alert.elder))
    if user.phone in contacts:
        return True
    elder_unit = alert.elder.unit
    return bool(
        alert.escalated_at is not None
        and user.has_role(Role.VOLUNTEER)
        and user.unit is not None
        and elder_unit is not None
        and user.unit.building_id == elder_unit.building_id
    )


def acknowledge(session: Session, alert: HelpAlert, responder: User, now=None) -> HelpAlert:
    """ "I'm on my way": one conditional UPDATE, so of two people answering at once one is
    recorded and the other is told who already did."""
    if not may_handle(session, responder, alert):
        raise NotAllowed(_("You cannot answer this call for help."))
    now = now or utcnow()
    won = session.execute(
        update(HelpAlert)
        .where(
            HelpAlert.id == alert.id,
            HelpAlert.acknowledged_by_id.is_(None),
            HelpAlert.status.in_(AlertStatus.UNANSWERED),
        )
        .values(
            status=AlertStatus.ACKNOWLEDGED, acknowledged_by_id=responder.id, acknowledged_at=now
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(alert)
    if not won:
        if alert.acknowledged_by is not None:
            raise Conflict(
                _(
                    "%(name)s already answered this call at %(time)s and is on the way.",
                    name=alert.acknowledged_by.name,
                    time=format_datetime(alert.acknowledged_at, "short"),
                )
            )
        raise Conflict(_("This call for help is closed already."))
    _record(session, alert.id, responder, "acknowledged")
    elder_side = [alert.elder] + ([alert.raised_by] if alert.raised_by else [])
    outbox.queue(
        session,
        [person for person in elder_side if person.id != responder.id],
        HELP,
        lambda: (
            _("%(name)s is on the way", name=responder.name),
            _("Your call for help was answered."),
        ),
        link=path_for("help.alert", alert_id=alert.id),
        urgent=True,
        topic=f"help-{alert.id}",
    )
    return alert


def resolve(session: Session, alert: HelpAlert, person: User, note: str) -> HelpAlert:
    """Close the alert with what happened. The elder may close it too ("I am all right")."""
    note = (note or "").strip()
    if len(note) > 300:
        raise Invalid(_("Keep the note under 300 characters."), field="note")
    if person.id != alert.elder_id and not may_handle(session, person, alert):
        raise NotAllowed(_("You cannot close this call for help."))
    now = utcnow()
    done = session.execute(
        update(HelpAlert)
        .where(HelpAlert.id == alert.id, HelpAlert.status != AlertStatus.RESOLVED)
        .values(status=AlertStatus.RESOLVED, resolved_by_id=person.id, resolved_at=now, note=note)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(alert)
    if not done:
        raise Conflict(_("This call for help is closed already."))
    _record(session, alert.id, person, "resolved", note)
    return alert


def due_for_escalation(session: Session, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(HelpAlert.id)
            .where(
                HelpAlert.status == AlertStatus.RAISED,
                HelpAlert.escalated_at.is_(None),
                HelpAlert.raised_at <= now - ESCALATE_AFTER,
            )
            .order_by(HelpAlert.id)
        )
    )


def escalate(session: Session, alert_id: int, now: datetime) -> bool:
    """Escalate one unanswered alert, once: the UPDATE only lands while it is still raised,
    unanswered and not escalated, so a second run (or a second worker) does nothing."""
    won = session.execute(
        update(HelpAlert)
        .where(
            HelpAlert.id == alert_id,
            HelpAlert.status == AlertStatus.RAISED,
            HelpAlert.escalated_at.is_(None),
            HelpAlert.raised_at <= now - ESCALATE_AFTER,
        )
        .values(status=AlertStatus.ESCALATED, escalated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        return False
    alert = session.get(HelpAlert, alert_id, populate_existing=True)
    _record(session, alert_id, None, "escalated")
    _tell(session, alert, escalation_audience(session, alert), escalated=True)
    return True


def set_on_duty(session: Session, staff: User, on: bool, marked_by: User) -> None:
    """The office marks a member of staff on or off duty now."""
    if not staff.has_role(Role.STAFF):
        raise Invalid(_("Only service staff can be on duty."), field="user")
    if on:
        if session.get(OnDuty, staff.id) is None:
            try:
                with session.begin_nested():
                    session.add(OnDuty(user_id=staff.id, marked_by_id=marked_by.id))
            except IntegrityError:
                pass  # marked from two screens at once: one row is enough
    else:
        duty = session.get(OnDuty, staff.id)
        if duty is not None:
            session.delete(duty)


def alert_for(session: Session, user: User, alert_id: int) -> tuple[HelpAlert, bool]:
    """The alert and whether the person is its elder; anyone who may not see it gets a 404."""
    alert = session.get(HelpAlert, alert_id)
    if alert is None:
        raise NotFound(_("No such call for help."))
    if alert.elder_id == user.id:
        return alert, True
    if not may_handle(session, user, alert):
        raise NotFound(_("No such call for help."))
    return alert, False


def events_of(session: Session, alert: HelpAlert) -> list[HelpAlertEvent]:
    return list(
        session.scalars(
            select(HelpAlertEvent)
            .options(joinedload(HelpAlertEvent.actor))
            .where(HelpAlertEvent.alert_id == alert.id)
            .order_by(HelpAlertEvent.id)
        )
    )
