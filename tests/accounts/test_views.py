"""Signing up, logging in and out, passwords, throttling and CSRF, as a person would."""

from community.accounts.models import LoginSession, User
from community.core.extensions import db
from community.demo import DEMO_PASSWORD
from community.directory.models import Unit
from tests.conftest import Client

EN = {"Accept-Language": "en"}


def signup_data(app, **changes):
    with app.app_context():
        unit_id = db.session.query(Unit.id).order_by(Unit.id).first()[0]
    data = {
        "name": "王芳",
        "login": "13911112222",
        "unit": str(unit_id),
        "password": "a good password",
        "confirm": "a good password",
    }
    data.update(changes)
    return data


def test_newcomer_signs_up_and_waits_for_approval(app, demo, client):
    response = client.post("/signup", data=signup_data(app))
    assert response.status_code == 302
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "Waiting for approval" in page
    assert "1号楼" in page  # the home they chose


def test_signup_form_lists_homes_grouped_by_building(app, demo, client):
    page = client.get("/signup").get_data(as_text=True)
    assert '<optgroup label="3号楼">' in page
    assert "3号楼 1-101" in page


def test_signup_errors_stand_next_to_their_field(app, demo, client):
    response = client.post("/signup", data=signup_data(app, confirm="something else"), headers=EN)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="confirm-error"' in page
    assert "The two passwords are not the same." in page
    assert 'aria-invalid="true"' in page


def test_signup_with_a_taken_phone_keeps_nothing(app, demo, client):
    response = client.post("/signup", data=signup_data(app, login="13800000005"), headers=EN)
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(User).filter_by(name="王芳").count() == 0


def test_pending_person_is_kept_out_of_everything_but_the_waiting_page(demo, login_as):
    client = login_as("pending")
    assert "等待审核" in client.get("/").get_data(as_text=True)
    for path in ["/operator/signups", "/operator/people", "/operator/community"]:
        assert client.get(path).status_code == 403


def test_wrong_password_gives_a_clear_message(demo, client):
    response = client.post("/login", data={"login": "13800000005", "password": "nope"}, headers=EN)
    assert response.status_code == 422
    assert "Wrong phone, email or password." in response.get_data(as_text=True)


def test_declined_person_cannot_log_in_and_is_told_why(app, demo, login_as):
    operator = login_as("operator")
    from tests.conftest import user_id

    pending_id = user_id(app, demo["pending"])
    operator.post(f"/operator/signups/{pending_id}/reject", data={"note": "不是本小区住户"})
    response = app.test_client().login(demo["pending"])
    assert response.status_code == 403
    assert "不是本小区住户" in response.get_data(as_text=True)


def test_login_sends_you_back_where_you_were_going_but_never_off_site(demo, app):
    client = app.test_client()
    response = client.post(
        "/login",
        data={"login": demo["operator"], "password": DEMO_PASSWORD, "next": "/operator/people"},
    )
    assert response.headers["Location"] == "/operator/people"
    for evil in ["https://evil.example/", "//evil.example/", "/\\evil.example"]:
        client = app.test_client()
        response = client.post(
            "/login", data={"login": demo["operator"], "password": DEMO_PASSWORD, "next": evil}
        )
        assert response.headers["Location"] == "/"


def test_failed_logins_are_throttled_per_account(make_app, demo):
    app = make_app(LOGIN_LIMIT_ACCOUNT="3 per 15 minutes", LOGIN_LIMIT_ADDRESS="100 per minute")
    for attempt in range(3):
        client = app.test_client()
        # Each attempt from a different address, against the same account typed differently.
        login = ["13800000005", "138 0000 0005", "+8613800000005"][attempt]
        response = client.post(
            "/login",
            data={"login": login, "password": "wrong"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{attempt}"},
        )
        assert response.status_code == 422
    response = app.test_client().post(
        "/login",
        data={"login": "13800000005", "password": DEMO_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
        headers=EN,
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    # Another account is not affected.
    assert app.test_client().login("13800000004").status_code == 302


def test_failed_logins_are_throttled_per_address(make_app, demo):
    app = make_app(LOGIN_LIMIT_ACCOUNT="100 per minute", LOGIN_LIMIT_ADDRESS="3 per 15 minutes")
    client = app.test_client()
    for login in ["13800000005", "13800000004", "13800000003"]:
        assert client.post("/login", data={"login": login, "password": "x"}).status_code == 422
    response = client.post("/login", data={"login": "13800000002", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "尝试次数过多" in response.get_data(as_text=True)


def test_successful_logins_are_not_counted_as_failures(make_app, demo):
    app = make_app(LOGIN_LIMIT_ACCOUNT="2 per 15 minutes")
    for _ in range(4):
        assert app.test_client().login("13800000005").status_code == 302


def test_logout_really_ends_the_session(app, demo, login_as):
    client = login_as("resident")
    stolen_cookie = client.get_cookie("session").value
    assert client.post("/logout").status_code == 302
    assert "Hello" not in client.get("/", headers=EN).get_data(as_text=True)
    # Someone replaying the old cookie is not logged in either.
    replay = app.test_client()
    replay.set_cookie("session", stolen_cookie)
    assert replay.get("/settings", headers=EN).get_data(as_text=True).count("Log out") == 0
    with app.app_context():
        assert db.session.query(LoginSession).count() == 0


def test_logout_needs_a_post(demo, login_as):
    client = login_as("resident")
    assert client.get("/logout").status_code == 405


def test_changing_password_ends_other_sessions_but_keeps_this_one(app, demo, login_as):
    phone, other_phone = login_as("resident"), login_as("resident")
    response = phone.post(
        "/password",
        data={
            "current_password": DEMO_PASSWORD,
            "new_password": "new secret pass",
            "confirm": "new secret pass",
        },
    )
    assert response.status_code == 302
    assert phone.get("/operator/people").status_code == 403  # still logged in: 403, not a login
    assert other_phone.get("/", headers=EN).get_data(as_text=True).count("Hello") == 0
    assert app.test_client().login("13800000005").status_code == 422
    assert app.test_client().login("13800000005", "new secret pass").status_code == 302


def test_changing_password_needs_the_current_one(demo, login_as):
    client = login_as("resident")
    response = client.post(
        "/password",
        data={"current_password": "guess", "new_password": "new secret", "confirm": "new secret"},
        headers=EN,
    )
    assert response.status_code == 422
    assert "That is not your current password." in response.get_data(as_text=True)


def test_password_page_needs_login(client):
    response = client.get("/password")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_post_without_csrf_token_is_refused(app, demo, login_as):
    client = login_as("resident")
    response = client.post("/settings/large-text", data={"large_text": "1"}, csrf=False)
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    response = app.test_client().post(
        "/login", data={"login": "13800000005", "password": DEMO_PASSWORD}, csrf=False
    )
    assert response.status_code == 400


def test_htmx_requests_carry_the_token_in_a_header(demo, login_as):
    client: Client = login_as("resident")
    token = client.csrf_token()
    response = client.post(
        "/settings/large-text",
        data={"large_text": "1"},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
        csrf=False,
    )
    assert response.status_code == 302
