"""Fixtures for the activities: an operator, residents who can log in, activities made and
published through the rules."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.accounts.models import Role, User
from community.accounts.passwords import hash_password
from community.activities import schedule
from community.core.db import utcnow
from community.core.extensions import db
from community.directory.models import Place

PASSWORD = "an activities password"


@pytest.fixture
def app(make_app):
    # Many people log in from one address within a second: the login throttle is not under
    # test (the limiter is shared, so it is loosened, not switched off).
    return make_app(LOGIN_LIMIT_ADDRESS="1000 per minute", LOGIN_LIMIT_ACCOUNT="100 per minute")


@pytest.fixture
def person(app, make_user):
    """A person with these roles who can log in; returns their id."""
    with app.app_context():
        password_hash = hash_password(PASSWORD)

    def make(roles=(Role.RESIDENT,), birth_year=None, locale="en", **values) -> int:
        with app.app_context():
            user = make_user(roles=list(roles), **values)
            user.password_hash = password_hash
            user.birth_year = birth_year
            user.locale = locale
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def client_for(app):
    def make(user_id: int):
        with app.app_context():
            phone = db.session.get(User, user_id).phone
        client = app.test_client()
        assert client.login(phone, PASSWORD).status_code == 302
        return client

    return make


@pytest.fixture
def operator(person):
    return person(roles=(Role.OPERATOR,))


@pytest.fixture
def make_activity(app, operator, make_place):
    """A published activity (draft with publish=False) of one or more weekly sessions."""

    def make(publish=True, starts_in=timedelta(days=3), **values):
        with app.app_context():
            place = db.session.scalar(select(Place).where(Place.name == "活动中心"))
            place = place or make_place(name="活动中心")
            values.setdefault("title_zh", "书法班")
            values.setdefault("category", "education")
            values.setdefault("capacity", 10)
            draft = schedule.ActivityDraft(
                first_start=utcnow().replace(second=0, microsecond=0) + starts_in,
                place_id=place.id,
                **values,
            )
            user = db.session.get(User, operator)
            activity = schedule.create_activity(db.session, user, draft)
            if publish:
                schedule.publish(db.session, activity.id, user)
            db.session.commit()
            return activity.id, [row.id for row in activity.sessions]

    return make
