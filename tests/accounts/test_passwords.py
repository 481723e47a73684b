"""Issue 8, item 12: weak passwords are refused, next to the field with a 422, wherever a new
password is chosen: signing up, changing it, and a reset by the office (test_account_basics)."""

import pytest

from community.accounts import strength
from community.accounts.models import User
from community.core.extensions import db
from community.demo import DEMO_PASSWORD
from tests.accounts.test_views import EN, signup_data

COMMON = ["12345678", "password", "11111111", "Password", "qwertyuiop", "iloveyou"]
# The demo resident's phone is 13800000005; a sign-up below uses 13911112222.
WITH_OWN_PHONE = ["13911112222", "me13911112222!", "139-1111-2222x", "139 1111 2222 home"]


@pytest.mark.parametrize("password", COMMON + WITH_OWN_PHONE)
def test_a_newcomer_cannot_sign_up_with_a_weak_password(app, demo, client, password):
    response = client.post(
        "/signup", data=signup_data(app, password=password, confirm=password), headers=EN
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="password-error"' in page
    assert "most common" in page or "phone number" in page
    with app.app_context():
        assert db.session.query(User).filter_by(phone="13911112222").count() == 0


def test_the_refusal_is_in_chinese_for_a_chinese_reader(app, demo, client):
    data = signup_data(app, password="password", confirm="password")
    page = client.post("/signup", data=data, headers={"Accept-Language": "zh-CN"})
    assert "最常见的密码" in page.get_data(as_text=True)


@pytest.mark.parametrize("password", ["11111111", "password", "x13800000005x"])
def test_a_resident_cannot_change_to_a_weak_password(app, demo, login_as, password):
    client = login_as("resident")
    response = client.post(
        "/password",
        data={"current_password": DEMO_PASSWORD, "new_password": password, "confirm": password},
        headers=EN,
    )
    assert response.status_code == 422
    assert 'id="new_password-error"' in response.get_data(as_text=True)
    assert app.test_client().login(demo["resident"]).status_code == 302  # unchanged


def test_a_strong_password_is_still_welcome(app, demo, client):
    data = signup_data(app, password="river lantern 7 tea", confirm="river lantern 7 tea")
    assert client.post("/signup", data=data).status_code == 302


def test_someone_elses_number_is_not_a_reason_to_refuse():
    assert not strength.contains_phone("13800000005-ok", "13911112222")
    assert not strength.contains_phone("anything", None)


def test_the_common_list_is_loaded_once_as_a_set():
    assert strength.common_passwords() is strength.common_passwords()
    assert isinstance(strength.common_passwords(), frozenset)
    assert len(strength.common_passwords()) >= 10_000
