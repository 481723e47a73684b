"""Fixtures: one database per run, a fresh app per test, clients logged in by role."""

import re

import pytest
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import Connection, create_engine, text
from werkzeug.routing.rules import Rule

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


# Every test builds its own app, and most of create_app's time is werkzeug writing and compiling
# the same URL-building function for each of the same routes again. A builder depends only on
# the rule's parts and defaults (it takes the rule itself as its first argument), so the tests
# keep one per distinct rule for the whole run. Routing, matching and building are unchanged.
_compile_builder = Rule._compile_builder
_builders: dict[tuple, object] = {}


def _reused_builder(self: Rule, append_unknown: bool = True):
    defaults = sorted(
        (name, self._converters[name].to_url(value) if name in self._converters else repr(value))
        for name, value in (self.defaults or {}).items()
    )
    key = (self.rule, append_unknown, tuple(self._trace), tuple(defaults))
    if key not in _builders:
        _builders[key] = _compile_builder(self, append_unknown)
    return _builders[key]


Rule._compile_builder = _reused_builder


class TemplateCodeCache(BytecodeCache):
    """Each test's app would compile every template it shows afresh; Jinja's bytecode cache
    lets them share the compiled code for the whole run (Jinja checks each template's source
    against what was compiled, and compiles again if it differs)."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = TemplateCodeCache()


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


@pytest.fixture(scope="session")
def cleaning_engine(database_url):
    """One engine for emptying the database after each test (a whole app each time is slow)."""
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def empty_tables(connection: Connection) -> None:
    """Delete every row, children first, and start every id counter again at its start.
    On PostgreSQL this is DELETE rather than TRUNCATE, which makes new files for every table
    and takes several times as long; only the counters a test moved are reset. SQLite starts
    an emptied table's ids at 1 by itself."""
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    for name in tables:
        connection.execute(text(f'DELETE FROM "{name}"'))
    if on_postgres():
        connection.execute(
            text(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass,"
                " start_value, false) FROM pg_sequences WHERE last_value IS NOT NULL"
            )
        )


@pytest.fixture
def make_app(database_url, cleaning_engine, tmp_path):
    apps = []

    def make(**overrides):
        config = test_settings(database_url)
        config.update(overrides)
        app = create_app(config)
        app.test_client_class = Client
        app.jinja_env.bytecode_cache = TEMPLATE_CODE
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()
    with cleaning_engine.begin() as connection:
        empty_tables(connection)


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
