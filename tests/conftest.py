"""Fixtures: one database per run, a fresh app per test, clients logged in by role."""

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from community import create_app
from community.core.db import Base
from community.core.extensions import db
from community.demo import ACCOUNTS, DEMO_PASSWORD, load_demo
from tests.database import fresh_database, on_postgres

pytest_plugins = ["tests.fixtures.factories"]

CSRF_RE = re.compile(r'"X-CSRFToken": "([^"]+)"')

# The demo's accounts by the role they stand for.
DEMO_LOGINS = {
    "admin": "13800000001",
    "operator": "13800000002",
    "staff": "13800000003",
    "volunteer": "13800000004",
    "resident": "13800000005",
    "elderly": "13800000006",
    "pending": "13800000007",
}
assert {a.phone for a in ACCOUNTS} == set(DEMO_LOGINS.values())


class Client(FlaskClient):
    """A test client that carries the CSRF token the way a page's forms do."""

    def csrf_token(self) -> str:
        page = self.get("/settings").get_data(as_text=True)
        return CSRF_RE.search(page).group(1)

    def post(self, *args, csrf: bool = True, **kwargs):
        if csrf:
            data = dict(kwargs.pop("data", None) or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)

    def login(self, login: str, password: str = DEMO_PASSWORD):
        return self.post("/login", data={"login": login, "password": password})


def test_settings(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Cheap hashes: the tests log in hundreds of times.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
        # Counted afresh on every page: a test reads its own change at once.
        "QUEUE_SUMMARY_SECONDS": 0,
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
        with app.app_context():
            Base.metadata.create_all(db.engine)
            db.engine.dispose()
        yield url


def empty_tables() -> None:
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    if on_postgres():
        quoted = ", ".join(f'"{name}"' for name in tables)
        db.session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            db.session.execute(text(f'DELETE FROM "{name}"'))
    db.session.commit()


@pytest.fixture
def make_app(database_url, tmp_path):
    apps = []

    def make(**overrides):
        config = test_settings(database_url)
        config.update(overrides)
        app = create_app(config)
        app.test_client_class = Client
        apps.append(app)
        return app

    yield make
    cleaner = create_app(test_settings(database_url))
    with cleaner.app_context():
        empty_tables()
        db.engine.dispose()
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def demo(app):
    """The demo community without its repairs; returns its people by role."""
    with app.app_context():
        load_demo(db.session, with_repairs=False)
        db.session.commit()
    return DEMO_LOGINS


@pytest.fixture
def login_as(app, demo):
    """A new client logged in as one of the demo roles."""

    def login(role: str) -> Client:
        client = app.test_client()
        response = client.login(demo[role])
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return login


def user_id(app, login: str) -> int:
    from community.accounts.rules import find_by_login

    with app.app_context():
        return find_by_login(db.session, login).id
