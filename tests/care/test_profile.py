"""The elder's profile: receiving care and the year of birth, emergency contacts in order,
family links made by the elder or the office, and consent recorded with who and when."""

from sqlalchemy import select

from community.accounts.models import EmergencyContact, Relation, User
from community.care.models import CareConsent
from community.core.extensions import db


def contacts(app, person_id):
    with app.app_context():
        return db.session.scalars(
            select(EmergencyContact.name)
            .where(EmergencyContact.person_id == person_id)
            .order_by(EmergencyContact.position, EmergencyContact.id)
        ).all()


def test_a_resident_marks_themself_as_receiving_care_with_a_birth_year(app, cast, login):
    client = login(cast.neighbour)
    bad = client.post(
        f"/care/people/{cast.neighbour}/care", data={"receives_care": "1", "birth_year": "18"}
    )
    assert bad.status_code == 422
    assert "Give a year between" in bad.get_data(as_text=True)
    bad = client.post(f"/care/people/{cast.neighbour}/care", data={"birth_year": "nineteen"})
    assert bad.status_code == 422
    ok = client.post(
        f"/care/people/{cast.neighbour}/care", data={"receives_care": "1", "birth_year": "1950"}
    )
    assert ok.status_code == 302
    with app.app_context():
        person = db.session.get(User, cast.neighbour)
        assert (person.receives_care, person.birth_year) == (True, 1950)
    assert "Ask for a visit" in client.get("/care").get_data(as_text=True)


def test_nobody_but_the_person_and_the_office_opens_a_profile(app, cast, login):
    assert login(cast.daughter).get(f"/care/people/{cast.elder}").status_code == 404
    assert (
        login(cast.volunteer)
        .post(f"/care/people/{cast.elder}/care", data={"receives_care": ""})
        .status_code
        == 404
    )
    assert login(cast.operator).get(f"/care/people/{cast.elder}").status_code == 200


def test_emergency_contacts_are_added_ordered_and_removed(app, cast, login):
    client = login(cast.elder)
    base = f"/care/people/{cast.elder}/contacts"
    for name, phone in (("周小梅", "138 0000 0005"), ("王阿姨", "13912345678")):
        response = client.post(base, data={"name": name, "phone": phone, "relation": "家人"})
        assert response.status_code == 302
    bad = client.post(base, data={"name": "", "phone": "abc"})
    assert bad.status_code == 422
    assert contacts(app, cast.elder) == ["周小梅", "王阿姨"]
    with app.app_context():
        second = db.session.scalar(
            select(EmergencyContact.id).where(EmergencyContact.name == "王阿姨")
        )
        first_phone = db.session.scalar(
            select(EmergencyContact.phone).where(EmergencyContact.name == "周小梅")
        )
        assert first_phone == "13800000005"
    assert client.post(f"{base}/{second}/move", data={"direction": "up"}).status_code == 302
    assert contacts(app, cast.elder) == ["王阿姨", "周小梅"]
    # Someone else's contact is not theirs to touch.
    assert (
        login(cast.neighbour)
        .post(f"/care/people/{cast.neighbour}/contacts/{second}/remove")
        .status_code
        == 404
    )
    assert client.post(f"{base}/{second}/remove").status_code == 302
    assert contacts(app, cast.elder) == ["周小梅"]


def test_the_elder_links_family_and_records_consent_with_who_and_when(app, cast, login):
    client = login(cast.elder)
    unknown = client.post(f"/care/people/{cast.elder}/family", data={"relative": "13999999999"})
    assert unknown.status_code == 422
    assert "This number cannot be linked" in unknown.get_data(as_text=True)
    with app.app_context():
        phone = db.session.get(User, cast.neighbour).phone
    response = client.post(
        f"/care/people/{cast.elder}/family", data={"relative": phone, "grant": "1"}
    )
    assert response.status_code == 302
    with app.app_context():
        consent = db.session.scalar(
            select(CareConsent).where(CareConsent.relative_id == cast.neighbour)
        )
        assert (consent.status, consent.decided_by_id) == ("granted", cast.elder)
        assert consent.decided_at is not None
        link_id = db.session.scalar(
            select(Relation.id).where(
                (Relation.person_id == cast.neighbour) | (Relation.relative_id == cast.neighbour)
            )
        )
    page = client.get(f"/care/people/{cast.elder}").get_data(as_text=True)
    assert "Allowed to read the visit log and notes" in page
    assert client.post(f"/care/people/{cast.elder}/family/{link_id}/unlink").status_code == 302
    with app.app_context():
        consent = db.session.scalar(
            select(CareConsent).where(CareConsent.relative_id == cast.neighbour)
        )
        assert consent.status == "revoked"


def test_the_office_marks_an_elder_and_records_consent_given_in_person(app, cast, login):
    office = login(cast.operator)
    with app.app_context():
        phone = db.session.get(User, cast.neighbour).phone
    assert office.post("/care/office/mark", data={"login": "nobody"}).status_code == 422
    assert office.post("/care/office/mark", data={"login": phone}).status_code == 302
    assert "邻居" in office.get("/care/office").get_data(as_text=True)
    response = office.post(
        f"/care/people/{cast.elder}/family/{cast.son}/consent", data={"status": "granted"}
    )
    assert response.status_code == 302
    with app.app_context():
        consent = db.session.scalar(select(CareConsent).where(CareConsent.relative_id == cast.son))
        assert (consent.status, consent.decided_by_id) == ("granted", cast.operator)
    page = login(cast.elder).get(f"/care/people/{cast.elder}").get_data(as_text=True)
    assert "recorded by 钱运营" in page


def test_a_refusal_without_a_field_of_its_own_is_shown_above_the_page(app, cast, login):
    response = login(cast.elder).post(
        f"/care/people/{cast.elder}/family/{cast.daughter}/consent", data={"status": "maybe"}
    )
    assert response.status_code == 422
    assert "Choose from the list." in response.get_data(as_text=True)
