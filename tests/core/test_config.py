"""Settings and storage: secrets, database URLs, SQLite's pragmas, UTC times."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from community import create_app
from community.accounts.models import User
from community.core.config import normalize_database_url
from community.core.extensions import db
from tests.database import on_postgres


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_use_the_psycopg3_driver(given, used):
    assert normalize_database_url(given) == used


def test_the_secret_key_is_made_once_into_instance_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    from flask import Flask

    from community.core.config import instance_secret

    app = Flask(__name__, instance_path=str(tmp_path))
    first = instance_secret(app)
    assert len(first) == 64
    assert instance_secret(app) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("COMMUNITY_COMMUNITY_TIMEZONE", "Asia/Chongqing")
    monkeypatch.setenv("COMMUNITY_SESSION_COOKIE_SECURE", "true")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/env.db"
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Chongqing"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.app_context():
        db.engine.dispose()


@pytest.mark.skipif(on_postgres(), reason="SQLite's pragmas; this run is on PostgreSQL")
def test_sqlite_connections_have_wal_foreign_keys_and_a_busy_timeout(app):
    with app.app_context():
        pragma = lambda name: db.session.execute(text(f"PRAGMA {name}")).scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 5000


def test_foreign_keys_are_enforced(app):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        db.session.add(User(name="x", phone="1390000", password_hash="x", unit_id=424242))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_times_come_back_in_utc_whatever_zone_they_went_in_with(app):
    shanghai = timezone(timedelta(hours=8))
    with app.app_context():
        user = User(
            name="x",
            phone="1390001",
            password_hash="x",
            created_at=datetime(2026, 11, 26, 0, 30, tzinfo=shanghai),
        )
        db.session.add(user)
        db.session.commit()
        db.session.expire_all()
        stored = db.session.get(User, user.id).created_at
        assert stored == datetime(2026, 11, 25, 16, 30, tzinfo=UTC)
        assert stored.tzinfo is not None


def test_naive_times_are_refused(app):
    from sqlalchemy.exc import StatementError

    with app.app_context():
        db.session.add(
            User(name="x", phone="1390002", password_hash="x", created_at=datetime.now())
        )
        with pytest.raises(StatementError):
            db.session.commit()
        db.session.rollback()
