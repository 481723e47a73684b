"""The operator creates an activity (a weekly series, a cover photo), names its organiser, and
publishes it; bad input is refused next to its field with nothing half-saved."""

import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import func, select

from community.accounts.models import Role
from community.activities.models import Activity, ActivitySession, Organiser
from community.core.db import utcnow
from community.core.extensions import db


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "PNG")
    return buffer.getvalue()


def form(**values):
    day = (utcnow() + timedelta(days=5)).date()
    data = {
        "title_zh": "太极拳",
        "title_en": "Tai chi",
        "description_zh": "每周二早上",
        "category": "health",
        "place": "0",
        "address": "健身广场",
        "starts_on": day.isoformat(),
        "starts_at": "08:00",
        "duration_minutes": "60",
        "weeks": "8",
        "capacity": "20",
        "audience": "everyone",
        "audience_building": "0",
        "audience_role": "resident",
        "waitlist": "y",
        "hold_minutes": "120",
        "price_yuan": "0",
    }
    data.update(values)
    return data


def test_the_operator_publishes_a_weekly_series_with_a_cover_and_an_organiser(
    app, person, client_for, operator, tmp_path
):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    volunteer = person(roles=(Role.RESIDENT, Role.VOLUNTEER))
    resident = person()
    office = client_for(operator)
    assert office.get("/operator/activities/new").status_code == 200
    data = form()
    data["cover"] = (io.BytesIO(png()), "cover.png")
    response = office.post(
        "/operator/activities/new", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        activity = db.session.scalar(select(Activity))
        assert activity.published_at is None
        assert activity.cover_name
        assert db.session.scalar(select(func.count()).select_from(ActivitySession)) == 8
        activity_id = activity.id
    page = office.get(f"/operator/activities/{activity_id}").get_data(as_text=True)
    assert "Tai chi" in page
    response = office.post(
        f"/operator/activities/{activity_id}/organisers", data={"person": str(volunteer)}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Organiser.user_id)) == volunteer
    # Until published, residents do not see it; then they do, with its cover.
    reader = client_for(resident)
    assert reader.get(f"/activities/{activity_id}").status_code == 404
    assert office.post(f"/activities/{activity_id}/publish").status_code == 302
    assert "Tai chi" in reader.get("/activities/").get_data(as_text=True)
    cover = reader.get(f"/activities/{activity_id}/cover")
    assert cover.status_code == 200
    assert cover.mimetype == "image/jpeg"
    cover.close()
    # The organiser's list shows the series' sessions with their door.
    running = client_for(volunteer).get("/activities/running").get_data(as_text=True)
    assert running.count("/door") == 8


def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(
    app, client_for, operator, tmp_path
):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    office = client_for(operator)
    cases = [
        {"title_zh": ""},
        {"weeks": "60"},
        {"starts_on": "2026-02-30"},
        {"starts_on": "2001-01-01"},
        {"category": "nonsense"},
        {"address": "", "place": "0"},
        {"audience": "building", "audience_building": "0"},
        {"price_yuan": "1e9999"},
        {"capacity": "-3"},
    ]
    for values in cases:
        response = office.post("/operator/activities/new", data=form(**values))
        assert response.status_code == 422, values
        assert 'class="field-error"' in response.get_data(as_text=True) or "alert" in (
            response.get_data(as_text=True)
        )
    missing = form()
    del missing["price_yuan"]
    assert office.post("/operator/activities/new", data=missing).status_code == 422
    data = form()
    data["cover"] = (io.BytesIO(b"not a picture"), "cover.png")
    response = office.post(
        "/operator/activities/new", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "not a photo" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Activity)) == 0
    assert list(tmp_path.iterdir()) == []


def test_only_the_office_opens_the_operator_pages(app, person, client_for):
    for roles in [(Role.RESIDENT,), (Role.RESIDENT, Role.VOLUNTEER), (Role.STAFF,)]:
        client = client_for(person(roles=roles))
        assert client.get("/operator/activities/").status_code == 403
        assert client.get("/operator/activities/new").status_code == 403
        assert client.get("/operator/activities/figures").status_code == 403
