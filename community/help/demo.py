"""The help button's part of the demo: a member of staff on duty, an elder receiving care, and
a call for help from three days ago that was answered and closed."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from community.accounts.models import User
from community.core.db import utcnow
from community.help.models import AlertStatus, HelpAlert, HelpAlertEvent, OnDuty

ELDER = "13800000006"  # 吴奶奶, large text on
STAFF = "13800000003"  # 孙师傅
OPERATOR = "13800000002"  # 钱运营


def load_demo_help(session: Session) -> None:
    people = {
        user.phone: user
        for user in session.scalars(select(User).where(User.phone.in_([ELDER, STAFF, OPERATOR])))
    }
    elder, staff, operator = people[ELDER], people[STAFF], people[OPERATOR]
    # The care feature may have marked its own elders; the demo's elder receives care anyway
    # when nobody does, so that her home shows the button in either text size.
    if session.scalar(select(User.id).where(User.receives_care.is_(True)).limit(1)) is None:
        elder.receives_care = True
    session.add(OnDuty(user_id=staff.id, marked_by_id=operator.id))
    raised = utcnow() - timedelta(days=3, hours=2)
    answered = raised + timedelta(seconds=70)
    closed = raised + timedelta(minutes=25)
    note = "扶吴奶奶起身，没有受伤，已通知女儿周小梅。"
    alert = HelpAlert(
        elder_id=elder.id,
        raised_by_id=elder.id,
        status=AlertStatus.RESOLVED,
        raised_at=raised,
        acknowledged_by_id=staff.id,
        acknowledged_at=answered,
        resolved_by_id=staff.id,
        resolved_at=closed,
        note=note,
    )
    session.add(alert)
    session.flush()
    session.add_all(
        [
            HelpAlertEvent(alert_id=alert.id, actor_id=elder.id, action="raised", at=raised),
            HelpAlertEvent(
                alert_id=alert.id, actor_id=staff.id, action="acknowledged", at=answered
            ),
            HelpAlertEvent(
                alert_id=alert.id, actor_id=staff.id, action="resolved", note=note, at=closed
            ),
        ]
    )
    session.flush()
