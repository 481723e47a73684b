"""What the help button's tests share: the demo's people and a way to raise an alert."""

from sqlalchemy import select

from community.accounts.models import AccountStatus, User, UserRole
from community.core.extensions import db
from community.help import rules
from community.help.models import HelpAlert, HelpAlertEvent
from community.notify.models import Notification
from tests.conftest import DEMO_LOGINS

EN = {"Accept-Language": "en"}


def person(role: str) -> User:
    return db.session.scalar(select(User).where(User.phone == DEMO_LOGINS[role]))


def raise_for(app, role: str = "elderly", by: str | None = None) -> int:
    """The demo person presses "I need help" (or someone acting for them); the alert's id."""
    with app.app_context():
        elder = person(role)
        alert, _new = rules.raise_alert(db.session, elder, person(by) if by else elder)
        db.session.commit()
        return alert.id


def notified(app, alert_id: int | None = None) -> list[int]:
    """The ids of the people with a help notification, in id order (one each, or repeats)."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.user_id)
                .where(Notification.kind == rules.HELP)
                .order_by(Notification.user_id)
            )
        )


def alert_row(app, alert_id: int) -> HelpAlert:
    with app.app_context():
        alert = db.session.get(HelpAlert, alert_id)
        db.session.expunge(alert)
        return alert


def actions(app, alert_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(HelpAlertEvent.action)
                .where(HelpAlertEvent.alert_id == alert_id)
                .order_by(HelpAlertEvent.id)
            )
        )


def add_person(phone: str, roles, unit_id: int | None = None, name: str = "") -> User:
    """Someone beside the demo's people (the factories would make buildings the demo has)."""
    user = User(
        name=name or f"帮手{phone[-3:]}",
        phone=phone,
        password_hash="never logs in",
        unit_id=unit_id,
        status=AccountStatus.ACTIVE,
    )
    user.role_rows = [UserRole(role=role) for role in roles]
    db.session.add(user)
    db.session.flush()
    return user
