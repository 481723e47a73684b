"""An elder presses "I need help": where the button is, the two steps without JavaScript, the
alert on the record, and exactly who is told, at once."""

import pytest
from sqlalchemy import func, select

from community.accounts.models import EmergencyContact, Relation, User
from community.core.extensions import db
from community.help import rules
from community.help.models import AlertStatus, HelpAlert, OnDuty
from community.notify.models import Notification
from tests.help.helpers import EN, actions, alert_row, notified, person, raise_for


def set_receives_care(app, role: str, on: bool = True) -> None:
    with app.app_context():
        person(role).receives_care = on
        db.session.commit()


def test_an_elder_receiving_care_has_the_button_on_her_home_in_either_text_size(app, login_as):
    set_receives_care(app, "elderly")
    elder = login_as("elderly")
    assert "I need help" in elder.get("/", headers=EN).get_data(as_text=True)
    elder.post("/settings/large-text", data={"large_text": "0"})
    page = elder.get("/", headers=EN).get_data(as_text=True)
    assert 'class="help-press"' in page
    assert 'action="/help/"' in page


def test_large_text_mode_shows_the_button_to_any_resident(app, login_as):
    resident = login_as("resident")
    assert "I need help" not in resident.get("/", headers=EN).get_data(as_text=True)
    resident.post("/settings/large-text", data={"large_text": "1"})
    assert "I need help" in resident.get("/", headers=EN).get_data(as_text=True)


def test_the_office_has_no_button_of_its_own(app, login_as):
    operator = login_as("operator")
    operator.post("/settings/large-text", data={"large_text": "1"})
    assert "I need help" not in operator.get("/", headers=EN).get_data(as_text=True)


def test_without_javascript_a_press_asks_once_more_and_then_sends(app, login_as):
    elder = login_as("elderly")
    confirm = elder.get("/help/", headers=EN)
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "Send for help now?" in page
    assert "Yes, send for help now" in page
    assert 'href="tel:4008001234"' in page
    # Looking at the question sends nothing.
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HelpAlert)) == 0

    response = elder.post("/help/", headers=EN)
    assert response.status_code == 302
    page = elder.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Help is coming" in page
    assert 'href="tel:4008001234"' in page
    with app.app_context():
        alert = db.session.scalar(select(HelpAlert))
        assert alert.elder_id == alert.raised_by_id == person("elderly").id
        assert alert.status == AlertStatus.RAISED
    assert actions(app, alert.id) == ["raised"]
    # The confirmation page now leads to the open alert instead of a second one.
    assert elder.get("/help/").headers["Location"] == f"/help/alerts/{alert.id}"


def test_a_press_without_a_valid_form_sends_nothing(app, login_as):
    response = login_as("elderly").post("/help/", csrf=False, headers=EN)
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HelpAlert)) == 0


def test_only_residents_can_press(app, login_as):
    assert login_as("staff").post("/help/").status_code == 403


def test_a_second_press_joins_the_open_alert(app, demo):
    first = raise_for(app)
    second = raise_for(app)
    assert first == second
    assert actions(app, first) == ["raised", "pressed_again"]
    # Nobody is told twice.
    assert len(notified(app)) == len(set(notified(app)))


def test_family_may_press_for_the_elder_and_strangers_may_not(app, demo):
    alert_id = raise_for(app, "elderly", by="resident")
    assert alert_row(app, alert_id).raised_by_id != alert_row(app, alert_id).elder_id
    with app.app_context(), pytest.raises(rules.NotAllowed):
        rules.raise_alert(db.session, person("resident"), person("volunteer"))


@pytest.fixture
def circle(app, make_user):
    """An elder and everyone around her: who must be told at once and who must not."""
    with app.app_context():
        # Made before the elder, so that her link is stored with the elder second.
        family_low = make_user(roles=["resident"])
        elder = make_user(roles=["resident"], name="吴奶奶")
        elder.receives_care = True
        people = {
            "family_low": family_low,
            "operator": make_user(roles=["operator"]),
            "admin": make_user(roles=["admin"]),
            "staff_on_duty": make_user(roles=["staff"]),
            "staff_off_duty": make_user(roles=["staff"]),
            "family_high": make_user(roles=["resident"]),
            "contact_registered": make_user(roles=["resident"]),
            "neighbour_volunteer": make_user(roles=["resident", "volunteer"]),
            "volunteer_elsewhere": make_user(roles=["volunteer"]),
            "stranger": make_user(roles=["resident"]),
            "pending_operator": make_user(roles=["operator"], status="pending"),
        }
        # The neighbour lives in the elder's building.
        people["neighbour_volunteer"].unit.building_id = elder.unit.building_id
        db.session.add(OnDuty(user_id=people["staff_on_duty"].id))
        # Family links are stored once, the lower id first: one on each side of the elder.
        db.session.add(Relation(person_id=family_low.id, relative_id=elder.id))
        db.session.add(Relation(person_id=elder.id, relative_id=people["family_high"].id))
        phone = people["contact_registered"].phone
        db.session.add_all(
            [
                # Written as the elder wrote it: spaces, dashes, the country code.
                EmergencyContact(
                    person_id=elder.id,
                    name="女儿",
                    phone=f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}",
                    relation="女儿",
                    position=0,
                ),
                EmergencyContact(
                    person_id=elder.id,
                    name="老邻居",
                    phone="021-5555 1234",
                    relation="邻居",
                    position=1,
                ),
            ]
        )
        db.session.commit()
        return elder.id, {name: user.id for name, user in people.items()}


def test_a_call_reaches_exactly_the_office_the_staff_on_duty_family_and_registered_contacts(
    app, circle
):
    elder_id, ids = circle
    with app.app_context():
        elder = db.session.get(User, elder_id)
        alert, new = rules.raise_alert(db.session, elder, elder)
        db.session.commit()
        assert new
        home, phone, link = elder.unit.full_label, elder.phone, f"/help/alerts/{alert.id}"
    told = notified(app)
    assert told == sorted(
        ids[name]
        for name in ["operator", "staff_on_duty", "family_low", "family_high", "contact_registered"]
    )
    with app.app_context():
        rows = db.session.scalars(select(Notification)).all()
        for row in rows:
            assert row.urgent
            assert "吴奶奶" in row.title
            assert home in row.body
            assert phone in row.body
            assert row.link == link


def test_the_offline_page_offers_the_office_phone(app, demo, client):
    # The service worker keeps this page for when the network is gone.
    assert 'href="tel:4008001234"' in client.get("/offline").get_data(as_text=True)
