"""Issue 8, item 7: a person edits their name, asks to move home (the office approves it as it
does a sign-up), and gets back into their account with a one-time code from the office."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from community.accounts import changes
from community.accounts.models import LoginSession, PasswordReset, User
from community.core.db import utcnow
from community.core.errors import NotAllowed
from community.core.extensions import db
from community.demo import DEMO_PASSWORD
from community.directory.models import Unit
from tests.conftest import user_id

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
CODE_RE = re.compile(r'id="reset-code"><strong>(\d{4} \d{4})</strong>')
NEW_PASSWORD = "river lantern 7 tea"


def person(app, login: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == login))
        db.session.expunge(user)
        return user


def other_unit(app, login: str) -> int:
    with app.app_context():
        current = db.session.scalar(select(User.unit_id).where(User.phone == login))
        return db.session.scalar(select(Unit.id).where(Unit.id != current).order_by(Unit.id))


# ---- The name -----------------------------------------------------------------------------


def test_a_resident_changes_their_name(app, demo, login_as):
    client = login_as("resident")
    response = client.post("/account/name", data={"name": "  王小芳 "})
    assert response.status_code == 303
    assert person(app, demo["resident"]).name == "王小芳"
    assert "王小芳" in client.get("/account").get_data(as_text=True)


@pytest.mark.parametrize("name", ["", "   ", "名" * 61])
def test_a_name_that_is_empty_or_too_long_is_refused(app, demo, login_as, name):
    before = person(app, demo["resident"]).name
    response = login_as("resident").post("/account/name", data={"name": name}, headers=EN)
    assert response.status_code == 422
    assert 'id="name-error"' in response.get_data(as_text=True)
    assert person(app, demo["resident"]).name == before


def test_a_pending_person_can_fix_their_name_too(app, demo, client):
    assert client.login(demo["pending"]).status_code == 302
    assert client.post("/account/name", data={"name": "新名字"}).status_code == 303
    assert person(app, demo["pending"]).name == "新名字"


# ---- Moving home ----------------------------------------------------------------------------


def ask_to_move(app, demo, client, login="resident") -> int:
    unit = other_unit(app, demo[login])
    response = client.post("/account/move", data={"unit": str(unit)})
    assert response.status_code == 303
    return unit


def test_a_move_waits_for_the_office_and_the_old_home_stays(app, demo, login_as):
    old_home = person(app, demo["resident"]).unit_id
    client = login_as("resident")
    new_home = ask_to_move(app, demo, client)
    resident = person(app, demo["resident"])
    assert resident.unit_id == old_home
    assert resident.move_unit_id == new_home
    assert "The office will confirm it" in client.get("/account", headers=EN).get_data(as_text=True)
    page = login_as("operator").get("/operator/signups", headers=EN).get_data(as_text=True)
    assert f'id="move-{resident.id}"' in page
    assert "Approve move" in page


def test_the_operator_approves_a_move(app, demo, login_as):
    new_home = ask_to_move(app, demo, login_as("resident"))
    resident_id = user_id(app, demo["resident"])
    response = login_as("operator").post(f"/operator/moves/{resident_id}/approve")
    assert response.status_code == 303
    resident = person(app, demo["resident"])
    assert resident.unit_id == new_home
    assert resident.move_unit_id is None


def test_the_operator_declines_a_move_with_a_reason(app, demo, login_as):
    old_home = person(app, demo["resident"]).unit_id
    client = login_as("resident")
    ask_to_move(app, demo, client)
    resident_id = user_id(app, demo["resident"])
    operator = login_as("operator")
    no_reason = operator.post(f"/operator/moves/{resident_id}/decline", data={"note": ""})
    assert no_reason.status_code == 422
    assert person(app, demo["resident"]).move_unit_id is not None
    response = operator.post(
        f"/operator/moves/{resident_id}/decline", data={"note": "请带房产证来服务中心"}
    )
    assert response.status_code == 303
    resident = person(app, demo["resident"])
    assert resident.unit_id == old_home
    assert resident.move_unit_id is None
    assert "请带房产证来服务中心" in client.get("/account").get_data(as_text=True)


@pytest.mark.parametrize("role", ["resident", "volunteer", "staff"])
def test_only_the_office_approves_moves(app, demo, login_as, role):
    client = login_as(role)
    ask_to_move(app, demo, client, role)
    own_id = user_id(app, demo[role])
    assert client.post(f"/operator/moves/{own_id}/approve").status_code == 403
    assert person(app, demo[role]).move_unit_id is not None


def test_an_operator_cannot_approve_their_own_move(app, demo, login_as):
    operator = login_as("operator")
    ask_to_move(app, demo, operator, "operator")
    own_id = user_id(app, demo["operator"])
    assert operator.post(f"/operator/moves/{own_id}/approve").status_code == 403
    assert person(app, demo["operator"]).move_unit_id is not None
    with app.test_request_context():
        actor = db.session.get(User, own_id)
        with pytest.raises(NotAllowed):
            changes.review_move(db.session, actor, own_id, approve=True)


@pytest.mark.parametrize("unit", ["0", "999999", str(2**40), "abc"])
def test_a_move_to_no_real_home_is_refused(app, demo, login_as, unit):
    response = login_as("resident").post("/account/move", data={"unit": unit}, headers=EN)
    assert response.status_code == 422
    assert person(app, demo["resident"]).move_unit_id is None


def test_a_pending_person_cannot_ask_to_move(app, demo, client):
    assert client.login(demo["pending"]).status_code == 302
    unit = other_unit(app, demo["pending"])
    assert client.post("/account/move", data={"unit": str(unit)}).status_code == 403
    assert person(app, demo["pending"]).move_unit_id is None


# ---- A forgotten password, reset through the office ---------------------------------------


def make_code(app, demo, operator, login="resident") -> str:
    response = operator.post(f"/operator/people/{user_id(app, demo[login])}/reset-code")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return CODE_RE.search(response.get_data(as_text=True)).group(1)


def reset(client, login, code, password=NEW_PASSWORD, headers=EN):
    data = {"login": login, "code": code, "new_password": password, "confirm": password}
    return client.post("/password/forgot", data=data, headers=headers)


def test_the_login_page_says_where_to_go_when_the_password_is_forgotten(client):
    page = client.get("/login", headers=EN).get_data(as_text=True)
    assert 'href="/password/forgot"' in page
    page = client.get("/password/forgot", headers=ZH).get_data(as_text=True)
    assert "忘记密码" in page
    assert "验证码" in page


def test_the_office_gives_a_code_and_the_person_sets_a_new_password(app, demo, login_as, client):
    old_phone = login_as("resident")
    code = make_code(app, demo, login_as("operator"))
    response = reset(client, demo["resident"], code)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/login")
    assert app.test_client().login(demo["resident"], NEW_PASSWORD).status_code == 302
    assert app.test_client().login(demo["resident"]).status_code == 422
    # Whoever had the account open before is logged out.
    assert old_phone.get("/account").status_code == 302


def test_the_code_is_stored_only_as_a_hash(app, demo, login_as):
    code = make_code(app, demo, login_as("operator"))
    with app.app_context():
        [row] = db.session.scalars(select(PasswordReset)).all()
    assert code.replace(" ", "") not in row.code_hash
    assert row.expires_at - row.created_at == timedelta(minutes=30)


def test_a_code_works_once(app, demo, login_as, client):
    code = make_code(app, demo, login_as("operator"))
    assert reset(client, demo["resident"], code).status_code == 303
    again = reset(client, demo["resident"], code, password="another 9 lantern")
    assert again.status_code == 422
    assert "wrong, used or expired" in again.get_data(as_text=True)
    assert app.test_client().login(demo["resident"], NEW_PASSWORD).status_code == 302


def test_a_code_expires(app, demo, login_as, client):
    code = make_code(app, demo, login_as("operator"))
    with app.app_context():
        db.session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert reset(client, demo["resident"], code).status_code == 422
    assert app.test_client().login(demo["resident"]).status_code == 302


def test_a_new_code_replaces_the_old_one(app, demo, login_as, client):
    operator = login_as("operator")
    first = make_code(app, demo, operator)
    second = make_code(app, demo, operator)
    assert reset(client, demo["resident"], first).status_code == 422
    assert reset(client, demo["resident"], second).status_code == 303


def test_a_code_is_for_one_person_only(app, demo, login_as, client):
    code = make_code(app, demo, login_as("operator"), "resident")
    assert reset(client, demo["elderly"], code).status_code == 422
    assert app.test_client().login(demo["elderly"]).status_code == 302


def test_a_weak_new_password_is_refused_and_the_code_still_works(app, demo, login_as, client):
    code = make_code(app, demo, login_as("operator"))
    weak = reset(client, demo["resident"], code, password="password")
    assert weak.status_code == 422
    assert 'id="new_password-error"' in weak.get_data(as_text=True)
    assert reset(client, demo["resident"], code).status_code == 303


@pytest.mark.parametrize("role", ["resident", "volunteer", "staff", "elderly"])
def test_only_the_office_makes_reset_codes(app, demo, login_as, role):
    target = user_id(app, demo["elderly"])
    response = login_as(role).post(f"/operator/people/{target}/reset-code")
    assert response.status_code == 403
    with app.app_context():
        assert db.session.query(PasswordReset).count() == 0


def test_the_admin_makes_reset_codes_too(app, demo, login_as, client):
    code = make_code(app, demo, login_as("admin"), "operator")
    assert reset(client, demo["operator"], code).status_code == 303


def test_the_people_page_offers_a_reset_code(app, demo, login_as):
    page = login_as("operator").get("/operator/people", headers=EN).get_data(as_text=True)
    assert "Make a password reset code" in page


def test_guessing_codes_is_rate_limited(make_app, demo):
    app = make_app(RESET_LIMIT_ACCOUNT="3 per 15 minutes")
    client = app.test_client()
    for _ in range(3):
        assert reset(client, demo["resident"], "0000 0000").status_code == 422
    assert reset(client, demo["resident"], "0000 0001").status_code == 429


def test_a_rejected_guess_changes_nothing(app, demo, client):
    assert reset(client, "13999999999", "1234 5678").status_code == 422
    with app.app_context():
        assert db.session.query(LoginSession).count() == 0
    assert app.test_client().login(demo["resident"], DEMO_PASSWORD).status_code == 302
