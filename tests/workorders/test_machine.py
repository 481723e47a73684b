"""The work-order state machine: every (state, action, actor) and the rules around it."""

from datetime import timedelta

import pytest

from community.core.db import utcnow
from community.core.errors import Conflict, Invalid, NotAllowed, NotFound
from community.core.extensions import db
from community.notify.models import Notification
from community.repairs import rules as repairs
from community.workorders import machine, orders, states
from community.workorders.models import WorkOrderEvent, WorkOrderFollower
from tests.workorder_helpers import (
    ELDERLY,
    OPERATOR,
    RESIDENT,
    STAFF,
    in_state,
    person,
    report,
    second_staff,
    walk,
)

# What the issue asks for, written out by hand: (state, action) -> who may do it.
EXPECTED = {
    ("submitted", "accept"): {"operator"},
    ("submitted", "reject"): {"operator"},
    ("accepted", "reject"): {"operator"},
    ("submitted", "duplicate"): {"operator"},
    ("accepted", "duplicate"): {"operator"},
    ("accepted", "assign"): {"operator"},
    ("assigned", "assign"): {"operator"},
    ("in_progress", "assign"): {"operator"},
    ("reopened", "assign"): {"operator"},
    ("accepted", "claim"): {"claimant"},
    ("assigned", "release"): {"assignee"},
    ("assigned", "start"): {"assignee"},
    ("reopened", "start"): {"assignee"},
    ("in_progress", "resolve"): {"assignee"},
    ("resolved", "confirm"): {"requester"},
    ("resolved", "reopen"): {"requester"},
    ("resolved", "auto_close"): {"system"},
    ("submitted", "schedule"): {"system"},
    ("submitted", "dispatch"): {"system"},
    ("submitted", "cancel"): {"requester"},
    ("accepted", "cancel"): {"requester"},
    ("assigned", "cancel"): {"requester"},
    ("closed", "rate"): {"requester"},
    **{
        (status, "comment"): {"requester", "assignee", "operator"}
        for status in ["submitted", "accepted", "assigned", "in_progress", "reopened", "resolved"]
    },
}
# Allowed by the table, refused for a repair by its handler: only work taken from the open board
# (a claimable kind) is handed back; the staff member of a repair asks the office instead.
NOT_FOR_REPAIRS = {("assigned", "release", "assignee")}
ACTORS = ["requester", "assignee", "operator", "other_resident", "other_staff", "system"]


@pytest.fixture
def ctx(app, demo):
    with app.app_context():
        second_staff()
        db.session.commit()
        yield db.session


def actor_for(name):
    return {
        "requester": lambda: person(RESIDENT),
        "assignee": lambda: person(STAFF),
        "operator": lambda: person(OPERATOR),
        "other_resident": lambda: person(ELDERLY),
        "other_staff": second_staff,
        "system": lambda: None,
    }[name]()


def fields_for(action, original_id):
    return {
        "accept": {"category": "electrical", "priority": "high"},
        "reject": {"note": "不属于物业维修范围"},
        "duplicate": {"duplicate_of": original_id},
        "assign": {"assignee_id": person(STAFF).id},
        "dispatch": {"assignee_id": person(STAFF).id},
        "resolve": {"note": "已修好"},
        "reopen": {"note": "还是漏水"},
        "rate": {"rating": 4, "note": "师傅很认真"},
        "comment": {"note": "请下午来"},
    }.get(action, {})


def test_the_table_is_the_one_the_issue_describes():
    assert {key: set(rule.who) for key, rule in machine.TRANSITIONS.items()} == EXPECTED


def test_every_state_action_and_actor(ctx):
    original = report(category="plumbing", place_id=None)
    ctx.commit()
    outcomes = {}
    for status in states.STATUSES:
        for action in machine.ACTIONS:
            for actor_name in ACTORS:
                order = in_state(status)
                actor = actor_for(actor_name)
                before = (order.status, order.version)
                try:
                    machine.apply(
                        ctx, order, actor, action, order.version, **fields_for(action, original.id)
                    )
                    outcome = "ok"
                    ctx.refresh(order)
                    assert order.version == before[1] + 1
                    expected_to = machine.TRANSITIONS[(status, action)].to
                    assert order.status == expected_to
                    last = ctx.query(WorkOrderEvent).filter_by(order_id=order.id)
                    assert last.order_by(WorkOrderEvent.id.desc()).first().action == action
                except NotAllowed:
                    outcome = 403
                except Conflict:
                    outcome = 409
                outcomes[(status, action, actor_name)] = outcome
                ctx.rollback()
    for (status, action, actor_name), outcome in outcomes.items():
        allowed = actor_name in EXPECTED.get((status, action), set())
        ever = any(actor_name in who for (s, a), who in EXPECTED.items() if a == action)
        expected = "ok" if allowed else (409 if ever else 403)
        if (status, action, actor_name) in NOT_FOR_REPAIRS:
            expected = 409
        assert outcome == expected, (status, action, actor_name)


def test_an_unknown_action_is_not_found(ctx):
    order = report()
    with pytest.raises(NotFound):
        machine.apply(ctx, order, person(OPERATOR), "teleport", order.version)


def test_a_stale_version_is_a_conflict_and_changes_nothing(ctx):
    order = report()
    version = order.version
    walk(order, "accept")
    ctx.commit()
    with pytest.raises(Conflict):
        machine.apply(ctx, order, person(OPERATOR), "reject", version, note="重复")
    ctx.rollback()
    ctx.refresh(order)
    assert order.status == "accepted"
    assert [e.action for e in order.events] == ["report", "accept"]


def test_accepting_sets_the_due_time_from_the_sla(ctx):
    order = report(category="elevator")
    before = utcnow()
    machine.apply(
        ctx,
        order,
        person(OPERATOR),
        "accept",
        order.version,
        category="elevator",
        priority="urgent",
    )
    ctx.refresh(order)
    # Urgent is 4 hours; elevators get half of that.
    assert timedelta(hours=1, minutes=59) < order.due_at - before < timedelta(hours=2, minutes=1)
    assert order.priority == "urgent"


@pytest.mark.parametrize(
    ("action", "fields", "field"),
    [
        ("accept", {"category": "spaceship", "priority": "high"}, "category"),
        ("accept", {"category": "plumbing", "priority": "whenever"}, "priority"),
        ("reject", {"note": "  "}, "note"),
        ("duplicate", {"duplicate_of": "abc"}, "duplicate_of"),
    ],
)
def test_bad_input_to_an_action_is_refused_with_its_field(ctx, action, fields, field):
    order = report()
    with pytest.raises(Invalid) as error:
        machine.apply(ctx, order, person(OPERATOR), action, order.version, **fields)
    assert error.value.field == field


def test_only_staff_can_be_assigned(ctx):
    order = walk(report(), "accept")
    with pytest.raises(Invalid):
        machine.apply(
            ctx, order, person(OPERATOR), "assign", order.version, assignee_id=person(ELDERLY).id
        )


def test_resolving_needs_a_note_and_rating_is_one_to_five_once(ctx):
    order = walk(report(), "accept", "assign", "start")
    with pytest.raises(Invalid):
        machine.apply(ctx, order, person(STAFF), "resolve", order.version, note="")
    walk(order, "resolve", "confirm")
    resident = person(RESIDENT)
    for bad in (0, 6, None):
        with pytest.raises(Invalid):
            machine.apply(ctx, order, resident, "rate", order.version, rating=bad)
    machine.apply(ctx, order, resident, "rate", order.version, rating=5)
    ctx.refresh(order)
    assert order.rating == 5
    assert "rate" not in machine.allowed_actions(order, resident)
    with pytest.raises(Conflict):
        machine.apply(ctx, order, resident, "rate", order.version, rating=3)


def test_reopening_is_possible_for_seven_days_only(ctx):
    order = walk(report(), "accept", "assign", "start", "resolve")
    resident = person(RESIDENT)
    late = utcnow() + timedelta(days=8)
    assert "reopen" not in machine.allowed_actions(order, resident, now=late)
    with pytest.raises(Conflict):
        machine.apply(ctx, order, resident, "reopen", order.version, note="又坏了", now=late)
    machine.apply(ctx, order, resident, "reopen", order.version, note="又坏了")
    ctx.refresh(order)
    assert order.status == "reopened"
    assert order.assignee_id == person(STAFF).id  # back to the same person
    assert "start" in machine.allowed_actions(order, person(STAFF))


def test_a_resolved_order_closes_itself_after_seven_days(ctx):
    fresh = walk(report(), "accept", "assign", "start", "resolve")
    old = walk(report(), "accept", "assign", "start", "resolve")
    old.resolved_at = utcnow() - timedelta(days=7, minutes=1)
    ctx.commit()
    assert orders.close_unconfirmed(ctx) == 1
    ctx.commit()
    ctx.refresh(old)
    ctx.refresh(fresh)
    assert old.status == "closed"
    assert fresh.status == "resolved"
    assert old.events[-1].action == "auto_close"
    assert old.events[-1].actor_id is None


def test_duplicate_reporters_follow_the_original(ctx):
    original = report(RESIDENT, place_id=1)
    copy = report(ELDERLY, place_id=1)
    machine.apply(ctx, copy, person(OPERATOR), "duplicate", copy.version, duplicate_of=original.id)
    ctx.commit()
    followers = {f.user_id for f in ctx.query(WorkOrderFollower).filter_by(order_id=original.id)}
    assert person(ELDERLY).id in followers
    elderly = person(ELDERLY)
    assert orders.load_order(ctx, elderly, original.id).id == original.id


def test_a_duplicate_must_point_at_an_open_report(ctx):
    closed = walk(report(), "accept", "assign", "start", "resolve", "confirm")
    copy = report(ELDERLY)
    with pytest.raises(Invalid):
        machine.apply(
            ctx, copy, person(OPERATOR), "duplicate", copy.version, duplicate_of=closed.id
        )
    with pytest.raises(Invalid):
        machine.apply(ctx, copy, person(OPERATOR), "duplicate", copy.version, duplicate_of=copy.id)


def test_each_change_notifies_the_people_who_care_but_not_the_actor(ctx):
    # The demo's family: 周小梅 may report for 吴奶奶 (the office linked them).
    daughter = person("13800000005")
    order = repairs.report_repair(
        ctx,
        daughter,
        category="plumbing",
        description="吴奶奶家水龙头坏了",
        on_behalf_of=ELDERLY,
    )
    ctx.commit()
    ctx.query(Notification).delete()
    walk(order, "accept", "assign")
    ctx.commit()
    inbox = {}
    for row in ctx.query(Notification).all():
        inbox.setdefault(row.user_id, []).append(row.title)
    assert set(inbox) == {daughter.id, person(ELDERLY).id, person(STAFF).id}
    assert person(OPERATOR).id not in inbox
    assert len(inbox[daughter.id]) == 2
    assert inbox[person(ELDERLY).id][0].startswith(f"报修 #{order.id}")
