"""Races with real concurrent requests (a thread and a client each), on SQLite and PostgreSQL:
fifty volunteers tapping one visit, "done" sent twice, "yes, it happened" sent twice."""

from sqlalchemy import func, select

from community.accounts.models import Role
from community.care.models import CareVisit
from community.core.events import visit_confirmed
from community.core.extensions import db
from community.workorders.models import WorkOrder, WorkOrderEvent
from tests.care.conftest import PASSWORD, ask_for, order_id_of, version_of
from tests.threads import at_once, logged_in_clients


def volunteers(app, make_user, count):
    return logged_in_clients(app, make_user, Role.VOLUNTEER, count, PASSWORD, locale="en")


def test_fifty_volunteers_claim_one_visit_at_once_one_wins_and_the_timeline_stays_whole(
    app, cast, login, make_user
):
    order_id = order_id_of(ask_for(login(cast.elder), cast.elder))
    clients, ids = volunteers(app, make_user, 50)
    tokens = [client.csrf_token() for client in clients]

    def claim(client, token):
        def call():
            response = client.post(
                f"/care/visits/{order_id}/claim", data={"csrf_token": token}, csrf=False
            )
            return response.status_code, response.get_data(as_text=True)

        return call

    results = at_once([claim(c, t) for c, t in zip(clients, tokens, strict=True)])
    statuses = [status for status, _page in results]
    assert statuses.count(302) == 1
    assert statuses.count(409) == 49
    # The others are told, on the board, that it was taken.
    assert all(
        "Someone else took this visit a moment ago." in page
        for status, page in results
        if status == 409
    )
    winner = ids[statuses.index(302)]
    with app.app_context():
        order = db.session.get(WorkOrder, order_id)
        assert (order.status, order.assignee_id) == ("assigned", winner)
        events = db.session.execute(
            select(WorkOrderEvent.action, WorkOrderEvent.actor_id, WorkOrderEvent.to_status)
            .where(WorkOrderEvent.order_id == order_id)
            .order_by(WorkOrderEvent.id)
        ).all()
        assert [(a, s) for a, _actor, s in events] == [
            ("report", "submitted"),
            ("schedule", "accepted"),
            ("claim", "assigned"),
        ]
        assert events[-1][1] == winner
        assert order.version == 3  # scheduled, claimed: nothing else wrote to it


def test_done_sent_twice_at_once_records_one_visit_and_one_concern(app, cast, login):
    order_id = order_id_of(ask_for(login(cast.elder), cast.elder))
    tabs = [login(cast.volunteer) for _ in range(2)]
    assert tabs[0].post(f"/care/visits/{order_id}/claim").status_code == 302
    assert (
        tabs[0]
        .post(f"/care/visits/{order_id}/arrive", data={"version": version_of(app, order_id)})
        .status_code
        == 302
    )
    version = version_of(app, order_id)
    tokens = [tab.csrf_token() for tab in tabs]

    def done(tab, token):
        return lambda: (
            tab.post(
                f"/care/visits/{order_id}/done",
                data={
                    "csrf_token": token,
                    "version": version,
                    "done": "陪奶奶聊天",
                    "mood": "1",
                    "concern": "奶奶腿肿了",
                },
                csrf=False,
            ).status_code
        )

    assert sorted(at_once([done(t, k) for t, k in zip(tabs, tokens, strict=True)])) == [302, 409]
    with app.app_context():
        resolved = db.session.scalar(
            select(func.count())
            .select_from(WorkOrderEvent)
            .where(WorkOrderEvent.order_id == order_id, WorkOrderEvent.action == "resolve")
        )
        assert resolved == 1
        concerns = db.session.scalars(
            select(WorkOrder.id).where(WorkOrder.kind == "care_concern")
        ).all()
        assert len(concerns) == 1
        assert db.session.get(CareVisit, order_id).concern_order_id == concerns[0]


def test_confirm_sent_twice_at_once_tells_the_time_bank_once(app, cast, login):
    order_id = order_id_of(ask_for(login(cast.elder), cast.elder))
    volunteer = login(cast.volunteer)
    volunteer.post(f"/care/visits/{order_id}/claim")
    volunteer.post(f"/care/visits/{order_id}/arrive", data={"version": version_of(app, order_id)})
    volunteer.post(
        f"/care/visits/{order_id}/done",
        data={"version": version_of(app, order_id), "done": "送饭", "mood": "3"},
    )
    heard = []

    def listen(session, **values):
        heard.append(values["elder_id"])

    visit_confirmed.connect(listen)
    try:
        family = [login(cast.elder), login(cast.daughter)]
        tokens = [client.csrf_token() for client in family]
        version = version_of(app, order_id)

        def confirm(client, token):
            return lambda: (
                client.post(
                    f"/care/visits/{order_id}/confirm",
                    data={"csrf_token": token, "version": version},
                    csrf=False,
                ).status_code
            )

        statuses = at_once([confirm(c, t) for c, t in zip(family, tokens, strict=True)])
    finally:
        visit_confirmed.disconnect(listen)
    assert sorted(statuses) == [302, 409]
    assert heard == [cast.elder]
