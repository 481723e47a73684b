"""Issue 8, item 15: a login session ends after a spell of idleness (sooner for the office), and
a person sees where they are logged in and can log any of those devices out."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from community.accounts import rules as accounts
from community.accounts import tasks as account_tasks
from community.accounts.models import LoginSession
from community.core import tasks
from community.core.db import utcnow
from community.core.extensions import db
from tests.conftest import user_id
from tests.push_sink import inline_tasks_fixture  # noqa: F401 - fixture

EN = {"Accept-Language": "en"}
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


def sessions_of(app, login: str) -> list[LoginSession]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(LoginSession)
                .where(LoginSession.user_id == user_id(app, login))
                .order_by(LoginSession.id)
            )
        )


def idle_for(app, login: str, delta: timedelta) -> None:
    """As if every session of the person was last used `delta` ago."""
    with app.app_context():
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.user_id == user_id(app, login))
            .values(last_seen_at=utcnow() - delta)
        )
        db.session.commit()


def logged_in(client) -> bool:
    return client.get("/account").status_code == 200


@pytest.mark.parametrize(
    ("role", "idle", "still_in"),
    [
        ("resident", timedelta(days=6, hours=23), True),
        ("resident", timedelta(days=7, minutes=1), False),
        ("staff", timedelta(days=6), True),
        ("operator", timedelta(minutes=29), True),
        ("operator", timedelta(minutes=31), False),
        ("admin", timedelta(minutes=31), False),
    ],
)
def test_a_session_idles_out_sooner_for_the_office(app, demo, login_as, role, idle, still_in):
    client = login_as(role)
    idle_for(app, demo[role], idle)
    assert logged_in(client) is still_in
    # An idled-out session is gone from the database, not only refused.
    assert len(sessions_of(app, demo[role])) == (1 if still_in else 0)


def test_the_idle_limits_come_from_the_settings(make_app, demo):
    app = make_app(SESSION_IDLE_SECONDS=3600, SESSION_IDLE_SECONDS_OFFICE=120)
    resident = app.test_client()
    assert resident.login(demo["resident"]).status_code == 302
    idle_for(app, demo["resident"], timedelta(minutes=61))
    assert not logged_in(resident)


def test_using_the_app_keeps_the_session_alive(app, demo, login_as):
    operator = login_as("operator")
    for _ in range(3):
        idle_for(app, demo["operator"], timedelta(minutes=20))
        assert logged_in(operator)  # 60 minutes in all, never 30 idle


def test_last_seen_is_written_at_most_once_a_minute(app, demo, login_as):
    client = login_as("resident")
    idle_for(app, demo["resident"], timedelta(seconds=30))
    [before] = sessions_of(app, demo["resident"])
    assert logged_in(client)
    [after] = sessions_of(app, demo["resident"])
    assert after.last_seen_at == before.last_seen_at  # 30 s ago: no write
    idle_for(app, demo["resident"], timedelta(minutes=2))
    assert logged_in(client)
    [touched] = sessions_of(app, demo["resident"])
    assert utcnow() - touched.last_seen_at < timedelta(seconds=30)


def test_two_requests_at_the_same_minute_touch_once(app, demo, login_as):
    login_as("resident")
    idle_for(app, demo["resident"], timedelta(minutes=5))
    [row] = sessions_of(app, demo["resident"])
    with app.test_request_context():
        first = accounts.load_login_session(
            db.session, row.token, idle=timedelta(days=7), office_idle=timedelta(minutes=30)
        )
        assert first.session_written
        db.session.commit()
    with app.test_request_context():
        again = accounts.load_login_session(
            db.session, row.token, idle=timedelta(days=7), office_idle=timedelta(minutes=30)
        )
        assert not again.session_written


def test_a_person_sees_their_devices(app, demo, client):
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = IPHONE
    assert phone.login(demo["resident"]).status_code == 302
    client.environ_base["HTTP_USER_AGENT"] = ANDROID_CHROME
    assert client.login(demo["resident"]).status_code == 302
    page = client.get("/account", headers=EN).get_data(as_text=True)
    assert "Safari on iPhone" in page
    assert "Chrome on Android" in page
    assert "This device" in page
    assert "Last active" in page
    assert "Log out everywhere else" in page


def test_the_devices_are_listed_in_chinese_too(app, demo, login_as):
    page = login_as("resident").get("/account", headers={"Accept-Language": "zh-CN"})
    assert "登录的设备" in page.get_data(as_text=True)


def test_logging_out_a_device_really_logs_it_out(app, demo, login_as):
    phone, tablet = login_as("resident"), login_as("resident")
    tablet_session = sessions_of(app, demo["resident"])[1]
    response = phone.post(f"/account/devices/{tablet_session.id}/logout")
    assert response.status_code == 303
    assert not logged_in(tablet)
    assert logged_in(phone)
    assert [row.id for row in sessions_of(app, demo["resident"])] != [tablet_session.id]
    assert len(sessions_of(app, demo["resident"])) == 1


def test_logging_out_this_device_from_the_list_logs_out(app, demo, login_as):
    phone = login_as("resident")
    [mine] = sessions_of(app, demo["resident"])
    response = phone.post(f"/account/devices/{mine.id}/logout")
    assert response.status_code == 303
    assert not logged_in(phone)


def test_log_out_everywhere_else(app, demo, login_as):
    phone, tablet, laptop = (login_as("resident") for _ in range(3))
    assert phone.post("/account/devices/logout-others").status_code == 303
    assert logged_in(phone)
    assert not logged_in(tablet)
    assert not logged_in(laptop)


def test_nobody_logs_out_someone_elses_device(app, demo, login_as):
    elderly = login_as("elderly")
    [theirs] = sessions_of(app, demo["elderly"])
    response = login_as("resident").post(f"/account/devices/{theirs.id}/logout")
    assert response.status_code == 404
    assert logged_in(elderly)


def test_ending_a_session_needs_a_post_with_the_csrf_token(app, demo, login_as):
    phone, tablet = login_as("resident"), login_as("resident")
    tablet_session = sessions_of(app, demo["resident"])[1]
    url = f"/account/devices/{tablet_session.id}/logout"
    assert phone.get(url).status_code == 405
    assert phone.post(url, csrf=False).status_code == 400
    assert phone.post("/account/devices/logout-others", csrf=False).status_code == 400
    assert logged_in(tablet)


# ---- Ended sessions leave the list, and the table ---------------------------------------


def add_sessions(app, login: str, count: int, idle: timedelta) -> None:
    """count more sessions of the person, each last used `idle` ago."""
    with app.app_context():
        person = user_id(app, login)
        for _ in range(count):
            token = accounts.start_login_session(
                db.session, db.session.get(accounts.User, person), IPHONE
            )
            db.session.execute(
                update(LoginSession)
                .where(LoginSession.token == token)
                .values(last_seen_at=utcnow() - idle)
            )
        db.session.commit()


def devices_on_the_page(client) -> int:
    page = client.get("/account", headers=EN).get_data(as_text=True)
    return page.count("Safari on iPhone")


def test_a_session_idle_past_its_limit_is_not_listed_as_a_device(app, demo, login_as):
    client = login_as("resident")
    add_sessions(app, demo["resident"], 2, timedelta(days=6))
    add_sessions(app, demo["resident"], 3, timedelta(days=8))  # ended: a week is the limit
    assert devices_on_the_page(client) == 2


def test_the_device_list_is_bounded(app, demo, login_as):
    client = login_as("resident")
    add_sessions(app, demo["resident"], accounts.DEVICES_SHOWN + 5, timedelta(hours=1))
    assert devices_on_the_page(client) == accounts.DEVICES_SHOWN - 1  # and this one
    assert "Log out everywhere else" in client.get("/account", headers=EN).get_data(as_text=True)


def test_the_hourly_job_deletes_sessions_past_the_longest_limit(app, demo, login_as, inline_tasks):
    client = login_as("resident")
    add_sessions(app, demo["resident"], 2, timedelta(days=6))
    add_sessions(app, demo["resident"], 3, timedelta(days=8))
    assert account_tasks.purge_idle_sessions.call_local() == 3
    assert len(sessions_of(app, demo["resident"])) == 3  # the two and this one
    assert logged_in(client)
    assert account_tasks.purge_idle_sessions.call_local() == 0


def test_the_purge_runs_every_hour():
    assert account_tasks.purge_idle_sessions.task_class in tasks.huey._registry._periodic_tasks
    task = account_tasks.purge_idle_sessions.task_class()
    runs = [task.validate_datetime(datetime(2026, 11, 25, 3, minute)) for minute in range(60)]
    assert runs.count(True) == 1
