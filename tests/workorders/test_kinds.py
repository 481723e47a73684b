"""Kinds of work order as data: a kind declared outside the engine (here a test-only visit that
volunteers claim from an open board) rides the same machine, with its own categories, assignees,
words and links, and a claim that two volunteers race for goes to exactly one."""

import threading
from datetime import timedelta

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.accounts.models import Role, User
from community.core.errors import Conflict, Invalid, NotAllowed
from community.core.events import work_order_changed
from community.core.extensions import db
from community.notify.models import Notification
from community.workorders import kinds, machine
from community.workorders.announce import WORKORDER
from community.workorders.models import WorkOrder, WorkOrderEvent

VISIT = kinds.Kind(
    name="test_visit",
    label=_l("Visit"),
    categories={"chat": _l("A chat"), "shopping": _l("Shopping")},
    sla_hours={"low": 96, "normal": 48, "high": 12, "urgent": 2},
    assignable_roles=frozenset({Role.VOLUNTEER}),
    claim_roles=frozenset({Role.VOLUNTEER}),
    notification_kind=WORKORDER,
    update_title=_l("Visit #%(number)d: %(what)s"),
    link_endpoint="workorders.detail",
)


@pytest.fixture
def visit_kind():
    kinds.declare(VISIT)
    yield VISIT
    kinds.KINDS.pop(VISIT.name)


@pytest.fixture
def board(app, visit_kind, make_user, make_order):
    """An elder's visit the office accepted, unassigned on the open board; two volunteers."""
    with app.app_context():
        elder = make_user(roles=[Role.RESIDENT], name="王奶奶")
        order = make_order(kind=VISIT.name, status="accepted", category="chat", requester=elder)
        first = make_user(roles=[Role.RESIDENT, Role.VOLUNTEER], name="小李")
        second = make_user(roles=[Role.VOLUNTEER], name="小张")
        staff = make_user(roles=[Role.STAFF], name="周师傅")
        db.session.commit()
        return {
            "order": order.id,
            "elder": elder.id,
            "first": first.id,
            "second": second.id,
            "staff": staff.id,
        }


def load(ids, name):
    return db.session.get(WorkOrder if name == "order" else User, ids[name])


def test_a_volunteer_takes_a_visit_from_the_board_and_the_elder_hears_in_its_words(app, board):
    with app.app_context():
        order = load(board, "order")
        assert "claim" in machine.allowed_actions(order, load(board, "first"))
        event = machine.claim(db.session, order, load(board, "first"))
        db.session.commit()
        order = load(board, "order")
        assert (order.status, order.assignee_id) == ("assigned", board["first"])
        assert event.action == "claim"
        title = db.session.scalar(
            select(Notification.title).where(Notification.user_id == board["elder"])
        )
        assert title.startswith(f"Visit #{order.id}: ")  # the kind's words, not "Repair"


def test_a_claimed_visit_is_off_the_board_for_the_next_volunteer(app, board):
    with app.app_context():
        machine.claim(db.session, load(board, "order"), load(board, "first"))
        db.session.commit()
        order = load(board, "order")
        assert "claim" not in machine.allowed_actions(order, load(board, "second"))
        with pytest.raises(Conflict):
            machine.claim(db.session, order, load(board, "second"))


def test_only_those_the_kind_names_may_claim_and_a_repair_is_never_claimed(app, board, make_order):
    with app.app_context():
        with pytest.raises(NotAllowed):
            machine.claim(db.session, load(board, "order"), load(board, "staff"))
        with pytest.raises(NotAllowed):
            machine.claim(db.session, load(board, "order"), load(board, "elder"))
        repair = make_order(kind="repair", status="accepted")
        assert "claim" not in machine.allowed_actions(repair, load(board, "first"))
        with pytest.raises(NotAllowed):
            machine.claim(db.session, repair, load(board, "first"))


def test_the_office_assigns_a_visit_to_a_volunteer_never_to_staff(app, board, make_user):
    with app.app_context():
        operator = make_user(roles=[Role.OPERATOR])
        order = load(board, "order")
        with pytest.raises(Invalid):
            machine.apply(
                db.session, order, operator, "assign", order.version, assignee_id=board["staff"]
            )
        machine.apply(
            db.session, order, operator, "assign", order.version, assignee_id=board["second"]
        )
        db.session.commit()
        assert load(board, "order").assignee_id == board["second"]


def test_accepting_uses_the_kinds_categories_and_hours(app, visit_kind, make_user, make_order):
    with app.app_context():
        operator = make_user(roles=[Role.OPERATOR])
        order = make_order(kind=VISIT.name, status="submitted", category="chat")
        with pytest.raises(Invalid):  # a repair category is not a visit's
            machine.apply(db.session, order, operator, "accept", 1, category="plumbing")
        event = machine.apply(
            db.session, order, operator, "accept", 1, category="shopping", priority="urgent"
        )
        order = db.session.get(WorkOrder, order.id)
        assert order.due_at == event.created_at + timedelta(hours=2)  # the visit's urgent SLA


def test_two_volunteers_claiming_at_once_one_has_it_and_one_event_is_written(app, board):
    results = []
    barrier = threading.Barrier(2)

    def claim(name):
        with app.app_context():
            order = load(board, "order")
            barrier.wait()
            try:
                machine.claim(db.session, order, load(board, name))
                db.session.commit()
                results.append("won")
            except Conflict:
                db.session.rollback()
                results.append("lost")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=claim, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["lost", "won"]
    with app.app_context():
        claims = db.session.scalar(
            select(func.count()).where(
                WorkOrderEvent.order_id == board["order"], WorkOrderEvent.action == "claim"
            )
        )
        assert claims == 1
        assert load(board, "order").assignee_id in (board["first"], board["second"])


def test_a_kind_declared_twice_differently_is_refused(visit_kind):
    with pytest.raises(ValueError, match="declared twice"):
        kinds.declare(kinds.Kind(**{**VISIT.__dict__, "label": _l("Another")}))


def test_signal_receivers_act_in_the_callers_transaction(app, board):
    """A receiver's writes commit with the change and roll back with it."""

    def credit(session, order, event, actor):
        session.add(Notification(user_id=actor.id, kind="workorder", title=f"heard {event.action}"))

    heard = select(func.count()).where(Notification.title == "heard claim")
    with work_order_changed.connected_to(credit), app.app_context():
        machine.claim(db.session, load(board, "order"), load(board, "first"))
        db.session.rollback()
        assert db.session.scalar(heard) == 0
        machine.claim(db.session, load(board, "order"), load(board, "first"))
        db.session.commit()
        assert db.session.scalar(heard) == 1


def test_a_volunteer_hands_a_claim_back_before_starting_and_it_is_on_the_board_again(app, board):
    with app.app_context():
        order = load(board, "order")
        machine.claim(db.session, order, load(board, "first"))
        db.session.commit()
        order = load(board, "order")
        assert "release" in machine.allowed_actions(order, load(board, "first"))
        machine.apply(db.session, order, load(board, "first"), "release", order.version)
        db.session.commit()
        order = load(board, "order")
        assert (order.status, order.assignee_id) == ("accepted", None)
        machine.claim(db.session, order, load(board, "second"))
        db.session.commit()
        order = load(board, "order")
        machine.apply(db.session, order, load(board, "second"), "start", order.version)
        db.session.commit()
        order = load(board, "order")
        # Once started, it is no longer handed back.
        assert "release" not in machine.allowed_actions(order, load(board, "second"))
        with pytest.raises(Conflict):
            machine.apply(db.session, order, load(board, "second"), "release", order.version)
        actions = db.session.scalars(
            select(WorkOrderEvent.action).where(WorkOrderEvent.order_id == board["order"])
        ).all()
        assert actions == ["claim", "release", "claim", "start"]


def test_a_repair_is_never_handed_back_by_its_staff(app, make_user, make_order):
    with app.app_context():
        staff = make_user(roles=[Role.STAFF])
        order = make_order(kind="repair", status="assigned", assignee=staff)
        assert "release" not in machine.allowed_actions(order, staff)
        with pytest.raises(Conflict):
            machine.apply(db.session, order, staff, "release", order.version)


def test_someone_acting_for_the_requester_is_judged_as_them_and_recorded_as_themselves(
    app, board, make_user
):
    with app.app_context():
        order = load(board, "order")
        daughter = make_user(roles=[Role.RESIDENT], name="女儿")
        with pytest.raises(NotAllowed):
            machine.apply(db.session, order, daughter, "cancel", order.version)
        event = machine.apply(
            db.session, order, daughter, "cancel", order.version, acting_for=load(board, "elder")
        )
        db.session.commit()
        assert load(board, "order").status == "cancelled"
        assert event.actor_id == daughter.id
