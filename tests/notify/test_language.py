"""Issue 8, item 3: what a person is sent is in the language they read the app in. The language
they log in, sign up or switch in is saved on their account; notifications are rendered in it."""

import pytest

from community.accounts.models import User
from community.core.extensions import db
from community.directory.models import Unit
from community.notify.models import Notification
from community.workorders.models import WorkOrder
from tests.workorder_helpers import RESIDENT

EN = {"Accept-Language": "en-GB,en;q=0.9"}


def saved_locale(app, login: str) -> str | None:
    with app.app_context():
        return db.session.query(User).filter_by(phone=login).one().locale


def test_an_english_browsing_residents_report_comes_back_in_english(app, demo, login_as):
    resident = app.test_client()
    assert (
        resident.post(
            "/login", data={"login": RESIDENT, "password": "demo-pass-2026"}, headers=EN
        ).status_code
        == 302
    )
    response = resident.post(
        "/repairs/new",
        data={"category": "plumbing", "place": "0", "description": "The kitchen tap drips"},
        headers=EN,
    )
    assert response.status_code == 302
    with app.app_context():
        order = db.session.query(WorkOrder).one()
        order_id, version = order.id, order.version
    operator = login_as("operator")  # browsing in Chinese
    accepted = operator.post(
        f"/repairs/{order_id}/do/accept",
        data={"version": version, "category": "plumbing", "priority": "normal"},
    )
    assert accepted.status_code == 302
    with app.app_context():
        titles = [n.title for n in db.session.query(Notification).all()]
    assert titles == [f"Repair #{order_id}: Accepted by the office"]
    inbox = resident.get("/inbox", headers=EN).get_data(as_text=True)
    assert f"Repair #{order_id}: Accepted by the office" in inbox


@pytest.mark.parametrize(
    ("headers", "cookie", "expected"),
    [
        (EN, None, "en"),
        ({"Accept-Language": "zh-CN"}, None, "zh_CN"),
        ({}, None, None),  # the browser said nothing: the community's default applies
        ({"Accept-Language": "zh-CN"}, "en", "en"),  # the switch wins over the browser
    ],
)
def test_login_saves_the_language_the_login_page_was_shown_in(app, demo, headers, cookie, expected):
    client = app.test_client()
    if cookie:
        client.set_cookie("locale", cookie)
    client.post("/login", data={"login": RESIDENT, "password": "demo-pass-2026"}, headers=headers)
    assert saved_locale(app, RESIDENT) == expected


def test_a_saved_language_is_kept_when_logging_in_from_another_browser(app, demo):
    client = app.test_client()
    client.set_cookie("locale", "en")
    client.login(RESIDENT)
    client.post("/logout")
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"login": RESIDENT, "password": "demo-pass-2026"}, headers={})
    assert saved_locale(app, RESIDENT) == "en"


def test_switching_language_is_saved_for_notifications(app, login_as):
    resident = login_as("resident")
    resident.post("/settings/language", data={"locale": "en"})
    assert saved_locale(app, RESIDENT) == "en"
    resident.post("/settings/language", data={"locale": "zh_CN"})
    assert saved_locale(app, RESIDENT) == "zh_CN"


def test_sign_up_saves_the_browsers_language(app, demo):
    with app.app_context():
        unit_id = db.session.query(Unit.id).first()[0]
    client = app.test_client()
    client.post(
        "/signup",
        data={
            "name": "New Neighbour",
            "login": "13955550000",
            "unit": str(unit_id),
            "password": "a good password",
            "confirm": "a good password",
        },
        headers=EN,
    )
    assert saved_locale(app, "13955550000") == "en"
