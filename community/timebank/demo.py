"""The demo's time bank, loaded before care's demo (whose confirmed visits credit hours): an
afternoon in the garden, a gate duty recorded wrong and reversed, and gifts to 吴奶奶 and to the
community pool, all written through the ledger's own functions."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from community.accounts.models import User
from community.accounts.rules import find_by_login
from community.core.db import utcnow
from community.timebank import rules

VOLUNTEER = "13800000004"
ELDER = "13800000006"
OPERATOR = "13800000002"


def load_demo_timebank(session: Session) -> None:
    volunteer, elder, operator = (
        find_by_login(session, login) for login in (VOLUNTEER, ELDER, OPERATOR)
    )
    if not session.scalar(select(User.id).where(User.receives_care.is_(True)).limit(1)):
        elder.receives_care = True
        session.flush()
    now = utcnow()
    rules.record_work(
        session, operator, volunteer.id, 120, "清理小区花园落叶", at=now - timedelta(days=4)
    )
    wrong = rules.record_work(
        session, operator, volunteer.id, 300, "东门门岗值班", at=now - timedelta(days=3)
    )
    rules.reverse(
        session, operator, wrong.id, "时长记错了，应为 2 小时", at=now - timedelta(days=3, hours=-1)
    )
    rules.record_work(
        session, operator, volunteer.id, 120, "东门门岗值班", at=now - timedelta(days=3, hours=-1)
    )
    rules.donate(session, volunteer, elder.id, 120, at=now - timedelta(days=2))
    rules.donate(session, volunteer, None, 30, at=now - timedelta(days=1))
    session.flush()
