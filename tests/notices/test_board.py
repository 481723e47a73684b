"""The notice board: the office posts to the community, a building or a role; exactly that
audience gets it in the inbox, those who chose notices get it pushed (urgent ones even in
quiet hours), and each person's board shows only the notices meant for them."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.accounts.models import AccountStatus, Role, User, UserRole
from community.core.db import utcnow
from community.core.extensions import db
from community.directory.current import current_community
from community.directory.models import Building, Unit
from community.notices import rules as board
from community.notices.models import Notice
from community.notify import devices, outbox
from community.notify.models import (
    Delivery,
    Notification,
    NotificationSettings,
    PushPreference,
    PushSubscription,
)
from tests.push_sink import (  # noqa: F401 - fixtures
    Device,
    inline_tasks_fixture,
    push_settings,
    recorded_wakes,
    running_sink,
)
from tests.querycount import count_queries
from tests.workorder_helpers import ELDERLY, OPERATOR, RESIDENT, person

EN = {"Accept-Language": "en"}
ADMIN, STAFF, VOLUNTEER = "13800000001", "13800000003", "13800000004"


@pytest.fixture
def app(make_app):
    return make_app(**push_settings())


def building_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Building.id).where(Building.name == name))


def post(client, **data):
    data = {"title": "停水通知", "body": "明天上午9点到12点停水。", "audience": "community"} | data
    return client.post("/notices/new", data=data, headers=EN)


def recipients(app) -> set[str]:
    with app.app_context():
        rows = db.session.execute(
            select(User.phone).join(Notification, Notification.user_id == User.id)
        )
        return {phone for (phone,) in rows}


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ({"audience": "community"}, {ADMIN, STAFF, VOLUNTEER, RESIDENT, ELDERLY}),
        ({"audience": "building", "building": "1号楼"}, {RESIDENT}),
        ({"audience": "building", "building": "3号楼"}, {ELDERLY}),
        ({"audience": "role", "role": "volunteer"}, {VOLUNTEER}),
        ({"audience": "role", "role": "staff"}, {STAFF}),
        ({"audience": "role", "role": "resident"}, {VOLUNTEER, RESIDENT, ELDERLY}),
    ],
)
def test_a_notice_reaches_exactly_its_audience(app, demo, login_as, audience, expected):
    if "building" in audience:
        audience["building"] = building_id(app, audience["building"])
    operator = login_as("operator")
    response = post(operator, **audience)
    assert response.status_code == 303
    # Not the author, not the sign-up still waiting for approval.
    assert recipients(app) == expected
    with app.app_context():
        notice = db.session.scalars(select(Notice)).one()
        assert notice.recipient_count == len(expected)
        rows = db.session.scalars(select(Notification)).all()
        assert {row.link for row in rows} == {f"/notices/{notice.id}"}
        assert {row.kind for row in rows} == {"notice"}
    page = operator.get(response.headers["Location"], headers=EN)
    text = page.get_data(as_text=True)
    assert f"posted and sent to {len(expected)}" in text
    assert "明天上午9点到12点停水。" in text


def test_only_the_office_posts_notices(app, demo, login_as):
    for role in ["resident", "staff", "volunteer"]:
        assert login_as(role).get("/notices/new").status_code == 403
        assert post(login_as(role)).status_code == 403
    assert login_as("admin").get("/notices/new").status_code == 200
    assert recipients(app) == set()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "Give the notice a title."),
        ({"body": ""}, "Write what the notice says."),
        ({"title": "x" * 121}, "At most 120 characters."),
        ({"audience": "building", "building": "999"}, "Choose a building from the list."),
        ({"audience": "role", "role": "admin"}, "Choose a role from the list."),
        ({"audience": "everyone"}, "Not a valid choice"),
    ],
)
def test_a_notice_with_a_mistake_comes_back_with_the_message(app, demo, login_as, data, message):
    response = post(login_as("operator"), **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Notice).count() == 0
        assert db.session.query(Notification).count() == 0


def post_all_kinds(app) -> dict[str, int]:
    ids = {}
    with app.app_context():
        operator, community = person(OPERATOR), current_community()
        for key, audience in {
            "all": {"audience": "community"},
            "b1": {"audience": "building", "building_id": building_id(app, "1号楼")},
            "b3": {"audience": "building", "building_id": building_id(app, "3号楼")},
            "vol": {"audience": "role", "role": "volunteer"},
        }.items():
            ids[key] = board.post_notice(
                db.session, operator, community, title=f"notice-{key}", body="…", **audience
            ).id
        db.session.commit()
    return ids


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("resident", {"all", "b1"}),
        ("elderly", {"all", "b3"}),
        ("volunteer", {"all", "vol"}),
        ("staff", {"all"}),
        ("operator", {"all", "b1", "b3", "vol"}),
    ],
)
def test_each_person_sees_only_the_notices_meant_for_them(app, demo, login_as, role, sees):
    ids = post_all_kinds(app)
    client = login_as(role)
    page = client.get("/notices", headers=EN).get_data(as_text=True)
    shown = {key for key in ids if f"notice-{key}<" in page}
    assert shown == sees
    for key, notice_id in ids.items():
        status = client.get(f"/notices/{notice_id}").status_code
        assert status == (200 if key in sees else 404)


def test_the_board_says_who_a_notice_is_for(app, demo, login_as):
    post_all_kinds(app)
    page = login_as("operator").get("/notices", headers=EN).get_data(as_text=True)
    for text in ["For the whole community", "For 1号楼", "For 3号楼", "For All volunteers"]:
        assert text in page


def test_the_home_tiles_lead_to_the_board_and_to_posting(login_as):
    assert 'href="/notices"' in login_as("resident").get("/").get_data(as_text=True)
    assert 'href="/notices/new"' in login_as("operator").get("/").get_data(as_text=True)


def test_older_notices_come_as_a_partial_for_htmx(app, demo, login_as):
    with app.app_context():
        operator, community = person(OPERATOR), current_community()
        for n in range(23):
            board.post_notice(
                db.session, operator, community, title=f"n{n}", body="b", audience="community"
            )
        db.session.commit()
    resident = login_as("resident")
    page = resident.get("/notices", headers=EN).get_data(as_text=True)
    assert page.count('class="card notice-item') == 20
    older = resident.get("/notices?before=4", headers={"HX-Request": "true"})
    text = older.get_data(as_text=True)
    assert "<html" not in text
    assert text.count('class="card notice-item') == 3


def add_residents(app, count: int, building: str, start: int = 0) -> None:
    """count more residents in a building, each with one device."""
    with app.app_context():
        homes = db.session.scalars(
            select(Unit.id).join(Building).where(Building.name == building)
        ).all()
        people = []
        for n in range(start, start + count):
            user = User(
                name=f"住户{n}",
                phone=f"1390000{n:04d}",
                password_hash="x",
                status=AccountStatus.ACTIVE,
                unit_id=homes[n % len(homes)],
            )
            user.role_rows = [UserRole(role=Role.RESIDENT)]
            people.append(user)
        db.session.add_all(people)
        db.session.flush()
        for user in people:
            db.session.add(
                PushSubscription(
                    user_id=user.id,
                    endpoint=f"http://127.0.0.1:9/push/u{user.id}",
                    p256dh="k",
                    auth="a",
                )
            )
        db.session.commit()


def statements_to_post(app) -> int:
    with app.app_context():
        engine = db.engine
        operator, community = person(OPERATOR), current_community()
        building = building_id(app, "2号楼")
        with count_queries(engine) as statements:
            board.post_notice(
                db.session,
                operator,
                community,
                title="电梯停运",
                body="2号楼电梯检修",
                audience="building",
                building_id=building,
            )
            db.session.commit()
        return len(statements)


def test_posting_costs_the_same_statements_for_ten_people_or_two_hundred(app, demo, wakes):
    add_residents(app, 10, "2号楼")
    few = statements_to_post(app)
    add_residents(app, 190, "2号楼", start=100)
    many = statements_to_post(app)
    assert many == few
    with app.app_context():
        last = db.session.scalars(select(Notice).order_by(Notice.id.desc())).first()
        assert last.recipient_count == 201  # 200 added, and the volunteer living in 2号楼
        assert db.session.query(Delivery).count() == 210  # 10 + 200 devices


def test_the_board_costs_the_same_however_many_notices(app, demo, login_as):
    client = login_as("resident")
    post_all_kinds(app)
    with app.app_context():
        engine = db.engine
    with count_queries(engine) as few:
        client.get("/notices")
    for _ in range(5):
        post_all_kinds(app)
    with count_queries(engine) as many:
        client.get("/notices")
    assert len(many) == len(few)


# ---- Pushed to those who chose notices; quiet hours hold back all but urgent ones ----------


def quiet_now(app, login: str) -> None:
    """Quiet hours for this person that include the present moment."""
    with app.app_context():
        minute = outbox.local_minute(utcnow())
        db.session.add(
            NotificationSettings(
                user_id=person(login).id,
                quiet_from=(minute - 60) % 1440,
                quiet_until=(minute + 60) % 1440,
            )
        )
        db.session.commit()


def subscribe(app, sink, login: str, name: str) -> Device:
    device = Device(sink, name)
    with app.app_context():
        devices.subscribe(db.session, person(login), device.subscription())
        db.session.commit()
    return device


@pytest.mark.parametrize(
    ("urgent", "pushed_to"), [(False, {"resident"}), (True, {"resident", "elderly"})]
)
def test_quiet_hours_hold_back_all_but_urgent_notices(
    app, demo, login_as, sink, inline_tasks, urgent, pushed_to
):
    devices = {
        "resident": subscribe(app, sink, RESIDENT, "resident"),
        "elderly": subscribe(app, sink, ELDERLY, "elderly"),
        "volunteer": subscribe(app, sink, VOLUNTEER, "volunteer"),
    }
    quiet_now(app, ELDERLY)
    with app.app_context():
        db.session.add(PushPreference(user_id=person(VOLUNTEER).id, kind="notice", wanted=False))
        db.session.commit()

    data = {"urgent": "y"} if urgent else {}
    assert post(login_as("operator"), **data).status_code == 303
    # Sent during the request: the commit woke the worker, which runs inline in tests.
    assert {received.name for received in sink.received()} == pushed_to
    for name in pushed_to:
        [received] = sink.received(name)
        payload = devices[name].decrypt(received)
        assert payload["urgent"] is urgent
        assert payload["url"].startswith("/notices/")
        assert "停水通知" in payload["title"]
        assert received.headers["urgency"] == ("high" if urgent else "normal")
        assert received.headers["topic"].startswith("notice")
    # The inbox has it for everyone in the audience, pushed or not.
    assert {RESIDENT, ELDERLY, VOLUNTEER} <= recipients(app)


def test_an_urgent_notice_is_marked_urgent_in_the_inbox_and_on_the_board(app, demo, login_as):
    post(login_as("operator"), urgent="y")
    with app.app_context():
        row = db.session.scalars(
            select(Notification).where(Notification.user_id == person(RESIDENT).id)
        ).one()
        assert row.urgent
        assert row.title == "紧急：停水通知"  # in the recipient's language
    resident = login_as("resident")
    assert "urgent-flag" in resident.get("/notices").get_data(as_text=True)
    assert "urgent-flag" in resident.get("/inbox").get_data(as_text=True)


def test_an_old_notice_stays_on_the_board(app, demo, login_as):
    post_all_kinds(app)
    with app.app_context():
        for notice in db.session.scalars(select(Notice)):
            notice.created_at = utcnow() - timedelta(days=400)
        db.session.commit()
    assert "notice-all" in login_as("resident").get("/notices").get_data(as_text=True)
