"""The operator reviews sign-ups and gives roles; the admin runs the community settings."""

import pytest

from community.accounts.models import AccountStatus, Role, User
from community.core.extensions import db
from community.directory.models import Community
from tests.conftest import user_id

EN = {"Accept-Language": "en"}


def test_operator_sees_waiting_sign_ups_on_the_home_page_and_approves_one(app, demo, login_as):
    operator = login_as("operator")
    home = operator.get("/", headers=EN).get_data(as_text=True)
    assert "1 waiting" in home
    page = operator.get("/operator/signups").get_data(as_text=True)
    assert "郑新来" in page
    assert "4号楼 1-502" in page
    pending_id = user_id(app, demo["pending"])
    response = operator.post(f"/operator/signups/{pending_id}/approve")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, pending_id).status == AccountStatus.ACTIVE
    newcomer = login_as("pending")
    assert "报修" in newcomer.get("/").get_data(as_text=True)


def test_approving_with_htmx_returns_only_the_row(app, demo, login_as):
    operator = login_as("operator")
    pending_id = user_id(app, demo["pending"])
    response = operator.post(
        f"/operator/signups/{pending_id}/approve", headers={"HX-Request": "true", **EN}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body
    assert f'id="signup-{pending_id}"' in body
    assert "is now a resident" in body


def test_declining_without_a_reason_shows_the_error_and_changes_nothing(app, demo, login_as):
    operator = login_as("operator")
    pending_id = user_id(app, demo["pending"])
    response = operator.post(f"/operator/signups/{pending_id}/reject", data={"note": ""})
    assert response.status_code == 422
    assert "请说明原因" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, pending_id).status == AccountStatus.PENDING


def test_reviewing_twice_is_a_conflict(app, demo, login_as):
    operator = login_as("operator")
    pending_id = user_id(app, demo["pending"])
    operator.post(f"/operator/signups/{pending_id}/approve")
    response = operator.post(f"/operator/signups/{pending_id}/approve", headers=EN)
    assert response.status_code == 409
    assert "already been reviewed" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["resident", "volunteer", "staff", "elderly"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/operator/signups"),
        ("get", "/operator/people"),
        ("post", "/operator/signups/{pending}/approve"),
        ("post", "/operator/people/{pending}/roles/staff"),
        ("get", "/operator/community"),
    ],
)
def test_people_pages_are_for_operators_only(app, demo, login_as, role, method, path):
    client = login_as(role)
    url = path.format(pending=user_id(app, demo["pending"]))
    assert getattr(client, method)(url).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, demo):
    response = client.get("/operator/people")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/operator/people")


def test_operator_makes_a_resident_a_volunteer(app, demo, login_as):
    operator = login_as("operator")
    resident_id = user_id(app, demo["resident"])
    response = operator.post(
        f"/operator/people/{resident_id}/roles/volunteer",
        data={"held": "1"},
        headers={"HX-Request": "true", **EN},
    )
    assert response.status_code == 200
    assert "Remove volunteer" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, resident_id).has_role(Role.VOLUNTEER)


def test_operator_cannot_make_operators_but_admin_can(app, demo, login_as):
    staff_id = user_id(app, demo["staff"])
    operator = login_as("operator")
    page = operator.get("/operator/people", headers=EN).get_data(as_text=True)
    assert "Make operator" not in page
    assert (
        operator.post(f"/operator/people/{staff_id}/roles/operator", data={"held": "1"}).status_code
        == 403
    )
    admin = login_as("admin")
    assert "Make operator" in admin.get("/operator/people", headers=EN).get_data(as_text=True)
    assert (
        admin.post(f"/operator/people/{staff_id}/roles/operator", data={"held": "1"}).status_code
        == 302
    )
    assert "Review sign-ups" in login_as("staff").get("/", headers=EN).get_data(as_text=True)


def test_people_search_finds_by_name_or_phone(demo, login_as):
    operator = login_as("operator")
    page = operator.get("/operator/people?q=周").get_data(as_text=True)
    assert "周小梅" in page
    assert "吴奶奶" not in page
    page = operator.get("/operator/people?q=13800000006").get_data(as_text=True)
    assert "吴奶奶" in page
    assert "周小梅" not in page
    partial = operator.get("/operator/people?q=周", headers={"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True)
    assert "HX-Request" in partial.headers["Vary"]


def test_admin_sets_the_operator_phone_that_large_text_home_calls(app, demo, login_as):
    admin = login_as("admin")
    response = admin.post(
        "/operator/community",
        data={"name": "幸福里社区", "address": "幸福路 88 号", "operator_phone": "010-6666 8888"},
    )
    assert response.status_code == 302
    elderly = login_as("elderly")
    assert 'href="tel:01066668888"' in elderly.get("/").get_data(as_text=True)


def test_community_settings_refuse_a_phone_with_letters(app, demo, login_as):
    admin = login_as("admin")
    response = admin.post(
        "/operator/community", data={"name": "幸福里社区", "operator_phone": "call us"}
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.query(Community).one().operator_phone == "4008001234"


def test_operator_cannot_edit_community_settings(demo, login_as):
    assert login_as("operator").get("/operator/community").status_code == 403


def test_htmx_history_restore_gets_the_whole_page(demo, login_as):
    operator = login_as("operator")
    response = operator.get(
        "/operator/people?q=周",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.get_data(as_text=True)
