"""Queries per page stay flat however many rows the page shows."""

import pytest

from community.accounts.models import AccountStatus, Role, User, UserRole
from community.core.extensions import db
from community.directory.models import Unit
from tests.querycount import queries_for


def add_people(app, count: int, status: str = AccountStatus.ACTIVE, start: int = 0) -> None:
    with app.app_context():
        units = [u for (u,) in db.session.query(Unit.id).limit(count)]
        for n in range(start, start + count):
            user = User(
                name=f"住户{n}",
                phone=f"1370000{n:04d}",
                password_hash="x",
                status=status,
                unit_id=units[n % len(units)],
            )
            user.role_rows = [UserRole(role=Role.RESIDENT), UserRole(role=Role.VOLUNTEER)]
            db.session.add(user)
        db.session.commit()


@pytest.mark.parametrize(
    ("path", "status"),
    [("/operator/people", AccountStatus.ACTIVE), ("/operator/signups", AccountStatus.PENDING)],
)
def test_operator_lists_do_not_grow_with_their_rows(app, demo, login_as, path, status):
    operator = login_as("operator")
    add_people(app, 3, status)
    few = queries_for(app, operator, path)
    add_people(app, 30, status, start=100)
    many = queries_for(app, operator, path)
    assert many == few


@pytest.mark.parametrize("role", ["resident", "operator", "admin"])
def test_home_page_queries_are_few(app, demo, login_as, role):
    client = login_as(role)
    assert queries_for(app, client, "/") <= 5
