"""Asking for a visit: the elder, family acting for them, or the desk; once or every week until
stopped; refused clearly when something is missing; three steps in large-text mode."""

import itertools
from datetime import timedelta

from sqlalchemy import func, select

from community.accounts.models import User
from community.care import asking
from community.care.models import CareSeries, CareVisit
from community.core.db import utcnow
from community.core.extensions import db
from community.notify.models import Notification
from community.workorders.models import WorkOrder, WorkOrderEvent
from tests.care.conftest import ask_for, order_id_of, tomorrow


def test_an_elder_asks_for_a_meal_and_it_is_on_the_board_for_volunteers(app, cast, login):
    order_id = order_id_of(ask_for(login(cast.elder), cast.elder, needs="少盐"))
    with app.app_context():
        order = db.session.get(WorkOrder, order_id)
        visit = db.session.get(CareVisit, order_id)
        assert (order.kind, order.status, order.assignee_id) == ("care_visit", "accepted", None)
        assert (order.category, visit.window, visit.day) == ("meal", "noon", tomorrow())
        assert order.due_at == visit.starts_at
        assert visit.ends_at - visit.starts_at == timedelta(hours=2)
        assert "少盐" not in order.description  # notes are care's, shown only to who may see
        # Volunteers hear of it (and may choose to have care pushed).
        told = db.session.scalars(
            select(Notification.user_id).where(Notification.kind == "care")
        ).all()
        assert set(told) == {cast.volunteer, cast.second_volunteer}
    board = login(cast.volunteer).get("/care/board").get_data(as_text=True)
    assert f"/care/visits/{order_id}/claim" in board


def test_family_ask_for_the_elder_and_a_neighbour_cannot(app, cast, login):
    order_id = order_id_of(ask_for(login(cast.son), cast.elder, "clinic", window="morning"))
    with app.app_context():
        order = db.session.get(WorkOrder, order_id)
        assert (order.requester_id, order.on_behalf_of_id) == (cast.son, cast.elder)
    refused = ask_for(login(cast.neighbour), cast.elder)
    assert refused.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CareVisit)) == 1


def test_the_office_asks_at_the_desk_for_any_elder(app, cast, login):
    office = login(cast.operator)
    page = office.get(f"/care/ask?elder={cast.elder}").get_data(as_text=True)
    assert "吴奶奶" in page
    order_id_of(ask_for(office, cast.elder, "clean", window="morning"))


def test_someone_not_receiving_care_is_shown_how_to_start(app, cast, login):
    page = login(cast.neighbour).get("/care/ask").get_data(as_text=True)
    assert "care profile" in page
    assert ask_for(login(cast.neighbour), cast.neighbour).status_code == 422


def test_missing_or_wrong_answers_are_refused_next_to_their_field_and_nothing_is_saved(
    app, cast, login
):
    client = login(cast.elder)
    cases = [
        ({"visit_kind": "spa"}, "Choose what kind of visit you need."),
        ({"window": "midnight"}, "Choose a time from the list."),
        ({"day": utcnow().date() - timedelta(days=3)}, "Choose a day from the list."),
        ({"day": utcnow().date() + timedelta(days=60)}, "Choose a day from the list."),
        ({"needs": "长" * 1001}, "At most 1000 characters."),
    ]
    for fields, message in cases:
        response = ask_for(client, cast.elder, **fields)
        assert response.status_code == 422, fields
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WorkOrder)) == 0


def test_in_large_text_mode_asking_is_three_steps_that_work_without_javascript(app, cast, login):
    client = login(cast.elder)
    with app.app_context():
        db.session.get(User, cast.elder).large_text = True
        db.session.commit()
    first = client.get("/care/ask").get_data(as_text=True)
    assert "Step 1 of 3" in first
    assert 'name="visit_kind"' in first
    assert 'name="day"' not in first
    # Going on without choosing is refused on the same step.
    refused = client.get(f"/care/ask?step=2&elder={cast.elder}")
    assert refused.status_code == 422
    assert "Step 1 of 3" in refused.get_data(as_text=True)
    second = client.get(f"/care/ask?step=2&elder={cast.elder}&visit_kind=meal")
    text = second.get_data(as_text=True)
    assert "Step 2 of 3" in text
    assert 'name="day"' in text
    assert 'name="needs"' not in text
    day = tomorrow().isoformat()
    third = client.get(
        f"/care/ask?step=3&elder={cast.elder}&visit_kind=meal&day={day}&window=noon&often=once"
    ).get_data(as_text=True)
    assert "Step 3 of 3" in third
    assert 'name="needs"' in third
    assert 'method="post"' in third
    order_id_of(ask_for(client, cast.elder))


def test_weekly_makes_one_order_per_week_ahead_and_the_job_keeps_the_horizon(app, cast, login):
    first_id = order_id_of(ask_for(login(cast.daughter), cast.elder, often="weekly"))
    with app.app_context():
        visits = db.session.scalars(select(CareVisit).order_by(CareVisit.starts_at)).all()
        assert len(visits) >= 4
        assert visits[0].order_id == first_id
        assert len({visit.order_id for visit in visits}) == len(visits)
        gaps = {(b.day - a.day).days for a, b in itertools.pairwise(visits)}
        assert gaps == {7}
        # Nothing to add today; a week later the job adds the next week, once.
        assert asking.fill_all_series(db.session) == 0
        later = utcnow() + timedelta(days=7)
        assert asking.fill_all_series(db.session, later) == 1
        assert asking.fill_all_series(db.session, later) == 0
        db.session.commit()


def test_stopping_a_series_cancels_the_coming_visits_only(app, cast, login):
    first_id = order_id_of(ask_for(login(cast.daughter), cast.elder, often="weekly"))
    volunteer = login(cast.volunteer)
    assert volunteer.post(f"/care/visits/{first_id}/claim").status_code == 302
    with app.app_context():
        series_id = db.session.scalar(select(CareSeries.id))
        # The first visit has happened by the time the series is stopped.
        first = db.session.get(CareVisit, first_id)
        after_first = first.ends_at + timedelta(hours=1)
        db.session.commit()
    with app.app_context():
        elder = db.session.get(User, cast.elder)
        cancelled = asking.stop_series(db.session, elder, series_id, now=after_first)
        db.session.commit()
        statuses = dict(
            db.session.execute(
                select(WorkOrder.id, WorkOrder.status).join(
                    CareVisit, CareVisit.order_id == WorkOrder.id
                )
            ).all()
        )
        assert statuses.pop(first_id) == "assigned"
        assert set(statuses.values()) == {"cancelled"}
        assert sorted(cancelled) == sorted(statuses)
        # Recorded as the elder's choice, on each timeline.
        actors = db.session.scalars(
            select(WorkOrderEvent.actor_id).where(WorkOrderEvent.action == "cancel")
        ).all()
        assert set(actors) == {cast.elder}
        # Stopped series are never filled again.
        assert asking.fill_all_series(db.session, after_first + timedelta(days=30)) == 0


def test_stopping_from_the_page_and_twice(app, cast, login):
    daughter = login(cast.daughter)
    order_id_of(ask_for(daughter, cast.elder, often="weekly"))
    with app.app_context():
        series_id = db.session.scalar(select(CareSeries.id))
    assert "Stop this weekly visit" in daughter.get("/care").get_data(as_text=True)
    assert login(cast.neighbour).post(f"/care/series/{series_id}/stop").status_code == 404
    response = daughter.post(f"/care/series/{series_id}/stop", follow_redirects=True)
    assert "coming visits are cancelled" in response.get_data(as_text=True)
    again = daughter.post(f"/care/series/{series_id}/stop", follow_redirects=True)
    assert "stopped already" in again.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(WorkOrder).where(WorkOrder.status != "cancelled")
            )
            == 0
        )
