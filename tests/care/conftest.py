"""Care's cast: an elder receiving care, a daughter she lets read her visit log, a son she has
not (yet), a neighbour, volunteers and the office; each can log in."""

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from community.accounts.models import Relation, RelationKind, Role
from community.accounts.passwords import hash_password
from community.care.models import CareConsent, ConsentStatus
from community.core.db import utcnow
from community.core.extensions import db
from community.workorders.models import WorkOrder

PASSWORD = "a care password"


@dataclass
class Cast:
    elder: int
    daughter: int
    son: int
    neighbour: int
    volunteer: int
    second_volunteer: int
    operator: int
    phones: dict


@pytest.fixture
def app(make_app):
    # Many volunteers log in from one address within a second: the login throttle is not
    # under test here.
    return make_app(LOGIN_LIMIT_ADDRESS="1000 per minute", LOGIN_LIMIT_ACCOUNT="100 per minute")


def link(one, other):
    first, second = sorted([one.id, other.id])
    db.session.add(Relation(person_id=first, relative_id=second, kind=RelationKind.FAMILY))


@pytest.fixture
def cast(app, make_user) -> Cast:
    with app.app_context():
        elder = make_user(roles=[Role.RESIDENT], name="吴奶奶")
        elder.receives_care, elder.birth_year = True, 1946
        daughter = make_user(roles=[Role.RESIDENT], name="周小梅")
        son = make_user(roles=[Role.RESIDENT], name="周大伟")
        neighbour = make_user(roles=[Role.RESIDENT], name="邻居")
        volunteer = make_user(roles=[Role.RESIDENT, Role.VOLUNTEER], name="李志愿")
        second = make_user(roles=[Role.VOLUNTEER], name="张志愿")
        operator = make_user(roles=[Role.OPERATOR], name="钱运营")
        link(elder, daughter)
        link(elder, son)
        db.session.add(
            CareConsent(
                elder_id=elder.id,
                relative_id=daughter.id,
                status=ConsentStatus.GRANTED,
                decided_by_id=elder.id,
                decided_at=utcnow(),
            )
        )
        password_hash = hash_password(PASSWORD)
        people = [elder, daughter, son, neighbour, volunteer, second, operator]
        for person in people:
            person.password_hash, person.locale = password_hash, "en"
        db.session.commit()
        return Cast(
            elder.id,
            daughter.id,
            son.id,
            neighbour.id,
            volunteer.id,
            second.id,
            operator.id,
            {person.id: person.phone for person in people},
        )


@pytest.fixture
def login(app, cast):
    def log_in(person_id: int):
        client = app.test_client()
        response = client.login(cast.phones[person_id], PASSWORD)
        assert response.status_code == 302
        return client

    return log_in


def tomorrow():
    """Tomorrow in the community (the app's default time zone): always open for a request."""
    return utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)


def ask_for(client, elder_id, visit_kind="meal", day=None, window="noon", needs="", often="once"):
    return client.post(
        "/care/ask",
        data={
            "elder": str(elder_id),
            "visit_kind": visit_kind,
            "day": (day or tomorrow()).isoformat(),
            "window": window,
            "needs": needs,
            "often": often,
        },
    )


def order_id_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def version_of(app, order_id) -> int:
    with app.app_context():
        return db.session.get(WorkOrder, order_id).version


def days(n):
    return timedelta(days=n)
