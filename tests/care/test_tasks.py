"""Care's jobs run on the worker's schedule and do their work in the app: the weekly series
are topped up every hour, and unclaimed visits are escalated every five minutes."""

from datetime import datetime

from sqlalchemy import select

from community.care import tasks as care_tasks
from community.care.models import CareVisit
from community.core import tasks
from community.core.extensions import db
from tests.care.conftest import ask_for, order_id_of


def registered(task) -> bool:
    return task.task_class in tasks.huey._registry._periodic_tasks


def test_the_jobs_are_on_the_schedule():
    assert registered(care_tasks.fill_weekly_visits)
    assert registered(care_tasks.escalate_unclaimed_visits)
    hourly = care_tasks.fill_weekly_visits.task_class()
    assert [m for m in range(60) if hourly.validate_datetime(datetime(2026, 11, 25, 3, m))] == [7]
    often = care_tasks.escalate_unclaimed_visits.task_class()
    runs = [m for m in range(60) if often.validate_datetime(datetime(2026, 11, 25, 3, m))]
    assert runs == list(range(0, 60, 5))


def test_the_jobs_run_in_the_app(app, cast, login, monkeypatch):
    order_id_of(ask_for(login(cast.daughter), cast.elder, often="weekly"))
    monkeypatch.setattr(tasks, "_app", app)
    assert care_tasks.fill_weekly_visits.call_local() == 0  # filled when asked
    assert care_tasks.escalate_unclaimed_visits.call_local() in (0, 1)
    with app.app_context():
        assert db.session.scalars(select(CareVisit.order_id)).all()
