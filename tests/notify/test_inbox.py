"""The inbox everyone has, the choices of what is pushed and when, and the devices: what each
person sees and can do, and the rules queue() follows when it writes the outbox."""

import re
from datetime import UTC, datetime

import pytest
from flask import Flask

from community.core.config import DEFAULTS
from community.core.extensions import db
from community.notify import devices, inbox, outbox, preferences, vapid
from community.notify.models import (
    Delivery,
    Notification,
    NotificationSettings,
    PushPreference,
    PushSubscription,
)
from tests import conftest
from tests.push_sink import (  # noqa: F401 - fixtures
    Device,
    b64url,
    inline_tasks_fixture,
    push_settings,
    recorded_wakes,
    running_sink,
)
from tests.querycount import count_queries
from tests.workorder_helpers import ELDERLY, RESIDENT, person

EN = {"Accept-Language": "en"}
# 12:00 in Shanghai, and 23:30 in Shanghai.
NOON = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
NIGHT = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)


@pytest.fixture
def app(make_app):
    return make_app(**push_settings())


def notify(app, login: str, count: int = 1, **values) -> list[int]:
    with app.app_context():
        ids = []
        for n in range(count):
            values.setdefault("link", "/repairs")
            [row] = outbox.queue(
                db.session,
                [person(login)],
                values.pop("kind", "workorder"),
                lambda n=n: (f"通知 {n}", f"正文 {n}"),
                **values,
            )
            db.session.flush()
            ids.append(row.id)
        db.session.commit()
        return ids


def token_of(client) -> str:
    return conftest.CSRF_RE.search(client.get("/settings").get_data(as_text=True)).group(1)


def post_json(client, path: str, body, token: str | None = None):
    headers = {"X-CSRFToken": token if token is not None else token_of(client)}
    return client.post(path, json=body, headers=headers, csrf=False)


# ---- The inbox ---------------------------------------------------------------------------


def test_the_navigation_shows_how_many_are_unread(app, demo, login_as):
    resident = login_as("resident")
    page = resident.get("/", headers=EN).get_data(as_text=True)
    assert 'href="/inbox"' in page
    assert "nav-badge" not in page
    notify(app, RESIDENT, 3)
    page = resident.get("/", headers=EN).get_data(as_text=True)
    assert re.search(r'<span class="nav-badge"><span aria-hidden="true">3</span>', page)
    assert "3 unread" in page


def test_a_hundred_unread_show_as_99_plus(app, demo, login_as):
    notify(app, RESIDENT, 100)
    page = login_as("resident").get("/", headers=EN).get_data(as_text=True)
    assert '<span aria-hidden="true">99+</span>' in page
    assert "more than 99 unread" in page


def test_the_badge_costs_one_query_and_only_where_the_navigation_is_shown(app, demo, login_as):
    resident = login_as("resident")
    notify(app, RESIDENT, 2)
    with app.app_context():
        engine = db.engine
    with count_queries(engine) as statements:
        resident.get("/inbox")
    assert sum("FROM notification" in s and "count(" in s for s in statements) == 1
    with count_queries(engine) as statements:
        resident.get("/inbox?before=999999", headers={"HX-Request": "true"})
    assert not any("count(" in s for s in statements)


def test_the_inbox_lists_the_newest_first_and_opening_one_marks_it_read(app, demo, login_as):
    first, second = notify(app, RESIDENT, 2, link="/repairs/1")
    resident = login_as("resident")
    page = resident.get("/inbox", headers=EN).get_data(as_text=True)
    assert page.index("通知 1") < page.index("通知 0")
    assert page.count("is-unread") == 2
    response = resident.post(f"/inbox/{first}/open")
    assert response.status_code == 303
    assert response.headers["Location"] == "/repairs/1"
    with app.app_context():
        assert db.session.get(Notification, first).read_at is not None
        assert db.session.get(Notification, second).read_at is None


def test_a_link_to_another_site_is_not_followed(app, demo, login_as):
    [row] = notify(app, RESIDENT, link="https://evil.example/")
    response = login_as("resident").post(f"/inbox/{row}/open")
    assert response.headers["Location"] == "/inbox"


def test_nobody_opens_someone_elses_notification(app, demo, login_as):
    [row] = notify(app, RESIDENT)
    assert login_as("elderly").post(f"/inbox/{row}/open").status_code == 404
    with app.app_context():
        assert db.session.get(Notification, row).read_at is None


def test_mark_all_read_reads_only_mine(app, demo, login_as):
    notify(app, RESIDENT, 2)
    notify(app, ELDERLY, 1)
    resident = login_as("resident")
    assert resident.post("/inbox/read").status_code == 303
    with app.app_context():
        assert inbox.unread_count(db.session, person(RESIDENT)) == 0
        assert inbox.unread_count(db.session, person(ELDERLY)) == 1
    assert "nav-badge" not in resident.get("/").get_data(as_text=True)


def test_older_notifications_come_as_a_partial_for_htmx_and_as_a_page_without(app, demo, login_as):
    notify(app, RESIDENT, 25)
    resident = login_as("resident")
    page = resident.get("/inbox", headers=EN).get_data(as_text=True)
    assert page.count('class="card inbox-item') == 20
    before = re.search(r'href="/inbox\?before=(\d+)"', page).group(1)
    partial = resident.get(f"/inbox?before={before}", headers={"HX-Request": "true", **EN})
    text = partial.get_data(as_text=True)
    assert "<html" not in text
    assert text.count('class="card inbox-item') == 5
    assert "Older notifications" not in text
    assert "HX-Request" in partial.headers["Vary"]
    full = resident.get(f"/inbox?before={before}", headers=EN).get_data(as_text=True)
    assert "<html" in full
    assert "Back to the newest" in full


def test_the_inbox_pages_cost_the_same_however_full(app, demo, login_as):
    resident = login_as("resident")
    notify(app, RESIDENT, 2)
    with app.app_context():
        engine = db.engine
    with count_queries(engine) as few:
        resident.get("/inbox")
    notify(app, RESIDENT, 30)
    with count_queries(engine) as many:
        resident.get("/inbox")
    assert len(many) == len(few)


def test_an_empty_inbox_says_so(app, demo, login_as):
    page = login_as("staff").get("/inbox", headers=EN).get_data(as_text=True)
    assert "Nothing here yet" in page
    assert "Mark all as read" not in page


def test_the_inbox_needs_a_login(client, demo):
    response = client.get("/inbox")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# ---- What is pushed, and when ----------------------------------------------------------------


def test_the_settings_page_explains_and_only_offers_the_button(app, demo, login_as):
    page = login_as("resident").get("/settings/notifications", headers=EN).get_data(as_text=True)
    with app.app_context():
        key = vapid.public_key(app)
    assert f'data-key="{key}"' in page
    assert "data-push-subscribe" in page
    assert "Turn on notifications" in page
    assert "your browser asks whether this app may show notifications" in page
    assert "need JavaScript" in page  # until push.js hides it
    assert '<script src="/static/js/push.js" defer></script>' in page
    assert page.count("<script") == page.count("<script src=")
    assert 'hx-boost="false"' in page


def test_the_main_settings_page_links_to_the_notification_settings(login_as):
    page = login_as("resident").get("/settings", headers=EN).get_data(as_text=True)
    assert 'href="/settings/notifications" hx-boost="false"' in page


def test_choices_and_quiet_hours_are_saved(app, demo, login_as):
    resident = login_as("resident")
    response = resident.post(
        "/settings/notifications",
        data={"push_notice": "y", "quiet": "y", "quiet_from": "1320", "quiet_until": "420"},
    )
    assert response.status_code == 303
    with app.app_context():
        saved = preferences.preferences_for(db.session, person(RESIDENT))
        assert "workorder" not in saved.pushed
        assert "notice" in saved.pushed
        assert (saved.quiet_from, saved.quiet_until) == (22 * 60, 7 * 60)
    page = resident.get("/settings/notifications").get_data(as_text=True)
    assert '<input checked id="push_notice"' in page
    assert '<input id="push_workorder"' in page
    assert '<option selected value="1320">22:00</option>' in page
    assert '<option selected value="420">07:00</option>' in page
    resident.post("/settings/notifications", data={"push_workorder": "y"})
    with app.app_context():
        saved = preferences.preferences_for(db.session, person(RESIDENT))
        assert ("workorder" in saved.pushed, saved.quiet_from) == (True, None)


def test_quiet_hours_that_end_when_they_start_are_refused(app, demo, login_as):
    response = login_as("resident").post(
        "/settings/notifications",
        data={"quiet": "y", "quiet_from": "600", "quiet_until": "600"},
        headers=EN,
    )
    assert response.status_code == 422
    assert "Quiet hours must end at another time" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("minute", "start", "end", "quiet"),
    [
        (23 * 60, 22 * 60, 7 * 60, True),
        (3 * 60, 22 * 60, 7 * 60, True),
        (7 * 60, 22 * 60, 7 * 60, False),
        (12 * 60, 22 * 60, 7 * 60, False),
        (13 * 60, 12 * 60, 14 * 60, True),
        (14 * 60, 12 * 60, 14 * 60, False),
        (3 * 60, None, None, False),
    ],
)
def test_quiet_hours_may_run_past_midnight(minute, start, end, quiet):
    assert outbox.in_quiet_hours(minute, start, end) is quiet


def settings(app, login: str, refused=(), **quiet) -> None:
    """Quiet hours, and the kinds this person does not want pushed."""
    with app.app_context():
        user_id = person(login).id
        db.session.add(NotificationSettings(user_id=user_id, **quiet))
        for kind in refused:
            db.session.add(PushPreference(user_id=user_id, kind=kind, wanted=False))
        db.session.commit()


def targets(app, login: str, kind: str, urgent: bool, now) -> list:
    with app.app_context():
        return outbox.push_targets(db.session, [person(login).id], kind, urgent, now)


@pytest.mark.parametrize(
    ("kind", "urgent", "now", "pushed"),
    [
        ("workorder", False, NOON, True),  # at noon
        ("workorder", False, NIGHT, False),  # in quiet hours
        ("workorder", True, NIGHT, True),  # urgent: quiet hours do not hold it back
        ("notice", False, NOON, False),  # notices not chosen
        ("notice", True, NIGHT, False),  # not chosen stays not chosen, urgent or not
        ("account", False, NOON, True),  # a kind nobody chooses is pushed
    ],
)
def test_push_follows_the_persons_choices_and_quiet_hours(
    app, demo, sink, kind, urgent, now, pushed
):
    device = Device(sink, "phone")
    with app.app_context():
        devices.subscribe(db.session, person(RESIDENT), device.subscription())
        db.session.commit()
    settings(app, RESIDENT, refused=["notice"], quiet_from=22 * 60, quiet_until=7 * 60)
    assert bool(targets(app, RESIDENT, kind, urgent, now)) is pushed


def test_without_settings_everything_is_pushed_at_any_hour(app, demo, sink):
    with app.app_context():
        devices.subscribe(db.session, person(RESIDENT), Device(sink, "p").subscription())
        db.session.commit()
    assert len(targets(app, RESIDENT, "notice", False, NIGHT)) == 1


def test_a_held_back_push_has_no_delivery_but_the_inbox_has_the_notification(
    app, demo, sink, wakes
):
    with app.app_context():
        devices.subscribe(db.session, person(RESIDENT), Device(sink, "p").subscription())
        db.session.commit()
    settings(app, RESIDENT, refused=["workorder"])
    notify(app, RESIDENT)
    with app.app_context():
        assert db.session.query(Notification).count() == 1
        assert db.session.query(Delivery).count() == 0
    assert wakes == []  # nothing to send, no worker woken


def test_every_device_of_a_person_gets_a_delivery(app, demo, sink, wakes):
    with app.app_context():
        for name in ["phone", "tablet"]:
            devices.subscribe(db.session, person(RESIDENT), Device(sink, name).subscription())
        db.session.commit()
    notify(app, RESIDENT)
    with app.app_context():
        assert db.session.query(Delivery).count() == 2
    assert wakes == [1]


# ---- Devices -----------------------------------------------------------------------------


def test_a_browser_subscribes_and_shows_in_the_device_list(app, demo, login_as, sink):
    resident = login_as("resident")
    device = Device(sink, "phone")
    response = post_json(resident, "/settings/notifications/devices", device.subscription())
    assert response.status_code == 201
    page = resident.get("/settings/notifications", headers=EN).get_data(as_text=True)
    assert f'data-endpoint="{device.endpoint}"' in page
    with app.app_context():
        [row] = db.session.query(PushSubscription).all()
        assert row.user_id == person(RESIDENT).id
        assert row.p256dh == device.subscription()["keys"]["p256dh"]


def test_subscribing_again_keeps_one_row_per_endpoint(app, demo, login_as, sink):
    resident = login_as("resident")
    device = Device(sink, "phone")
    token = token_of(resident)
    for _ in range(2):
        response = post_json(
            resident, "/settings/notifications/devices", device.subscription(), token
        )
        assert response.status_code == 201
    with app.app_context():
        assert db.session.query(PushSubscription).count() == 1


def test_a_browser_used_by_someone_else_moves_to_them_without_the_last_persons_pushes(
    app, demo, sink, wakes
):
    device = Device(sink, "shared-tablet")
    with app.app_context():
        devices.subscribe(db.session, person(RESIDENT), device.subscription())
        db.session.commit()
    notify(app, RESIDENT)
    with app.app_context():
        devices.subscribe(db.session, person(ELDERLY), device.subscription())
        db.session.commit()
        [row] = db.session.query(PushSubscription).all()
        assert row.user_id == person(ELDERLY).id
        assert db.session.query(Delivery).count() == 0


@pytest.mark.parametrize(
    "subscription",
    [
        {"endpoint": "https://evil.example/push/1"},
        {"endpoint": "http://10.0.0.1/push/1"},
        {"endpoint": "https://user:pw@fcm.googleapis.com/x"},
        {"endpoint": "ftp://127.0.0.1/x"},
    ],
)
def test_a_subscription_to_anything_but_a_push_service_is_refused(
    app, demo, login_as, sink, subscription
):
    body = Device(sink, "x").subscription() | subscription
    response = post_json(login_as("resident"), "/settings/notifications/devices", body)
    assert response.status_code == 422
    with app.app_context():
        assert db.session.query(PushSubscription).count() == 0


@pytest.mark.parametrize(
    "keys",
    [
        {"p256dh": b64url(b"\x04" + b"x" * 10), "auth": b64url(b"a" * 16)},
        {"p256dh": b64url(b"\x04" + b"x" * 64), "auth": b64url(b"a" * 3)},
        {"p256dh": "!!!", "auth": b64url(b"a" * 16)},
        {},
    ],
)
def test_a_subscription_with_bad_keys_is_refused(app, demo, login_as, sink, keys):
    body = Device(sink, "x").subscription() | {"keys": keys}
    response = post_json(login_as("resident"), "/settings/notifications/devices", body)
    assert response.status_code == 422
    assert post_json(login_as("resident"), "/settings/notifications/devices", None).status_code == (
        422
    )


def test_subscribing_needs_the_csrf_token(app, demo, login_as, sink):
    response = post_json(
        login_as("resident"), "/settings/notifications/devices", {"endpoint": "x"}, token=""
    )
    assert response.status_code == 400


def test_the_endpoints_allowed_are_the_known_push_services():
    known = DEFAULTS["PUSH_SERVICE_HOSTS"]
    assert devices.endpoint_allowed("https://fcm.googleapis.com/fcm/send/abc", known)
    assert devices.endpoint_allowed("https://updates.push.services.mozilla.com/wpush/v2/x", known)
    assert devices.endpoint_allowed("https://web.push.apple.com/QGx", known)
    assert not devices.endpoint_allowed("http://fcm.googleapis.com/fcm/send/abc", known)
    assert not devices.endpoint_allowed("https://fcm.googleapis.com.evil.example/", known)
    assert not devices.endpoint_allowed("https://127.0.0.1:8080/", known)


def test_a_person_removes_one_of_their_devices_but_not_someone_elses(app, demo, login_as, sink):
    with app.app_context():
        mine = devices.subscribe(
            db.session, person(RESIDENT), Device(sink, "mine").subscription()
        ).id
        theirs = devices.subscribe(
            db.session, person(ELDERLY), Device(sink, "theirs").subscription()
        ).id
        db.session.commit()
    resident = login_as("resident")
    assert resident.post(f"/settings/notifications/devices/{theirs}/remove").status_code == 404
    assert resident.post(f"/settings/notifications/devices/{mine}/remove").status_code == 303
    with app.app_context():
        assert [row.id for row in db.session.query(PushSubscription)] == [theirs]


def test_a_browser_that_turned_push_off_is_forgotten(app, demo, login_as, sink):
    device = Device(sink, "mine")
    with app.app_context():
        devices.subscribe(db.session, person(RESIDENT), device.subscription())
        devices.subscribe(db.session, person(ELDERLY), Device(sink, "o").subscription())
        db.session.commit()
    resident = login_as("resident")
    response = post_json(
        resident, "/settings/notifications/devices/forget", {"endpoint": device.endpoint}
    )
    assert response.status_code == 204
    with app.app_context():
        assert db.session.query(PushSubscription).count() == 1


def test_a_person_keeps_at_most_ten_devices(app, demo, sink):
    with app.app_context():
        for n in range(12):
            devices.subscribe(db.session, person(RESIDENT), Device(sink, f"d{n}").subscription())
        db.session.commit()
        endpoints = [row.endpoint for row in db.session.query(PushSubscription)]
    assert len(endpoints) == 10
    assert sink.endpoint("d0") not in endpoints
    assert sink.endpoint("d11") in endpoints


@pytest.mark.parametrize(
    ("agent", "name"),
    [
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131 Mobile", "Chrome"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17 Safari/604", "iPhone"),
        ("", "A browser"),
    ],
)
def test_devices_are_named_by_browser_and_system(app, agent, name):
    from community.notify.views import device_name

    with app.test_request_context(headers=EN):
        assert name in device_name(agent)


# ---- VAPID keys --------------------------------------------------------------------------


def test_vapid_keys_are_made_once_into_instance_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("VAPID_PRIVATE_KEY", raising=False)
    first = Flask(__name__, instance_path=str(tmp_path))
    key = vapid.public_key(first)
    assert (tmp_path / vapid.KEY_FILE).stat().st_mode & 0o077 == 0
    again = Flask(__name__, instance_path=str(tmp_path))
    assert vapid.public_key(again) == key
    assert len(vapid.b64url_decode(key)) == 65


def test_vapid_keys_come_from_the_environment_when_set(tmp_path, monkeypatch):
    other = Flask(__name__, instance_path=str(tmp_path / "a"))
    (tmp_path / "a").mkdir()
    monkeypatch.setenv("VAPID_PRIVATE_KEY", vapid.private_key_text(other))
    app = Flask(__name__, instance_path=str(tmp_path / "b"))
    assert vapid.public_key(app) == vapid.public_key(other)
    assert not (tmp_path / "b" / vapid.KEY_FILE).exists()


def test_flask_push_keys_prints_the_keys_for_a_deployment(app):
    result = app.test_cli_runner().invoke(args=["push", "keys"])
    assert result.exit_code == 0
    with app.app_context():
        assert f"VAPID_PRIVATE_KEY={vapid.private_key_text(app)}" in result.output
        assert vapid.public_key(app) in result.output
