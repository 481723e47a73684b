"""The volunteers' board (soonest first, filtered by kind and building, the same number of
queries for any number of rows), the office assigning from the queue, and the escalation of
visits nobody has taken as their time nears."""

from datetime import timedelta

from sqlalchemy import select

from community.accounts.models import Role, User
from community.care import listing
from community.care.kind import CARE
from community.care.models import CareVisit
from community.core.extensions import db
from community.notify import kinds as notify_kinds
from community.notify.models import Notification
from community.workorders.models import WorkOrder
from tests.care.conftest import ask_for, order_id_of, tomorrow, version_of
from tests.querycount import queries_for


def test_open_requests_soonest_first_filtered_by_kind_and_building(app, cast, login, make_user):
    elder = login(cast.elder)
    later = order_id_of(ask_for(elder, cast.elder, "clean", day=tomorrow() + timedelta(days=2)))
    soon = order_id_of(ask_for(elder, cast.elder, "meal", window="morning"))
    with app.app_context():
        other = make_user(roles=[Role.RESIDENT], name="陈爷爷")
        other.receives_care = True
        other_building = other.unit.building_id
        db.session.commit()
        other_id = other.id
    elsewhere = order_id_of(
        ask_for(login(cast.operator), other_id, "visit", day=tomorrow() + timedelta(days=1))
    )
    volunteer = login(cast.volunteer)
    page = volunteer.get("/care/board").get_data(as_text=True)
    positions = [page.index(f"/care/visits/{n}/claim") for n in (soon, elsewhere, later)]
    assert positions == sorted(positions)
    cleaning = volunteer.get("/care/board?kind=clean").get_data(as_text=True)
    assert f"/care/visits/{later}/claim" in cleaning
    assert f"/care/visits/{soon}/claim" not in cleaning
    there = volunteer.get(f"/care/board?building={other_building}").get_data(as_text=True)
    assert f"/care/visits/{elsewhere}/claim" in there
    assert f"/care/visits/{soon}/claim" not in there
    # Junk in the filters shows everything rather than failing.
    assert volunteer.get("/care/board?kind=spa&building=-5").status_code == 200
    # htmx asks for the rows alone.
    rows = volunteer.get("/care/board?kind=clean", headers={"HX-Request": "true"})
    assert rows.get_data(as_text=True).lstrip().startswith('<div id="board-rows">')


def test_the_board_runs_the_same_queries_for_one_request_or_many(app, cast, login):
    elder, volunteer = login(cast.elder), login(cast.volunteer)
    order_id_of(ask_for(elder, cast.elder))
    mine = order_id_of(ask_for(elder, cast.elder, "clean"))
    volunteer.post(f"/care/visits/{mine}/claim")
    few = queries_for(app, volunteer, "/care/board")
    for n in range(8):
        order_id_of(ask_for(elder, cast.elder, window="afternoon", day=tomorrow() + timedelta(n)))
        claimed = order_id_of(ask_for(elder, cast.elder, "visit", day=tomorrow() + timedelta(n)))
        volunteer.post(f"/care/visits/{claimed}/claim")
    assert queries_for(app, volunteer, "/care/board") == few
    home = queries_for(app, elder, "/care")
    order_id_of(ask_for(elder, cast.elder, "shopping", window="late"))
    assert queries_for(app, elder, "/care") == home


def test_residents_and_staff_do_not_see_the_board(app, cast, login):
    assert login(cast.neighbour).get("/care/board").status_code == 403
    assert login(cast.operator).get("/care/board").status_code == 200


def test_the_office_assigns_and_reassigns_a_visit_from_the_queue(app, cast, login):
    order_id = order_id_of(ask_for(login(cast.elder), cast.elder))
    office = login(cast.operator)
    page = office.get(f"/repairs/{order_id}").get_data(as_text=True)
    assert "李志愿" in page  # volunteers are offered, not service staff
    for person in (cast.volunteer, cast.second_volunteer):
        response = office.post(
            f"/repairs/{order_id}/do/assign",
            data={"version": version_of(app, order_id), "assignee_id": person},
        )
        assert response.status_code == 302
        with app.app_context():
            assert db.session.get(WorkOrder, order_id).assignee_id == person
    page = login(cast.second_volunteer).get(f"/care/visits/{order_id}").get_data(as_text=True)
    assert "I&#39;m here" in page or "I'm here" in page


def test_unclaimed_visits_nearing_their_time_are_escalated_to_the_office_once(app, cast, login):
    soon = order_id_of(ask_for(login(cast.elder), cast.elder))
    far = order_id_of(ask_for(login(cast.elder), cast.elder, day=tomorrow() + timedelta(9)))
    with app.app_context():
        starts_at = db.session.get(CareVisit, soon).starts_at
        near = starts_at - timedelta(hours=2)
        assert listing.escalate(db.session, near) == 1
        assert listing.escalate(db.session, near + timedelta(minutes=5)) == 0
        db.session.commit()
        told = db.session.scalars(
            select(Notification.title).where(Notification.user_id == cast.operator)
        ).all()
        assert told == [f"Nobody has taken care visit #{soon} yet"]
        assert db.session.get(CareVisit, far).escalated_at is None


def test_a_claimed_visit_is_never_escalated(app, cast, login):
    order_id = order_id_of(ask_for(login(cast.elder), cast.elder))
    login(cast.volunteer).post(f"/care/visits/{order_id}/claim")
    with app.app_context():
        starts_at = db.session.get(CareVisit, order_id).starts_at
        assert listing.escalate(db.session, starts_at - timedelta(hours=1)) == 0


def test_volunteers_may_choose_push_for_care_requests(app, cast, login):
    assert CARE in notify_kinds.KINDS
    page = login(cast.volunteer).get("/settings/notifications").get_data(as_text=True)
    assert "Care visits: new requests and updates" in page


def test_the_volunteer_hears_when_the_elder_confirms(app, cast, login):
    order_id = order_id_of(ask_for(login(cast.elder), cast.elder))
    volunteer = login(cast.volunteer)
    volunteer.post(f"/care/visits/{order_id}/claim")
    with app.app_context():
        elder = db.session.get(User, cast.elder)
        titles = db.session.scalars(
            select(Notification.title).where(Notification.user_id == elder.id)
        ).all()
        assert f"Care visit #{order_id}: A volunteer took it on" in titles
