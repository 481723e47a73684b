"""Who an activity is for: one building, one role, or 60 and over by the birth year. Anyone
else can neither see it nor join it; a person without a birth year is told to add it."""

import pytest
from sqlalchemy import func, select

from community.accounts.models import Relation, Role, User
from community.activities import joining
from community.activities.models import SignUp
from community.core.db import utcnow
from community.core.extensions import db
from community.notify.models import Notification


def building_of(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).unit.building_id


def assert_hidden_and_closed(client, activity_id, session_id, user_id, status=404):
    assert "书法班" not in client.get("/activities/").get_data(as_text=True)
    assert client.get(f"/activities/{activity_id}").status_code == 404
    assert client.get(f"/activities/sessions/{session_id}/join").status_code == 404
    response = client.post(
        f"/activities/sessions/{session_id}/join", data={"person": str(user_id), "companions": "0"}
    )
    assert response.status_code == status


def test_a_resident_of_another_building_can_neither_see_nor_join(
    app, make_activity, person, client_for
):
    inside, outside = person(), person()
    activity_id, (session_id,) = make_activity(
        audience="building", audience_building_id=building_of(app, inside)
    )
    assert_hidden_and_closed(client_for(outside), activity_id, session_id, outside)
    client = client_for(inside)
    assert "书法班" in client.get("/activities/").get_data(as_text=True)
    response = client.post(
        f"/activities/sessions/{session_id}/join", data={"person": str(inside), "companions": "0"}
    )
    assert response.status_code == 302


def test_a_role_activity_is_for_that_role_only(app, make_activity, person, client_for):
    activity_id, (session_id,) = make_activity(audience="role", audience_role="volunteer")
    resident = person()
    assert_hidden_and_closed(client_for(resident), activity_id, session_id, resident)
    volunteer = person(roles=(Role.RESIDENT, Role.VOLUNTEER))
    assert client_for(volunteer).get(f"/activities/{activity_id}").status_code == 200


def test_someone_under_sixty_can_neither_see_nor_join_a_sixty_plus_activity(
    app, make_activity, person, client_for
):
    activity_id, (session_id,) = make_activity(audience="seniors")
    year = utcnow().year
    young = person(birth_year=year - 45)
    assert_hidden_and_closed(client_for(young), activity_id, session_id, young)
    elder = person(birth_year=year - 70)
    client = client_for(elder)
    assert "书法班" in client.get("/activities/").get_data(as_text=True)
    response = client.post(
        f"/activities/sessions/{session_id}/join", data={"person": str(elder), "companions": "0"}
    )
    assert response.status_code == 302


def test_without_a_birth_year_the_page_says_to_add_it_and_joining_is_refused(
    app, make_activity, person, client_for
):
    activity_id, (session_id,) = make_activity(audience="seniors")
    unknown = person(birth_year=None)
    client = client_for(unknown)
    page = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert "Add your year of birth to your profile" in page
    assert f"/activities/sessions/{session_id}/join" not in page
    response = client.post(
        f"/activities/sessions/{session_id}/join", data={"person": str(unknown), "companions": "0"}
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignUp)) == 0


@pytest.mark.parametrize("audience", ["building", "seniors"])
def test_publishing_tells_only_the_audience(app, make_activity, person, audience):
    year = utcnow().year
    inside = person(birth_year=year - 70)
    outside = person(birth_year=year - 30)
    values = {"audience": audience}
    if audience == "building":
        values["audience_building_id"] = building_of(app, inside)
    make_activity(**values)
    with app.app_context():
        told = set(db.session.scalars(select(Notification.user_id)))
        assert inside in told
        assert outside not in told


def test_the_list_shows_what_linked_family_may_join_and_their_sign_ups(
    app, make_activity, person, client_for
):
    """The list's reach is worked out in SQL (activities/listing.py): the same as rules.Reach."""
    year = utcnow().year
    daughter, elder = person(birth_year=year - 35), person(birth_year=year - 75)
    stranger = person(birth_year=year - 35)
    volunteer = person(roles=(Role.RESIDENT, Role.VOLUNTEER), birth_year=year - 35)
    with app.app_context():
        low, high = sorted([daughter, elder])
        db.session.add(Relation(person_id=low, relative_id=high))
        db.session.commit()
    _a, (seniors,) = make_activity(title_zh="太极拳", audience="seniors")
    make_activity(
        title_zh="楼道清洁", audience="building", audience_building_id=building_of(app, elder)
    )
    make_activity(title_zh="志愿者培训", audience="role", audience_role="volunteer")
    make_activity(title_zh="草稿活动", publish=False)
    with app.app_context():
        joining.sign_up(
            db.session, seniors, db.session.get(User, elder), db.session.get(User, daughter)
        )
        db.session.commit()

    def titles(user_id):
        page = client_for(user_id).get("/activities/").get_data(as_text=True)
        shown = {t for t in ("太极拳", "楼道清洁", "志愿者培训", "草稿活动") if t in page}
        return shown, page

    shown, page = titles(daughter)
    assert shown == {"太极拳", "楼道清洁"}
    assert page.count("Place confirmed") == 1
    assert titles(elder)[0] == {"太极拳", "楼道清洁"}
    shown, page = titles(stranger)
    assert shown == set()
    assert "Place confirmed" not in page
    assert titles(volunteer)[0] == {"志愿者培训"}
