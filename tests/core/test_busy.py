"""When the database is too busy (SQLite's wait ran out, PostgreSQL gave up on a lock), the
person gets a 503 that says to try again in a few seconds, in their language, with nothing
half-saved; any other database error is still the plain 500 page."""

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from community.notices import rules as notices

EN = {"Accept-Language": "en"}


class PostgresError(Exception):
    def __init__(self, sqlstate: str):
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def failing_with(monkeypatch, original: Exception) -> None:
    def board(*_args, **_kwargs):
        raise OperationalError("SELECT ...", {}, original)

    monkeypatch.setattr(notices, "board", board)


@pytest.mark.parametrize(
    "original",
    [
        sqlite3.OperationalError("database is locked"),
        PostgresError("55P03"),  # lock not available
        PostgresError("40P01"),  # deadlock detected
        PostgresError("40001"),  # could not serialize
    ],
    ids=["sqlite-locked", "pg-lock", "pg-deadlock", "pg-serialization"],
)
def test_a_busy_database_is_a_503_to_try_again(app, demo, login_as, monkeypatch, original):
    client = login_as("resident")
    failing_with(monkeypatch, original)
    response = client.get("/notices", headers=EN)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "3"
    page = response.get_data(as_text=True)
    assert "Busy right now" in page
    assert "Please try again in a few seconds." in page


def test_the_busy_page_is_in_chinese_for_a_chinese_reader(app, demo, login_as, monkeypatch):
    client = login_as("resident")
    failing_with(monkeypatch, sqlite3.OperationalError("database is locked"))
    page = client.get("/notices", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "请过几秒再试" in page


def test_another_database_error_is_still_a_500(app, demo, login_as, monkeypatch):
    client = login_as("resident")
    failing_with(monkeypatch, sqlite3.OperationalError("disk I/O error"))
    response = client.get("/notices", headers=EN)
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
