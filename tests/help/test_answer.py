"""Someone answers: the elder's page says who is on the way; two answering at once record one
answer; nobody answering in two minutes escalates once to everyone who may help; the alert is
closed with what happened, and strangers never see it."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.accounts.models import AccountStatus, Role, User, UserRole
from community.core.db import utcnow
from community.core.extensions import db
from community.directory.models import Unit
from community.help import rules, tasks
from community.help.models import AlertStatus, HelpAlert
from community.notify.models import Notification
from tests.help.helpers import EN, actions, alert_row, notified, person, raise_for

HTMX = {**EN, "HX-Request": "true"}


def test_the_office_answers_and_the_elders_page_says_who_is_on_the_way(app, login_as):
    alert_id = raise_for(app)
    elder = login_as("elderly")
    status = elder.get(f"/help/alerts/{alert_id}", headers=HTMX)
    # The polled piece alone, still polling.
    assert status.status_code == 200
    assert "<html" not in status.get_data(as_text=True)
    assert 'hx-trigger="every 5s"' in status.get_data(as_text=True)
    assert "Help is coming" in status.get_data(as_text=True)

    operator = login_as("operator")
    page = operator.get(f"/help/alerts/{alert_id}", headers=EN).get_data(as_text=True)
    assert "吴奶奶 needs help" in page
    assert "3号楼 1-101" in page
    assert 'href="tel:13800000006"' in page
    response = operator.post(f"/help/alerts/{alert_id}/acknowledge", headers=EN)
    assert response.status_code == 302

    status = elder.get(f"/help/alerts/{alert_id}", headers=HTMX).get_data(as_text=True)
    assert "钱运营 is on the way." in status
    assert actions(app, alert_id) == ["raised", "acknowledged"]
    alert = alert_row(app, alert_id)
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by_id is not None
    # The elder is told in her inbox too.
    with app.app_context():
        titles = db.session.scalars(
            select(Notification.title).where(Notification.user_id == person("elderly").id)
        ).all()
    assert any("钱运营" in title for title in titles)


def test_the_second_to_answer_is_told_who_already_did(app, login_as):
    alert_id = raise_for(app)
    assert login_as("staff").post(f"/help/alerts/{alert_id}/acknowledge").status_code == 302
    second = login_as("resident").post(f"/help/alerts/{alert_id}/acknowledge", headers=EN)
    assert second.status_code == 409
    assert "孙师傅 already answered this call" in second.get_data(as_text=True)
    assert actions(app, alert_id) == ["raised", "acknowledged"]


def test_strangers_never_see_an_alert(app, login_as):
    alert_id = raise_for(app)
    # 李志愿 volunteers, but lives in another building and the alert has not escalated.
    assert login_as("volunteer").get(f"/help/alerts/{alert_id}").status_code == 404
    assert login_as("volunteer").post(f"/help/alerts/{alert_id}/acknowledge").status_code == 404
    assert login_as("resident").get(f"/help/alerts/{alert_id}").status_code == 200  # family
    assert login_as("staff").get("/help/alerts/99999").status_code == 404
    assert login_as("pending").get(f"/help/alerts/{alert_id}").status_code == 403


def test_the_elder_says_she_is_all_right_and_the_alert_closes(app, login_as):
    alert_id = raise_for(app)
    elder = login_as("elderly")
    page = elder.get(f"/help/alerts/{alert_id}", headers=EN).get_data(as_text=True)
    assert "I am all right now" in page
    note = "The elder said they are all right."
    response = elder.post(f"/help/alerts/{alert_id}/resolve", data={"note": note})
    assert response.status_code == 302
    alert = alert_row(app, alert_id)
    assert alert.status == AlertStatus.RESOLVED
    assert alert.note == note
    # Closed, the page stops polling.
    status = elder.get(f"/help/alerts/{alert_id}", headers=HTMX).get_data(as_text=True)
    assert "hx-trigger" not in status
    assert "This call for help is closed." in status


def test_the_office_closes_the_call_with_a_note_and_a_too_long_note_is_refused(app, login_as):
    alert_id = raise_for(app)
    operator = login_as("operator")
    refused = operator.post(f"/help/alerts/{alert_id}/resolve", data={"note": "长" * 301})
    assert refused.status_code == 422
    assert alert_row(app, alert_id).status == AlertStatus.RAISED
    done = operator.post(f"/help/alerts/{alert_id}/resolve", data={"note": "扶起来了，没事。"})
    assert done.status_code == 302
    again = operator.post(f"/help/alerts/{alert_id}/resolve", data={"note": ""}, headers=EN)
    assert again.status_code == 409
    assert actions(app, alert_id) == ["raised", "resolved"]
    # Closed, the elder may press again: a new alert.
    assert raise_for(app) != alert_id


# ---- Escalation ---------------------------------------------------------------------------


@pytest.fixture
def neighbours(app, demo):
    """A volunteer in the elder's building (3号楼), and one in another building."""
    with app.app_context():
        elder = person("elderly")
        near_home, far_home = (
            db.session.scalar(select(Unit.id).where(where, Unit.id != elder.unit_id).limit(1))
            for where in (
                Unit.building_id == elder.unit.building_id,
                Unit.building_id != elder.unit.building_id,
            )
        )
        people = []
        for n, home in enumerate([near_home, far_home]):
            volunteer = User(
                name=f"志愿者{n}",
                phone=f"1370000000{n}",
                password_hash="never logs in",
                unit_id=home,
                status=AccountStatus.ACTIVE,
            )
            volunteer.role_rows = [UserRole(role=Role.RESIDENT), UserRole(role=Role.VOLUNTEER)]
            db.session.add(volunteer)
            people.append(volunteer)
        db.session.commit()
        return people[0].id, people[1].id


def everyone_who_may_help(app) -> list[int]:
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(User.id)
                .join(UserRole, UserRole.user_id == User.id)
                .where(
                    UserRole.role.in_([Role.OPERATOR, Role.ADMIN, Role.STAFF]),
                    User.status == AccountStatus.ACTIVE,
                )
            )
        )


def test_nobody_answering_in_two_minutes_escalates_once_to_everyone_who_may_help(app, neighbours):
    near, far = neighbours
    alert_id = raise_for(app)
    with app.app_context():
        raised_at = db.session.get(HelpAlert, alert_id).raised_at
        first_round = db.session.scalar(select(func.max(Notification.id)))
        # Not yet: a second short of two minutes.
        assert tasks.escalate_unanswered(db.session, raised_at + timedelta(seconds=119)) == 0
        later = raised_at + timedelta(minutes=2, seconds=1)
        assert tasks.escalate_unanswered(db.session, later) == 1
        # A second run of the job (or a second worker) does nothing more.
        assert tasks.escalate_unanswered(db.session, later + timedelta(minutes=1)) == 0
        second_round = sorted(
            db.session.scalars(
                select(Notification.user_id).where(
                    Notification.kind == rules.HELP, Notification.id > first_round
                )
            )
        )
        family, elder = person("resident").id, person("elderly").id
    alert = alert_row(app, alert_id)
    assert alert.status == AlertStatus.ESCALATED
    assert alert.escalated_at == later
    assert actions(app, alert_id) == ["raised", "escalated"]
    assert second_round == sorted([*everyone_who_may_help(app), near, family])
    assert far not in second_round
    assert elder not in second_round


def test_an_answered_call_does_not_escalate(app, login_as):
    alert_id = raise_for(app)
    login_as("operator").post(f"/help/alerts/{alert_id}/acknowledge")
    before = len(notified(app))
    with app.app_context():
        assert tasks.escalate_unanswered(db.session, utcnow() + timedelta(minutes=10)) == 0
    assert len(notified(app)) == before
    assert alert_row(app, alert_id).status == AlertStatus.ACKNOWLEDGED


def test_after_escalation_the_volunteers_of_the_building_may_answer(app, neighbours):
    near, _far = neighbours
    alert_id = raise_for(app)
    with app.app_context():
        alert = db.session.get(HelpAlert, alert_id)
        neighbour = db.session.get(User, near)
        assert not rules.may_handle(db.session, neighbour, alert)
        tasks.escalate_unanswered(db.session, alert.raised_at + timedelta(minutes=3))
        alert = db.session.get(HelpAlert, alert_id)
        assert rules.may_handle(db.session, neighbour, alert)
        rules.acknowledge(db.session, alert, neighbour)
        db.session.commit()
    assert alert_row(app, alert_id).status == AlertStatus.ACKNOWLEDGED
    assert actions(app, alert_id) == ["raised", "escalated", "acknowledged"]


def test_the_job_runs_in_the_worker_app(app, demo):
    """The periodic task itself, as huey calls it, in the app its worker set."""
    raise_for(app)
    with app.app_context():
        db.session.execute(
            HelpAlert.__table__.update().values(raised_at=utcnow() - timedelta(minutes=5))
        )
        db.session.commit()
    with app.app_context():
        assert tasks.escalate_calls_for_help.call_local() == 1
