"""The staff member's work list comes in pages: urgent first across all of them, a next link
that works without JS, junk page numbers never an error, and the same statements per page
however many orders the person has."""

import re

import pytest

from community.core.extensions import db
from community.workorders import orders, states
from tests.querycount import queries_for
from tests.workorder_helpers import in_state

EN = {"Accept-Language": "en"}


def listed(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<span class="order-number">#(\d+)</span>', page)]


def assigned(app, count: int, priority: str = "normal") -> list[int]:
    with app.app_context():
        made = []
        for _ in range(count):
            order = in_state(states.ASSIGNED)
            order.priority = priority
            made.append(order)
        db.session.commit()
        return [order.id for order in made]


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(orders, "STAFF_PAGE_SIZE", 3)


def test_the_work_list_pages_with_urgent_ones_first(app, demo, login_as, small_pages):
    normal = assigned(app, 4)
    urgent = assigned(app, 3, "urgent")
    staff = login_as("staff")
    first = staff.get("/work", headers=EN).get_data(as_text=True)
    assert listed(first) == urgent
    assert 'rel="next" href="/work?page=2"' in first
    assert "Back to the first page" not in first
    second = staff.get("/work?page=2", headers=EN).get_data(as_text=True)
    third = staff.get("/work?page=3", headers=EN).get_data(as_text=True)
    assert sorted(listed(second) + listed(third)) == sorted(normal)
    assert len(listed(second)) == 3
    assert 'href="/work?page=3"' in second
    assert "Page 3" in third
    assert 'rel="next"' not in third
    assert 'href="/work">Back to the first page' in third


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "99999999999999", ""])
def test_a_bad_page_number_shows_the_first_page(app, demo, login_as, small_pages, page):
    first = assigned(app, 2)
    response = login_as("staff").get(f"/work?page={page}", headers=EN)
    assert response.status_code == 200
    assert listed(response.get_data(as_text=True)) == first


def test_a_page_past_the_end_says_so(app, demo, login_as, small_pages):
    assigned(app, 2)
    response = login_as("staff").get("/work?page=2147483647", headers=EN)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert listed(text) == []
    assert "Nothing more on this page" in text
    assert "Back to the first page" in text


def test_a_page_costs_the_same_however_many_orders(app, demo, login_as, small_pages):
    staff = login_as("staff")
    assigned(app, 1)
    few = queries_for(app, staff, "/work")
    assigned(app, 8)
    assert queries_for(app, staff, "/work") == few
    assert queries_for(app, staff, "/work?page=2") == few
