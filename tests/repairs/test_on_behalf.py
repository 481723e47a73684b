"""Issue 8, item 8: acting for someone else needs a recorded relation; the answer never tells
who is registered; lookups are rate-limited; the office records and removes family links."""

import re

import pytest
from sqlalchemy import select

from community.accounts.models import Relation
from community.core.extensions import db
from community.workorders.models import WorkOrder
from tests.workorder_helpers import person

EN = {"Accept-Language": "en"}
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}")
RESIDENT, ELDERLY, VOLUNTEER = "13800000005", "13800000006", "13800000004"
STAFF, OPERATOR = "13800000003", "13800000002"
REFUSED = (
    "You can only do this for someone the community office has linked to you. "
    "Check the number, or ask the office to record your family link."
)


def report_for(client, login: str):
    return client.post(
        "/repairs/new",
        data={
            "category": "plumbing",
            "place": "0",
            "description": "Tap drips",
            "on_behalf_of": login,
        },
        headers=EN,
    )


def orders(app) -> list[WorkOrder]:
    with app.app_context():
        return db.session.scalars(select(WorkOrder)).all()


def test_family_the_office_linked_can_report_for_each_other(app, login_as):
    """The demo links 周小梅 and 吴奶奶 (the office checked it)."""
    response = report_for(login_as("resident"), ELDERLY)
    assert response.status_code == 302
    response = report_for(login_as("elderly"), RESIDENT)
    assert response.status_code == 302
    with app.app_context():
        made = db.session.scalars(select(WorkOrder).order_by(WorkOrder.id)).all()
        assert [o.on_behalf_of_id for o in made] == [person(ELDERLY).id, person(RESIDENT).id]
        assert made[0].unit_id == person(ELDERLY).unit_id  # her home is the place


@pytest.mark.parametrize(
    "target",
    [
        RESIDENT,  # a registered resident, not linked to the volunteer
        "13912345678",  # nobody has this number
        "someone@example.com",  # nor this email
        STAFF,  # registered, but not a resident
        "not a number",
    ],
    ids=["neighbour", "unknown-phone", "unknown-email", "staff", "junk"],
)
def test_without_a_relation_the_answer_is_the_same_whoever_the_number_belongs_to(
    app, login_as, target
):
    volunteer = login_as("volunteer")  # 李志愿: a resident and volunteer, linked to nobody
    response = report_for(volunteer, target)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert REFUSED in body
    for name in ("周小梅", "孙师傅", "2-301"):
        assert name not in body.split("<main", 1)[-1]
    assert orders(app) == []


def test_the_refusals_for_a_neighbour_and_for_a_stranger_are_the_same_page(login_as):
    volunteer = login_as("volunteer")
    neighbour = report_for(volunteer, RESIDENT).get_data(as_text=True)
    stranger = report_for(volunteer, "13912345678").get_data(as_text=True)

    def without_echo(page: str, typed: str) -> str:
        # The form shows back what was typed; everything else must be identical but the
        # CSRF tokens, which carry the second they were signed in.
        page = TOKEN_RE.sub("", page)
        return page.replace(typed, "")

    assert without_echo(neighbour, RESIDENT) == without_echo(stranger, "13912345678")


@pytest.mark.parametrize("role", ["staff", "operator"])
def test_staff_and_the_office_may_report_for_any_resident(app, login_as, role):
    response = report_for(login_as(role), RESIDENT)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(WorkOrder)).one().on_behalf_of_id == person(RESIDENT).id


def test_lookups_are_limited_per_person(demo_app_factory):
    app = demo_app_factory(ON_BEHALF_LIMIT="3 per hour")
    volunteer = app.test_client()
    volunteer.login(VOLUNTEER)
    for attempt in range(3):
        assert report_for(volunteer, f"1391234567{attempt}").status_code == 422
    limited = report_for(volunteer, RESIDENT)
    assert limited.status_code == 429
    assert "Too many attempts" in limited.get_data(as_text=True)
    # Reporting for oneself is not a lookup and goes on working.
    own = volunteer.post(
        "/repairs/new",
        data={"category": "plumbing", "place": "0", "description": "Tap drips"},
        headers=EN,
    )
    assert own.status_code == 302
    # Another person has their own allowance.
    resident = app.test_client()
    resident.login(RESIDENT)
    assert report_for(resident, ELDERLY).status_code == 302


@pytest.fixture
def demo_app_factory(make_app):
    from community.demo import load_demo

    def make(**config):
        app = make_app(**config)
        with app.app_context():
            load_demo(db.session, with_repairs=False)
            db.session.commit()
        return app

    return make


# --- The office records family links --------------------------------------------------------


def family_page(app, login: str) -> str:
    with app.app_context():
        return f"/operator/people/{person(login).id}/family"


def test_the_office_links_two_residents_and_the_link_lets_them_act_for_each_other(app, login_as):
    volunteer = login_as("volunteer")
    assert report_for(volunteer, RESIDENT).status_code == 422
    operator = login_as("operator")
    people = operator.get("/operator/people", headers=EN).get_data(as_text=True)
    assert family_page(app, VOLUNTEER) in people
    response = operator.post(family_page(app, VOLUNTEER), data={"relative": RESIDENT}, headers=EN)
    assert response.status_code == 302
    page = operator.get(family_page(app, VOLUNTEER), headers=EN).get_data(as_text=True)
    assert "李志愿 and 周小梅 are linked as family." in page
    assert "Remove the link with 周小梅" in page
    assert report_for(volunteer, RESIDENT).status_code == 302
    # Recording it again changes nothing.
    operator.post(family_page(app, RESIDENT), data={"relative": VOLUNTEER}, headers=EN)
    with app.app_context():
        links = db.session.scalars(select(Relation)).all()
        assert len(links) == 2  # the demo's, and this one
        link_id = next(
            link.id for link in links if person(VOLUNTEER).id in (link.person_id, link.relative_id)
        )
    removed = operator.post(f"{family_page(app, RESIDENT)}/{link_id}/remove", headers=EN)
    assert removed.status_code == 302
    assert report_for(volunteer, RESIDENT).status_code == 422


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        ("13912345678", "No resident has this phone number or email."),
        (STAFF, "No resident has this phone number or email."),
        (VOLUNTEER, "Choose someone other than the person themselves."),
        ("", "This field is required."),
    ],
)
def test_the_office_is_told_why_a_link_cannot_be_recorded(app, login_as, relative, message):
    operator = login_as("operator")
    response = operator.post(family_page(app, VOLUNTEER), data={"relative": relative}, headers=EN)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert len(db.session.scalars(select(Relation)).all()) == 1  # only the demo's


@pytest.mark.parametrize("role", ["resident", "staff", "volunteer"])
def test_only_the_office_manages_family_links(app, login_as, role):
    client = login_as(role)
    assert client.get(family_page(app, RESIDENT)).status_code == 403
    assert client.post(family_page(app, RESIDENT), data={"relative": VOLUNTEER}).status_code == 403


def test_removing_a_link_of_someone_else_is_not_found(app, login_as):
    with app.app_context():
        demo_link = db.session.scalars(select(Relation)).one().id
    operator = login_as("operator")
    response = operator.post(f"{family_page(app, VOLUNTEER)}/{demo_link}/remove")
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Relation, demo_link) is not None
