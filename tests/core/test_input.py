"""Bad input refused at the edge with a message, never a 500 and never cut short: control
characters (issue 8, item 9), ids the database cannot hold (item 10) and limits (item 14)."""

import pytest
from sqlalchemy import func, select

from community.accounts.models import AccountStatus, User
from community.core.extensions import db
from community.notices.models import Notice
from community.workorders.machine import MAX_NOTE
from community.workorders.models import WorkOrder, WorkOrderEvent
from tests import conftest
from tests.workorder_helpers import report

EN = {"Accept-Language": "en"}
CONTROL_MESSAGE = "invisible control characters"
TOO_BIG = [2**31, 2**63, 2**64, 10**30]
NOT_AN_ID = [*TOO_BIG, 0, -1]


def make_order(app, **values) -> tuple[int, int]:
    with app.app_context():
        order = report(**values)
        db.session.commit()
        return order.id, order.version


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# ---- 9: control characters -------------------------------------------------------------


@pytest.mark.parametrize("login", ["138\x0000000005", "a\x00@b.cn", "\x1b[31m"])
def test_a_nul_in_the_login_form_is_a_clear_400_not_a_500(client, demo, login):
    response = client.post("/login", data={"login": login, "password": "x"}, headers=EN)
    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.get_data(as_text=True)


def test_the_refusal_is_translated(client, demo):
    response = client.post(
        "/login", data={"login": "\x00", "password": "x"}, headers={"Accept-Language": "zh-CN"}
    )
    assert response.status_code == 400
    assert "控制字符" in response.get_data(as_text=True)


def test_a_refused_login_neither_logs_in_nor_gets_around_the_throttle(make_app, demo):
    app = make_app(LOGIN_LIMIT_ACCOUNT="2 per 15 minutes")
    client = app.test_client()
    for _attempt in range(2):
        assert client.login(demo["resident"], "wrong-password").status_code == 422
    # Refused before any password is checked: it can never log anyone in...
    assert client.login(demo["resident"], "demo\x00").status_code == 400
    # ...and the account stays throttled for the right password as for any other.
    assert client.login(demo["resident"]).status_code == 429


def test_a_nul_in_a_report_saves_nothing(app, demo, login_as):
    resident = login_as("resident")
    response = resident.post(
        "/repairs/new",
        data={"category": "plumbing", "place": "0", "description": "漏水\x00了"},
        headers=EN,
    )
    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.get_data(as_text=True)
    assert count(app, WorkOrder) == 0


def test_a_multi_line_description_keeps_its_lines_and_tabs(app, demo, login_as):
    response = login_as("resident").post(
        "/repairs/new",
        data={"category": "plumbing", "place": "0", "description": "厨房\r\n\t水管漏水"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(WorkOrder.description)).one() == "厨房\r\n\t水管漏水"


@pytest.mark.parametrize("name", ["王\n小明", "王\t小明", "王\r小明"])
def test_a_single_line_field_refuses_line_breaks_next_to_the_field(app, demo, client, name):
    response = client.post(
        "/signup",
        data={
            "name": name,
            "login": "13900000001",
            "unit": "1",
            "password": "long enough password",
            "confirm": "long enough password",
        },
        headers=EN,
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="name-error"' in page
    assert "Keep this on one line" in page
    with app.app_context():
        assert db.session.scalar(select(User).where(User.phone == "13900000001")) is None


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("operator", "/operator/people?q=%E7%8E%8B%00"),
        ("operator", "/operator/orders?q=%00"),
        ("operator", "/operator/orders?status%00=all"),
        ("resident", "/inbox?before=1%0A"),
        ("resident", "/notices?before=%7F"),
        ("resident", "/repairs/new?description=%01"),
    ],
)
def test_control_characters_in_a_query_string_are_a_400(login_as, role, path):
    response = login_as(role).get(path, headers=EN)
    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.get_data(as_text=True)


def test_control_characters_in_a_path_segment_are_a_400(app, demo, login_as):
    with app.app_context():
        resident_id = db.session.scalar(select(User.id).where(User.phone == demo["resident"]))
    response = login_as("admin").post(
        f"/operator/people/{resident_id}/roles/staff%00", data={"held": "1"}, headers=EN
    )
    assert response.status_code == 400


def test_control_characters_in_a_json_body_are_a_400(login_as):
    client = login_as("resident")
    token = conftest.CSRF_RE.search(client.get("/settings").get_data(as_text=True)).group(1)
    response = client.post(
        "/settings/notifications/devices",
        json={"endpoint": "https://fcm.googleapis.com/x\x00", "keys": {}},
        headers={"X-CSRFToken": token},
        csrf=False,
    )
    assert response.status_code == 400


def test_a_nul_in_an_operator_note_saves_nothing(app, demo, login_as):
    order_id, version = make_order(app)
    response = login_as("operator").post(
        f"/repairs/{order_id}/do/reject", data={"version": version, "note": "重复\x00"}
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(WorkOrder, order_id).status == "submitted"


# ---- 10: ids out of range ----------------------------------------------------------------


@pytest.mark.parametrize("number", NOT_AN_ID)
@pytest.mark.parametrize(
    ("method", "template"),
    [
        ("get", "/repairs/{}"),
        ("post", "/repairs/{}/do/comment"),
        ("post", "/repairs/{}/follow"),
        ("get", "/photos/{}"),
        ("get", "/photos/{}/thumbnail"),
        ("get", "/notices/{}"),
        ("post", "/inbox/{}/open"),
        ("post", "/settings/notifications/devices/{}/remove"),
    ],
)
def test_an_id_out_of_range_in_a_path_is_a_404(login_as, method, template, number):
    client = login_as("resident")
    response = getattr(client, method)(template.format(number), headers=EN)
    assert response.status_code == 404


@pytest.mark.parametrize("number", NOT_AN_ID)
@pytest.mark.parametrize(
    "template", ["/operator/signups/{}/approve", "/operator/signups/{}/reject"]
)
def test_an_out_of_range_person_in_the_office_is_a_404(login_as, template, number):
    assert login_as("operator").post(template.format(number)).status_code == 404


def test_an_out_of_range_person_gets_no_role(login_as):
    response = login_as("admin").post(f"/operator/people/{2**31}/roles/staff", data={"held": "1"})
    assert response.status_code == 404


@pytest.mark.parametrize("number", [*NOT_AN_ID, "1e9", "0x10", " 7"])
@pytest.mark.parametrize(
    ("role", "template"),
    [
        ("resident", "/inbox?before={}"),
        ("resident", "/notices?before={}"),
        ("resident", "/repairs/new?place={}"),
        ("operator", "/operator/deliveries?before={}"),
        ("operator", "/operator/people?after={}"),
        ("operator", "/operator/orders?building={}&assignee={}&after=none_{}"),
        ("operator", "/operator/orders?q=%23{}"),
        ("operator", "/operator/orders.csv?building={}&assignee={}"),
    ],
)
def test_an_out_of_range_id_in_a_query_string_is_ignored_like_other_junk(
    app, login_as, role, template, number
):
    make_order(app)
    response = login_as(role).get(template.format(number, number, number))
    assert response.status_code in (200, 422), response.status_code


@pytest.mark.parametrize("number", TOO_BIG)
def test_a_report_for_an_out_of_range_place_is_a_422_next_to_the_field(app, demo, login_as, number):
    response = login_as("resident").post(
        "/repairs/new",
        data={"category": "plumbing", "place": str(number), "description": "漏水"},
        headers=EN,
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="place-error"' in page
    assert "Choose one from the list." in page
    assert count(app, WorkOrder) == 0


@pytest.mark.parametrize("number", [*TOO_BIG, -1, "x"])
def test_a_sign_up_for_an_out_of_range_home_is_a_422_next_to_the_field(app, demo, client, number):
    response = client.post(
        "/signup",
        data={
            "name": "王小明",
            "login": "13900000002",
            "unit": str(number),
            "password": "long enough password",
            "confirm": "long enough password",
        },
        headers=EN,
    )
    assert response.status_code == 422
    assert 'id="unit-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.phone == "13900000002")) is None


@pytest.mark.parametrize("number", TOO_BIG)
def test_a_notice_for_an_out_of_range_building_is_a_422(app, demo, login_as, number):
    response = login_as("operator").post(
        "/notices/new",
        data={"title": "停水", "body": "明天停水", "audience": "building", "building": number},
        headers=EN,
    )
    assert response.status_code == 422
    assert 'id="building-error"' in response.get_data(as_text=True)
    assert count(app, Notice) == 0


@pytest.mark.parametrize("number", TOO_BIG)
@pytest.mark.parametrize(
    ("action", "field", "message"),
    [
        ("assign", "assignee_id", "Choose someone who can do this work."),
        ("duplicate", "duplicate_of", "Give the number of the original report."),
    ],
)
def test_an_out_of_range_id_in_an_action_is_a_422(
    app, demo, login_as, number, action, field, message
):
    order_id, _version = make_order(app)
    operator = login_as("operator")
    version = _version
    if action == "assign":
        operator.post(
            f"/repairs/{order_id}/do/accept",
            data={"version": version, "category": "plumbing", "priority": "normal"},
        )
        version += 1
    response = operator.post(
        f"/repairs/{order_id}/do/{action}", data={"version": version, field: number}, headers=EN
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("number", [*NOT_AN_ID, "x"])
def test_an_out_of_range_version_is_a_422_and_changes_nothing(app, demo, login_as, number):
    order_id, _version = make_order(app)
    response = login_as("resident").post(
        f"/repairs/{order_id}/do/comment", data={"version": number, "note": "还在漏"}, headers=EN
    )
    assert response.status_code == 422
    assert "This page is out of date" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WorkOrderEvent)) == 1


@pytest.mark.parametrize("number", TOO_BIG)
def test_bulk_assign_with_out_of_range_ids_is_a_422_with_a_message(app, demo, login_as, number):
    make_order(app)
    response = login_as("operator").post(
        "/operator/orders/assign", data={"order": number, "assignee_id": number}, headers=EN
    )
    assert response.status_code == 422
    assert "Tick at least one order to assign." in response.get_data(as_text=True)


# ---- 14: limits with a message, never cut -------------------------------------------------


def test_a_comment_over_the_limit_is_refused_next_to_the_box_and_nothing_is_saved(
    app, demo, login_as
):
    order_id, version = make_order(app)
    resident = login_as("resident")
    page = resident.get(f"/repairs/{order_id}").get_data(as_text=True)
    assert "maxlength" not in page  # the browser would cut a long paste without a word
    response = resident.post(
        f"/repairs/{order_id}/do/comment",
        data={"version": version, "note": "漏" * (MAX_NOTE + 1)},
        headers=EN,
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"At most {MAX_NOTE} characters." in page
    assert 'id="comment-error"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WorkOrderEvent)) == 1


def test_a_comment_at_the_limit_is_kept_whole(app, demo, login_as):
    order_id, version = make_order(app)
    note = "漏" * MAX_NOTE
    response = login_as("resident").post(
        f"/repairs/{order_id}/do/comment", data={"version": version, "note": note}
    )
    assert response.status_code == 302
    with app.app_context():
        assert (
            db.session.scalars(
                select(WorkOrderEvent.note).where(WorkOrderEvent.action == "comment")
            ).one()
            == note
        )


@pytest.mark.parametrize("urgency", ["very", "", "URGENT"])
def test_an_unknown_urgency_is_a_422_with_a_message_next_to_it(app, demo, login_as, urgency):
    response = login_as("resident").post(
        "/repairs/new",
        data={"category": "plumbing", "place": "0", "description": "漏水", "urgency": urgency},
        headers=EN,
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="urgency-error"' in page
    assert "Choose how urgent it is." in page
    assert count(app, WorkOrder) == 0


@pytest.mark.parametrize("path", ["/repairs/new", "/notices/new"])
def test_no_form_cuts_what_is_typed(login_as, path):
    assert "maxlength" not in login_as("operator").get(path).get_data(as_text=True)


def test_a_long_reason_for_declining_a_sign_up_is_refused_not_cut(app, demo, login_as):
    with app.app_context():
        pending_id = db.session.scalar(select(User.id).where(User.phone == demo["pending"]))
    response = login_as("operator").post(
        f"/operator/signups/{pending_id}/reject", data={"note": "不" * 201}, headers=EN
    )
    assert response.status_code == 422
    assert "At most 200 characters." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, pending_id).status == AccountStatus.PENDING


@pytest.mark.parametrize(
    ("field", "value"),
    [("login", "a" * 250 + "@b.cn"), ("password", "p" * 129), ("name", "王" * 61)],
)
def test_sign_up_limits_have_messages(client, demo, field, value):
    data = {
        "name": "王小明",
        "login": "13900000003",
        "unit": "1",
        "password": "long enough password",
        "confirm": "long enough password",
    }
    data[field] = value
    if field == "password":
        data["confirm"] = value
    response = client.post("/signup", data=data, headers=EN)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert "At most" in page
