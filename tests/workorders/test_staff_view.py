"""Issue 8, item 5: the staff work list shows priority in words, urgent first; the order page
gives the assigned staff member (and the office) the resident's phone, and nobody else."""

import re

import pytest

from community.core.extensions import db
from community.directory.models import Place
from community.repairs import rules as repairs
from community.workorders import machine
from community.workorders.models import WorkOrder
from tests.workorder_helpers import ELDERLY, OPERATOR, RESIDENT, person, report, second_staff, walk

EN = {"Accept-Language": "en"}
RESIDENT_TEL = f'href="tel:{RESIDENT}"'
ELDERLY_TEL = f'href="tel:{ELDERLY}"'


def accepted_and_assigned(priority: str, description: str, **values) -> WorkOrder:
    order = report(description=description, **values)
    walk(order, "accept")
    order.priority = priority  # as the operator set it when accepting
    db.session.flush()
    return walk(order, "assign")


def test_the_work_list_says_the_priority_and_puts_urgent_first(app, login_as):
    with app.app_context():
        normal = accepted_and_assigned("normal", "门锁坏了").id
        high = accepted_and_assigned("high", "楼道灯不亮").id
        urgent = accepted_and_assigned("urgent", "电梯困人").id
        db.session.commit()
    page = login_as("staff").get("/work", headers=EN).get_data(as_text=True)
    listed = [int(n) for n in re.findall(r'<span class="order-number">#(\d+)</span>', page)]
    assert listed[0] == urgent
    assert set(listed) == {normal, high, urgent}
    cards = dict(zip(listed, page.split('<li class="card list-item order-card')[1:], strict=True))
    assert '<strong class="priority priority-urgent">Priority: Urgent</strong>' in cards[urgent]
    assert '<strong class="priority priority-high">Priority: High</strong>' in cards[high]
    assert "Priority: Normal" in cards[normal]
    assert "<strong" not in cards[normal].split("Priority: Normal")[0].rsplit("<p>", 1)[-1]


@pytest.fixture
def order_for_elderly(app, demo):
    """The resident's report for her elderly neighbour, accepted and assigned to the staff."""
    with app.app_context():
        order = report(RESIDENT, description="帮吴奶奶报修：水龙头坏了")
        order.on_behalf_of_id = person(ELDERLY).id
        db.session.flush()
        walk(order, "accept", "assign")
        db.session.commit()
        return order.id


def test_the_assigned_staff_member_can_call_the_resident_and_the_person_it_is_for(
    login_as, order_for_elderly
):
    page = login_as("staff").get(f"/repairs/{order_for_elderly}", headers=EN).get_data(as_text=True)
    assert RESIDENT_TEL in page
    assert ELDERLY_TEL in page
    assert f"Call 吴奶奶: {ELDERLY}" in page


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_the_office_can_call_the_resident(login_as, order_for_elderly, role):
    page = login_as(role).get(f"/repairs/{order_for_elderly}").get_data(as_text=True)
    assert RESIDENT_TEL in page
    assert ELDERLY_TEL in page


def test_staff_no_longer_assigned_cannot_see_the_order_or_the_phone(
    app, login_as, order_for_elderly
):
    with app.app_context():
        order = db.session.get(WorkOrder, order_for_elderly)
        other = second_staff()
        machine.apply(
            db.session, order, person(OPERATOR), "assign", order.version, assignee_id=other.id
        )
        db.session.commit()
    response = login_as("staff").get(f"/repairs/{order_for_elderly}")
    assert response.status_code == 404
    assert RESIDENT not in response.get_data(as_text=True)


def test_residents_never_see_a_phone_number_on_an_order(app, login_as, demo):
    """Not the requester on her own report, and not a neighbour who joined it ("me too")."""
    with app.app_context():
        garden = db.session.query(Place).filter_by(name="中心花园").one()
        order = report(RESIDENT, place_id=garden.id, category="public_area", description="路灯坏")
        walk(order, "accept", "assign")
        repairs.follow(db.session, person(ELDERLY), order.id)
        db.session.commit()
        order_id = order.id
    for role in ("resident", "elderly"):
        page = login_as(role).get(f"/repairs/{order_id}").get_data(as_text=True)
        assert "tel:138" not in page
        assert RESIDENT not in page
    staff_page = login_as("staff").get(f"/repairs/{order_id}").get_data(as_text=True)
    assert RESIDENT_TEL in staff_page
    assert ELDERLY_TEL not in staff_page  # a follower is not whom the order is for


def test_a_finished_order_no_longer_gives_staff_the_phone(app, login_as, demo):
    with app.app_context():
        order = walk(report(RESIDENT), "accept", "assign", "start", "resolve", "confirm")
        db.session.commit()
        order_id = order.id
    page = login_as("staff").get(f"/repairs/{order_id}").get_data(as_text=True)
    assert RESIDENT_TEL not in page
    assert f"#{order_id}" in page  # the order itself is still theirs to see
