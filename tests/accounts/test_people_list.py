"""The office's list of people: a page at a time with a "More" link that needs no JS, the same
statements however many people a page shows, junk in the link never an error, and a card
after a role change that matches the card in the list."""

import re

import pytest

from community.accounts import directory
from community.accounts.models import AccountStatus, User, UserRole
from community.core.extensions import db
from tests.conftest import user_id
from tests.querycount import queries_for

EN = {"Accept-Language": "en"}
HTMX = {"HX-Request": "true", **EN}


def add_people(app, count: int, start: int) -> list[int]:
    with app.app_context():
        people = []
        for n in range(start, start + count):
            person = User(
                name=f"新住户{n}",
                phone=f"1360000{n:04d}",
                password_hash="never logs in",
                status=AccountStatus.ACTIVE,
            )
            person.role_rows = [UserRole(role="resident"), UserRole(role="volunteer")]
            people.append(person)
        db.session.add_all(people)
        db.session.commit()
        return [person.id for person in people]


def cards(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="card list-item" id="person-(\d+)">', page)]


def test_the_list_comes_a_page_at_a_time(app, demo, login_as, monkeypatch):
    monkeypatch.setattr(directory, "PAGE_SIZE", 3)
    added = add_people(app, 5, 0)
    operator = login_as("operator")
    seen: list[int] = []
    path = "/operator/people?q=新住户"
    while path:
        page = operator.get(path, headers=EN).get_data(as_text=True)
        shown = cards(page)
        assert 0 < len(shown) <= 3
        seen += shown
        more = re.search(r'<a class="button" href="([^"]+)">More</a>', page)
        path = more.group(1).replace("&amp;", "&") if more else None
    assert seen == added


@pytest.mark.parametrize("after", ["abc", "-1", "0", "99999999999", ""])
def test_junk_in_the_more_link_shows_the_first_page(app, demo, login_as, after):
    operator = login_as("operator")
    first = cards(operator.get("/operator/people").get_data(as_text=True))
    response = operator.get(f"/operator/people?after={after}")
    assert response.status_code == 200
    assert cards(response.get_data(as_text=True)) == first


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_a_page_costs_the_same_however_many_people_it_shows(app, demo, login_as, role):
    client = login_as(role)
    few = queries_for(app, client, "/operator/people")
    few_found = queries_for(app, client, "/operator/people?q=新住户")
    add_people(app, 30, 100)
    assert queries_for(app, client, "/operator/people") == few
    assert queries_for(app, client, "/operator/people?q=新住户") == few_found
    assert queries_for(app, client, "/operator/people?q=新住户&after=1") == few_found


def test_each_card_shows_the_roles_and_the_buttons_of_that_person(app, demo, login_as):
    [newcomer] = add_people(app, 1, 200)
    page = login_as("operator").get("/operator/people?q=新住户", headers=EN).get_data(as_text=True)
    assert cards(page) == [newcomer]
    card = page.split(f'id="person-{newcomer}"')[1]
    assert '<li class="role role-resident">resident</li>' in card
    assert '<li class="role role-volunteer">volunteer</li>' in card
    assert f'href="/operator/people/{newcomer}/family"' in card
    assert f'action="/operator/people/{newcomer}/reset-code"' in card
    assert f'hx-post="/operator/people/{newcomer}/roles/volunteer"' in card
    assert "Remove volunteer" in card
    assert "Make service staff" in card


def test_the_card_after_a_role_change_is_the_card_the_list_shows(app, demo, login_as):
    operator = login_as("operator")
    resident = user_id(app, demo["resident"])
    swapped = operator.post(
        f"/operator/people/{resident}/roles/staff", data={"held": "1"}, headers=HTMX
    ).get_data(as_text=True)
    assert "Remove service staff" in swapped
    page = operator.get("/operator/people", headers=EN).get_data(as_text=True)
    start = page.index(f'<li class="card list-item" id="person-{resident}">')
    listed = page[start : page.index("</li>\n", page.index("</form>\n  </div>\n", start)) + 5]

    def without_tokens(html: str) -> str:
        return re.sub(r'name="csrf_token" value="[^"]+"', "", html).strip()

    assert without_tokens(listed) in without_tokens(swapped)


def test_without_js_a_role_change_comes_back_to_the_same_search_and_page(app, demo, login_as):
    operator = login_as("operator")
    ids = add_people(app, directory.PAGE_SIZE + 5, start=500)
    first = operator.get("/operator/people?q=新住户", headers=EN).get_data(as_text=True)
    after = re.search(r'after=(\d+)">More', first).group(1)
    second = operator.get(f"/operator/people?q=新住户&after={after}", headers=EN)
    page = second.get_data(as_text=True)
    person = cards(page)[0]
    assert person in ids
    form = re.search(
        rf'<form method="post" action="/operator/people/{person}/roles/staff".*?</form>', page, re.S
    ).group(0)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    assert fields["q"] == "新住户"
    assert fields["after"] == after
    response = operator.post(f"/operator/people/{person}/roles/staff", data=fields, headers=EN)
    assert response.status_code == 302
    back = response.headers["Location"]
    assert back.endswith(f"#person-{person}")
    assert f"after={after}" in back
    assert "q=%E6%96%B0%E4%BD%8F%E6%88%B7" in back
    again = operator.get(back.split("#")[0], headers=EN).get_data(as_text=True)
    assert person in cards(again)
    assert "Roles of 新住户" in again
