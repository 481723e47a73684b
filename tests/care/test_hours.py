"""Care and the time bank together: a visit confirmed by the elder (or closed by itself a week
after it was done, nobody having said it went wrong) earns the volunteer its recorded time,
capped by the window asked for; the rest waits for the office."""

from datetime import timedelta

from sqlalchemy import select

from community.care.models import CareVisit
from community.core.db import utcnow
from community.core.extensions import db
from community.timebank import ledger as timebank_ledger
from community.timebank.models import PendingCredit
from community.workorders import orders, states
from community.workorders.models import WorkOrder
from tests.care.conftest import ask_for, order_id_of, version_of


def visit_lasting(app, cast, login, minutes: int) -> int:
    order_id = order_id_of(ask_for(login(cast.elder), cast.elder))
    volunteer = login(cast.volunteer)
    volunteer.post(f"/care/visits/{order_id}/claim")
    volunteer.post(f"/care/visits/{order_id}/arrive", data={"version": version_of(app, order_id)})
    volunteer.post(
        f"/care/visits/{order_id}/done",
        data={"version": version_of(app, order_id), "done": "送饭，陪聊", "mood": "3"},
    )
    with app.app_context():
        visit = db.session.get(CareVisit, order_id)
        assert visit.finished_at is not None
        visit.arrived_at = visit.finished_at - timedelta(minutes=minutes)
        db.session.commit()
    return order_id


def confirm(app, client, order_id):
    return client.post(
        f"/care/visits/{order_id}/confirm", data={"version": version_of(app, order_id)}
    )


def test_the_elder_confirming_a_visit_puts_its_hours_in_the_volunteers_balance(app, cast, login):
    order_id = visit_lasting(app, cast, login, 90)
    with app.app_context():
        assert timebank_ledger.balance_of(db.session, cast.volunteer) == 0
    assert confirm(app, login(cast.elder), order_id).status_code == 302
    with app.app_context():
        assert timebank_ledger.balance_of(db.session, cast.volunteer) == 90
        assert sum(timebank_ledger.all_balances(db.session).values()) == 0
    page = login(cast.volunteer).get("/timebank", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "1.5" in page.get_data(as_text=True)


def test_a_visit_longer_than_its_window_earns_the_window_and_the_office_decides_the_rest(
    app, cast, login
):
    order_id = visit_lasting(app, cast, login, 60 * 5)
    with app.app_context():
        visit = db.session.get(CareVisit, order_id)
        window = int((visit.ends_at - visit.starts_at).total_seconds() // 60)
    assert confirm(app, login(cast.daughter), order_id).status_code == 302
    with app.app_context():
        assert timebank_ledger.balance_of(db.session, cast.volunteer) == window
        pending = db.session.scalars(select(PendingCredit)).one()
        assert (pending.order_id, pending.minutes) == (order_id, 300 - window)


def test_a_visit_nobody_confirmed_earns_its_hours_when_it_closes_by_itself(app, cast, login):
    order_id = visit_lasting(app, cast, login, 45)
    with app.app_context():
        order = db.session.get(WorkOrder, order_id)
        order.resolved_at = utcnow() - timedelta(days=8)
        db.session.commit()
        assert orders.close_unconfirmed(db.session) == 1
        db.session.commit()
        assert db.session.get(WorkOrder, order_id).status == states.CLOSED
        assert timebank_ledger.balance_of(db.session, cast.volunteer) == 45
        # Closing again, or a late confirmation, never credits twice.
        assert orders.close_unconfirmed(db.session) == 0
        assert sum(timebank_ledger.all_balances(db.session).values()) == 0
    assert confirm(app, login(cast.elder), order_id).status_code in (302, 409)
    with app.app_context():
        assert timebank_ledger.balance_of(db.session, cast.volunteer) == 45
