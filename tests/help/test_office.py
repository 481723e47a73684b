"""The office's page of calls for help: open and recent ones with their handling, the staff on
duty, in a fixed number of queries however many alerts there are."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from community.core.db import utcnow
from community.core.extensions import db
from community.help import lists, rules
from community.help.models import AlertStatus, HelpAlert, OnDuty
from tests.help.helpers import EN, add_person, notified, person, raise_for
from tests.querycount import queries_for


def test_the_office_sees_open_and_recent_calls_with_their_handling(app, login_as):
    open_id = raise_for(app)
    with app.app_context():
        old = HelpAlert(
            elder_id=person("resident").id,
            raised_by_id=person("resident").id,
            status=AlertStatus.RESOLVED,
            raised_at=utcnow() - timedelta(days=2),
            acknowledged_by_id=person("staff").id,
            acknowledged_at=utcnow() - timedelta(days=2),
            resolved_by_id=person("staff").id,
            resolved_at=utcnow() - timedelta(days=2),
            note="没事",
        )
        db.session.add(old)
        db.session.commit()
    page = login_as("operator").get("/operator/help/", headers=EN).get_data(as_text=True)
    assert "Calls for help" in page
    open_part, closed_part = page.split("Closed in the last 7 days")
    assert "吴奶奶" in open_part
    assert f"/help/alerts/{open_id}" in open_part
    assert "Waiting for an answer" in open_part
    assert "周小梅" in closed_part
    assert "answered by 孙师傅" in closed_part


def test_staff_see_the_list_and_residents_do_not(app, login_as):
    assert login_as("staff").get("/operator/help/").status_code == 200
    assert login_as("resident").get("/operator/help/").status_code == 403
    assert login_as("volunteer").get("/operator/help/").status_code == 403


def test_the_office_marks_staff_on_duty_and_they_are_told_at_once(app, login_as):
    operator = login_as("operator")
    with app.app_context():
        staff_id = person("staff").id
    page = operator.get("/operator/help/", headers=EN).get_data(as_text=True)
    assert "Mark 孙师傅 on duty" in page
    response = operator.post("/operator/help/duty", data={"user": staff_id, "on": "1"})
    assert response.status_code == 302
    assert "Mark 孙师傅 off duty" in operator.get("/operator/help/", headers=EN).get_data(
        as_text=True
    )
    raise_for(app)
    assert staff_id in notified(app)
    operator.post("/operator/help/duty", data={"user": staff_id, "on": "0"})
    with app.app_context():
        assert db.session.scalar(select(OnDuty.user_id)) is None


def test_the_duty_roster_refuses_what_is_not_staff(app, login_as):
    operator = login_as("operator")
    with app.app_context():
        resident_id, staff_id = person("resident").id, person("staff").id

    def mark(client, user) -> int:
        return client.post("/operator/help/duty", data={"user": user, "on": "1"}).status_code

    assert mark(operator, resident_id) == 422
    assert mark(operator, "junk") == 404
    assert mark(operator, "99999") == 404
    # Staff do not mark each other.
    assert mark(login_as("staff"), staff_id) == 403


def many_alerts(app, count: int, start: int) -> None:
    """count elders, each with a call for help answered and one closed."""
    with app.app_context():
        staff = person("staff")
        for n in range(start, start + count):
            elder = add_person(f"1350000{n:04d}", ["resident"], unit_id=person("elderly").unit_id)
            alert, _new = rules.raise_alert(db.session, elder, elder)
            rules.acknowledge(db.session, alert, staff)
            if n % 2:
                rules.resolve(db.session, alert, staff, "好了")
        db.session.commit()


def test_the_office_page_and_the_alert_page_do_not_grow_with_their_rows(app, login_as):
    operator = login_as("operator")
    alert_id = raise_for(app)
    many_alerts(app, 2, 0)
    few = queries_for(app, operator, "/operator/help/")
    few_alert = queries_for(app, operator, f"/help/alerts/{alert_id}")
    many_alerts(app, 20, 100)
    with app.app_context():
        db.session.add(OnDuty(user_id=person("staff").id))
        db.session.commit()
        alert = db.session.get(HelpAlert, alert_id)
        for _ in range(5):
            rules.raise_alert(db.session, alert.elder, alert.elder)  # pressed again
        db.session.commit()
    assert queries_for(app, operator, "/operator/help/") == few
    assert queries_for(app, operator, f"/help/alerts/{alert_id}") == few_alert


def test_help_alerts_cannot_be_switched_off(app, login_as):
    page = login_as("resident").get("/settings/notifications", headers=EN).get_data(as_text=True)
    assert "My bookings" in page
    assert "Calls for help" not in page


def test_the_office_page_costs_the_same_for_one_call_and_seven(app, login_as):
    operator = login_as("operator")
    many_alerts(app, 1, 200)
    one = queries_for(app, operator, "/operator/help/")
    many_alerts(app, 6, 300)
    assert queries_for(app, operator, "/operator/help/") == one


def closed_calls(app, count: int) -> list[int]:
    """count calls closed over the last days, the newest first."""
    with app.app_context():
        elder = person("resident")
        alerts = [
            HelpAlert(
                elder_id=elder.id,
                status=AlertStatus.RESOLVED,
                raised_at=utcnow() - timedelta(hours=n + 1),
                resolved_at=utcnow() - timedelta(hours=n),
            )
            for n in range(count)
        ]
        db.session.add_all(alerts)
        db.session.commit()
        return [alert.id for alert in alerts]


def alert_links(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/help/alerts/(\d+)"', page)]


def test_the_closed_calls_come_a_page_at_a_time(app, login_as, monkeypatch):
    monkeypatch.setattr(lists, "CLOSED_PAGE", 3)
    newest_first = closed_calls(app, 5)
    operator = login_as("operator")
    first = operator.get("/operator/help/", headers=EN).get_data(as_text=True)
    assert alert_links(first) == newest_first[:3]
    assert "Back to the newest" not in first
    earlier = re.search(r'rel="next" href="([^"]+)">Earlier<', first).group(1)
    assert earlier == f"/operator/help/?before={newest_first[2]}#closed-title"
    second = operator.get(earlier, headers=EN).get_data(as_text=True)
    assert alert_links(second) == newest_first[3:]
    assert "Earlier" not in second
    assert "Back to the newest" in second


@pytest.mark.parametrize("before", ["abc", "-1", "0", "99999999999", "2147483647"])
def test_a_bad_before_never_fails(app, login_as, before):
    closed_calls(app, 2)
    response = login_as("operator").get(f"/operator/help/?before={before}", headers=EN)
    assert response.status_code == 200
    assert "Calls for help" in response.get_data(as_text=True)


def test_too_many_open_calls_show_the_longest_waiting_and_say_so(app, login_as, monkeypatch):
    monkeypatch.setattr(lists, "OPEN_SHOWN", 2)
    many_alerts(app, 6, 400)  # three of them open
    page = login_as("operator").get("/operator/help/", headers=EN).get_data(as_text=True)
    open_part = page.split("Closed in the last 7 days")[0]
    assert len(alert_links(open_part)) == 2
    assert "these are the 2 waiting longest" in open_part
