"""Making work orders in a given state for tests, through the domain functions."""

from datetime import timedelta

from community.accounts.models import AccountStatus, Role, User, UserRole
from community.accounts.rules import find_by_login
from community.core.db import utcnow
from community.core.extensions import db
from community.repairs import rules as repairs
from community.workorders import machine, states
from community.workorders.models import WorkOrder

RESIDENT, ELDERLY, STAFF, OPERATOR = "13800000005", "13800000006", "13800000003", "13800000002"


def person(login: str) -> User:
    return find_by_login(db.session, login)


def second_staff() -> User:
    user = find_by_login(db.session, "13700000099")
    if user is None:
        user = User(name="周师傅", phone="13700000099", password_hash="x")
        user.status = AccountStatus.ACTIVE
        user.role_rows = [UserRole(role=Role.STAFF)]
        db.session.add(user)
        db.session.flush()
    return user


def report(login: str = RESIDENT, **values) -> WorkOrder:
    values.setdefault("category", "plumbing")
    values.setdefault("description", "厨房水管漏水")
    return repairs.report_repair(db.session, person(login), **values)


def walk(order: WorkOrder, *steps: str) -> WorkOrder:
    """Take the order through the usual steps: accept, assign, start, resolve, confirm."""
    actors = {
        "accept": OPERATOR,
        "assign": OPERATOR,
        "start": STAFF,
        "resolve": STAFF,
        "confirm": RESIDENT,
    }
    fields = {
        "accept": {"category": order.category, "priority": "normal"},
        "assign": {"assignee_id": person(STAFF).id},
        "resolve": {"note": "换了新的水管"},
    }
    for step in steps:
        machine.apply(
            db.session, order, person(actors[step]), step, order.version, **fields.get(step, {})
        )
    return order


def in_state(status: str, requester: str = RESIDENT) -> WorkOrder:
    """An order put straight into a status, with the staff member as assignee."""
    order = report(requester)
    order.status = status
    order.assignee_id = person(STAFF).id
    if status in (states.RESOLVED, states.CLOSED):
        order.resolved_at = utcnow() - timedelta(days=1)
    db.session.flush()
    return order
