"""The operator's service catalogue: only the office reaches it; a service is saved whole or
not at all, with each mistake told next to its field; the weekly plan and closed dates the
operator edits are what residents are offered."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from community.bookings import slots
from community.bookings.models import Provider, Service, ServiceClosure, ServiceHours
from community.core.db import utcnow
from community.core.extensions import db
from community.directory.models import Place
from tests.bookings.test_slots import ZONE, at, local_times, make_service, the_evening_before
from tests.conftest import user_id
from tests.querycount import queries_for

EN = {"Accept-Language": "en"}
MONDAY = date(2026, 12, 7)

GOOD = {
    "name_zh": "上门理发",
    "name_en": "Haircut at home",
    "description_zh": "理发师到家里来。",
    "description_en": "A barber comes to your home.",
    "scenario": "service",
    "place": "0",
    "duration_minutes": "45",
    "price_yuan": "12.50",
    "provider": "0",
    "staff": "0",
    "per_slot": "1",
    "notice_hours": "4",
    "horizon_days": "21",
    "buffer_minutes": "15",
    "cancel_hours": "6",
    "active": "y",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def a_service(app, **values) -> int:
    with app.app_context():
        service_id = make_service(**values).id
        db.session.commit()
    return service_id


PAGES = [
    ("get", "/operator/services/"),
    ("get", "/operator/services/new"),
    ("get", "/operator/services/providers"),
    ("post", "/operator/services/new"),
    ("post", "/operator/services/providers/outside"),
]


@pytest.mark.parametrize("role", ["resident", "elderly", "staff", "volunteer"])
@pytest.mark.parametrize(("method", "path"), PAGES, ids=[f"{m} {p}" for m, p in PAGES])
def test_only_the_office_reaches_the_catalogue(app, login_as, role, method, path):
    client = login_as(role)
    response = getattr(client, method)(path, data={**GOOD, "name": "张师傅"})
    assert response.status_code == 403
    with app.app_context():
        assert count(Service) == 0
        assert count(Provider) == 0


@pytest.mark.parametrize("role", ["resident", "staff"])
def test_nobody_else_edits_a_service_or_its_plan(app, login_as, role):
    service_id = a_service(app)
    client = login_as(role)
    base = f"/operator/services/{service_id}"
    assert client.get(base).status_code == 403
    assert client.post(base, data=GOOD).status_code == 403
    hours = {"weekday": "5", "opens": "09:00", "closes": "10:00"}
    assert client.post(f"{base}/hours", data=hours).status_code == 403
    assert client.post(f"{base}/closures", data={"day": "2030-01-02"}).status_code == 403
    with app.app_context():
        assert db.session.get(Service, service_id).name_zh == "理发"
        assert count(ServiceHours) == 5
        assert count(ServiceClosure) == 0


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_the_office_finds_services_and_slots_on_its_home_page(login_as, role):
    client = login_as(role)
    home = client.get("/", headers=EN).get_data(as_text=True)
    assert "Services and slots" in home
    assert client.get("/operator/services/", headers=EN).status_code == 200


def test_a_resident_has_no_such_tile(login_as):
    assert "Services and slots" not in login_as("resident").get("/", headers=EN).get_data(
        as_text=True
    )


def test_the_operator_adds_a_paid_service_at_home_done_by_a_member_of_staff(app, login_as):
    client = login_as("operator")
    staff_id = user_id(app, "13800000003")
    response = client.post("/operator/services/new", data={**GOOD, "staff": str(staff_id)})
    assert response.status_code == 303
    with app.app_context():
        service = db.session.scalars(select(Service)).one()
        assert (service.name_zh, service.name_en) == ("上门理发", "Haircut at home")
        assert service.description_en == "A barber comes to your home."
        assert service.price_cents == 1250
        assert service.at_home
        assert service.place_id is None
        assert service.provider.user_id == staff_id
        assert (service.duration_minutes, service.buffer_minutes) == (45, 15)
        assert (service.notice_hours, service.horizon_days, service.cancel_hours) == (4, 21, 6)
        assert service.active
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "No opening hours yet" in page
    listing = client.get("/operator/services/").get_data(as_text=True)
    assert "上门理发" in listing
    assert "12.50" in listing


def test_a_free_service_at_a_place_with_an_outside_provider(app, login_as):
    client = login_as("operator")
    with app.app_context():
        place_id = db.session.scalars(select(Place.id)).first()
        provider = Provider(name="社区卫生服务站", phone="010-1234567")
        db.session.add(provider)
        db.session.commit()
        provider_id = provider.id
    data = {**GOOD, "place": str(place_id), "provider": str(provider_id), "price_yuan": "0"}
    assert client.post("/operator/services/new", data=data).status_code == 303
    with app.app_context():
        service = db.session.scalars(select(Service)).one()
        assert (service.place_id, service.at_home) == (place_id, False)
        assert (service.provider_id, service.price_cents) == (provider_id, 0)


BAD = {
    "no Chinese name": ({"name_zh": "  "}, "name_zh", "This field is required."),
    "no English name": ({"name_en": ""}, "name_en", "This field is required."),
    "a name too long": ({"name_zh": "长" * 81}, "name_zh", "At most 80 characters."),
    "a name on two lines": ({"name_en": "Hair\ncut"}, "name_en", "on one line"),
    "an unknown category": ({"scenario": "casino"}, "scenario", "Choose one from the list."),
    "an unknown place": ({"place": "999999"}, "place", "Choose one from the list."),
    "a place that is no id": ({"place": "x"}, "place", "Choose one from the list."),
    "no length": ({"duration_minutes": "0"}, "duration_minutes", "from 5 to 720"),
    "a length in words": ({"duration_minutes": "an hour"}, "duration_minutes", "whole number"),
    "a negative price": ({"price_yuan": "-1"}, "price_yuan", "from 0 to 100000"),
    "a price in words": ({"price_yuan": "ten"}, "price_yuan", "amount in yuan"),
    "a price below a fen": ({"price_yuan": "1.234"}, "price_yuan", "amount in yuan"),
    "a price that is no number": ({"price_yuan": "NaN"}, "price_yuan", "amount in yuan"),
    "nobody per slot": ({"per_slot": "0"}, "per_slot", "from 1 to 500"),
    "notice in words": ({"notice_hours": "soon"}, "notice_hours", "whole number"),
    "no horizon": ({"horizon_days": "0"}, "horizon_days", "from 1 to 365"),
    "a negative buffer": ({"buffer_minutes": "-5"}, "buffer_minutes", "from 0 to 240"),
    "a huge cancel time": ({"cancel_hours": "99999999999"}, "cancel_hours", "from 0 to 720"),
    "an unknown provider": ({"provider": "424242"}, "provider", "Choose one from the list."),
}


@pytest.mark.parametrize(("changes", "field", "words"), BAD.values(), ids=list(BAD.keys()))
def test_a_mistake_is_told_next_to_its_field_and_nothing_is_saved(
    app, login_as, changes, field, words
):
    client = login_as("operator")
    response = client.post("/operator/services/new", data={**GOOD, **changes}, headers=EN)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    start = page.index(f'id="{field}-error"')
    assert words in page[start : page.index("</p>", start)]
    with app.app_context():
        assert count(Service) == 0
        assert count(Provider) == 0


def test_a_provider_and_a_member_of_staff_at_once_is_refused(app, login_as):
    client = login_as("operator")
    with app.app_context():
        db.session.add(Provider(name="保洁公司"))
        db.session.commit()
        provider_id = db.session.scalars(select(Provider.id)).one()
    staff_id = user_id(app, "13800000003")
    data = {**GOOD, "provider": str(provider_id), "staff": str(staff_id)}
    response = client.post("/operator/services/new", data=data, headers=EN)
    assert response.status_code == 422
    assert "not both" in response.get_data(as_text=True)
    with app.app_context():
        assert count(Service) == 0
        assert count(Provider) == 1  # no row made for the member of staff


def test_messages_are_in_chinese_for_a_chinese_reader(login_as):
    client = login_as("operator")
    response = client.post(
        "/operator/services/new", data={**GOOD, "price_yuan": "ten", "per_slot": "0"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请输入以元为单位的金额" in page
    assert "请输入 1 到 500 之间的数" in page


def test_an_edit_that_fails_changes_nothing(app, login_as):
    service_id = a_service(app, price_cents=500)
    client = login_as("operator")
    data = {**GOOD, "name_zh": "新名字", "price_yuan": "-3"}
    response = client.post(f"/operator/services/{service_id}", data=data, headers=EN)
    assert response.status_code == 422
    assert "新名字" in response.get_data(as_text=True)  # what they typed stays in the form
    with app.app_context():
        service = db.session.get(Service, service_id)
        assert (service.name_zh, service.price_cents) == ("理发", 500)


def test_the_operator_edits_a_service(app, login_as):
    service_id = a_service(app)
    client = login_as("operator")
    data = {**GOOD, "price_yuan": "30", "active": ""}
    response = client.post(f"/operator/services/{service_id}", data=data)
    assert response.status_code == 303
    with app.app_context():
        service = db.session.get(Service, service_id)
        assert (service.name_zh, service.price_cents, service.active) == ("上门理发", 3000, False)
    page = client.get(f"/operator/services/{service_id}").get_data(as_text=True)
    assert 'value="30.00"' in page


def test_an_unknown_service_is_not_found(login_as):
    client = login_as("operator")
    assert client.get("/operator/services/999999").status_code == 404
    assert client.post("/operator/services/999999/hours", data={}).status_code == 404


def offered(app, service_id: int, day: date = MONDAY) -> list[str]:
    with app.app_context():
        service = db.session.get(Service, service_id)
        return local_times(slots.day_slots(db.session, service, day, the_evening_before(day), ZONE))


def test_an_edited_plan_changes_the_slots_offered(app, login_as):
    service_id = a_service(app, weekdays=[])
    client = login_as("operator")
    hours = f"/operator/services/{service_id}/hours"
    assert offered(app, service_id) == []

    morning = {"weekday": "0", "opens": "09:00", "closes": "11:00"}
    assert client.post(hours, data=morning).status_code == 303
    assert offered(app, service_id) == ["09:00", "10:00"]

    afternoon = {"weekday": "0", "opens": "14:00", "closes": "15:30"}
    assert client.post(hours, data=afternoon).status_code == 303
    assert offered(app, service_id) == ["09:00", "10:00", "14:00"]  # a break between

    page = client.get(f"/operator/services/{service_id}", headers=EN).get_data(as_text=True)
    assert "Monday, 09:00 to 11:00" in page
    with app.app_context():
        morning_id = db.session.scalar(select(ServiceHours.id).where(ServiceHours.opens == 540))
    assert client.post(f"{hours}/{morning_id}/remove").status_code == 303
    assert offered(app, service_id) == ["14:00"]

    # The buffer and the length come from the service's own form.
    data = {**GOOD, "duration_minutes": "30", "buffer_minutes": "15", "notice_hours": "0"}
    assert client.post(f"/operator/services/{service_id}", data=data).status_code == 303
    assert offered(app, service_id) == ["14:00", "14:45"]


OPENINGS = {
    "closing before it opens": ({"opens": "12:00", "closes": "09:00"}, "closes", "after it opens"),
    "closing as it opens": ({"opens": "09:00", "closes": "09:00"}, "closes", "after it opens"),
    "no time": ({"opens": "", "closes": "10:00"}, "opens", "such as 09:00"),
    "not a time": ({"opens": "9 o'clock"}, "opens", "such as 09:00"),
    "an hour that does not exist": ({"closes": "25:00"}, "closes", "such as 17:30"),
    "an unknown day": ({"weekday": "7"}, "weekday", "Choose one from the list."),
    "an overlap": ({"opens": "10:30", "closes": "13:00"}, "opens", "09:00 to 12:00"),
}


@pytest.mark.parametrize(("changes", "field", "words"), OPENINGS.values(), ids=list(OPENINGS))
def test_a_wrong_opening_is_refused(app, login_as, changes, field, words):
    service_id = a_service(app, weekdays=[2])  # Wednesdays 09:00 to 12:00
    client = login_as("operator")
    data = {"weekday": "2", "opens": "13:00", "closes": "17:00", **changes}
    response = client.post(f"/operator/services/{service_id}/hours", data=data, headers=EN)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    start = page.index(f'id="{field}-error"')
    assert words in page[start : page.index("</p>", start)]
    with app.app_context():
        assert count(ServiceHours) == 1


def test_an_opening_of_another_service_is_not_removed(app, login_as):
    mine, other = a_service(app, weekdays=[0]), a_service(app, weekdays=[0])
    with app.app_context():
        others = db.session.scalar(select(ServiceHours.id).where(ServiceHours.service_id == other))
    client = login_as("operator")
    response = client.post(f"/operator/services/{mine}/hours/{others}/remove")
    assert response.status_code == 404
    with app.app_context():
        assert count(ServiceHours) == 2


def soon(days: int) -> date:
    return utcnow().astimezone(ZONE).date() + timedelta(days=days)


def test_a_closed_date_takes_the_day_off_and_can_be_undone(app, login_as):
    day = soon(10)
    service_id = a_service(app, weekdays=[day.weekday()])
    client = login_as("operator")
    base = f"/operator/services/{service_id}"
    day_off = {"day": day.isoformat(), "reason": "员工培训"}

    def offered_that_day():
        with app.app_context():
            service = db.session.get(Service, service_id)
            now = utcnow()
            return len(slots.day_slots(db.session, service, day, now, ZONE))

    open_count = offered_that_day()
    assert client.post(f"{base}/closures", data=day_off).status_code == 303
    assert offered_that_day() == 0
    assert "员工培训" in client.get(base).get_data(as_text=True)

    again = client.post(f"{base}/closures", data=day_off, headers=EN)
    assert again.status_code == 422
    assert "closed already" in again.get_data(as_text=True)

    with app.app_context():
        closure = db.session.scalars(select(ServiceClosure)).one()
        assert (closure.service_id, closure.reason) == (service_id, "员工培训")
    assert client.post(f"{base}/closures/{closure.id}/remove").status_code == 303
    assert offered_that_day() == open_count


def test_a_date_closed_for_every_service(app, login_as):
    day = soon(5)
    first = a_service(app, weekdays=range(7), horizon_days=30)
    second = a_service(app, weekdays=range(7), horizon_days=30)
    client = login_as("admin")
    data = {"day": day.isoformat(), "reason": "停电", "every_service": "y"}
    assert client.post(f"/operator/services/{first}/closures", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(ServiceClosure.service_id)).one() is None
        for service_id in (first, second):
            service = db.session.get(Service, service_id)
            assert day not in slots.bookable_days(db.session, service, utcnow(), ZONE)
    assert "停电" in client.get(f"/operator/services/{second}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("day", "words"),
    [("", "Enter a date."), ("2026-02-30", "Enter a date."), ("2020-01-01", "later day")],
    ids=["no date", "no such date", "a past date"],
)
def test_a_wrong_closed_date_is_refused(app, login_as, day, words):
    service_id = a_service(app)
    response = login_as("operator").post(
        f"/operator/services/{service_id}/closures", data={"day": day}, headers=EN
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    start = page.index('id="day-error"')
    assert words in page[start : page.index("</p>", start)]
    with app.app_context():
        assert count(ServiceClosure) == 0


def test_the_operator_records_providers(app, login_as):
    client = login_as("operator")
    outside = {"name": "好帮手家政", "phone": "138 0000 1111", "note": "保洁"}
    assert client.post("/operator/services/providers/outside", data=outside).status_code == 303
    staff_id = user_id(app, "13800000003")
    staff = {"person": str(staff_id)}
    assert client.post("/operator/services/providers/staff", data=staff).status_code == 303
    # Once is enough: the member of staff is no longer offered.
    assert client.post("/operator/services/providers/staff", data=staff).status_code == 422
    with app.app_context():
        rows = db.session.scalars(select(Provider).order_by(Provider.id)).all()
        assert [(row.name, row.user_id) for row in rows] == [
            ("好帮手家政", None),
            ("孙师傅", staff_id),
        ]
    page = client.get("/operator/services/providers").get_data(as_text=True)
    assert "好帮手家政" in page


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("outside", {"name": ""}, "name"),
        ("outside", {"name": "张师傅", "phone": "call me"}, "phone"),
        ("staff", {"person": "0"}, "person"),
        ("staff", {"person": "resident"}, "person"),
    ],
    ids=["no name", "a phone in words", "nobody chosen", "not an id"],
)
def test_a_wrong_provider_is_refused(app, login_as, path, data, field):
    response = login_as("operator").post(f"/operator/services/providers/{path}", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert count(Provider) == 0


def test_a_resident_cannot_be_made_a_staff_provider(app, login_as):
    resident_id = user_id(app, "13800000005")
    response = login_as("operator").post(
        "/operator/services/providers/staff", data={"person": str(resident_id)}
    )
    assert response.status_code == 422
    with app.app_context():
        assert count(Provider) == 0


def test_the_catalogue_costs_the_same_queries_for_many_services(app, login_as):
    client = login_as("operator")
    with app.app_context():
        db.session.add(Provider(name="甲"))
        make_service()
        db.session.commit()
    few = queries_for(app, client, "/operator/services/")
    with app.app_context():
        place_id = db.session.scalars(select(Place.id)).first()
        for n in range(12):
            service = make_service(name_zh=f"服务{n}", place_id=place_id)
            service.provider = Provider(name=f"乙{n}")
        db.session.commit()
    assert queries_for(app, client, "/operator/services/") == few


def test_the_edit_page_does_not_grow_with_its_plan(app, login_as):
    client = login_as("operator")
    small, big = a_service(app, weekdays=[0]), a_service(app, weekdays=range(7))
    with app.app_context():
        for n in range(6):
            db.session.add(ServiceClosure(service_id=big, day=soon(n + 1)))
        db.session.commit()
    assert queries_for(app, client, f"/operator/services/{small}") == queries_for(
        app, client, f"/operator/services/{big}"
    )


def test_slots_use_the_day_the_plan_names(app):
    """at() and MONDAY agree: a guard for the dates above."""
    assert MONDAY.weekday() == 0
    assert at(MONDAY, 9).astimezone(ZONE).hour == 9


def test_optional_fields_left_out_of_a_post_are_empty_not_an_error(app, login_as):
    """A form sent without its optional boxes (a script, an old page): saved, never a 500."""
    client = login_as("operator")
    outside = client.post("/operator/services/providers/outside", data={"name": "只有名字"})
    assert outside.status_code == 303
    service = {key: value for key, value in GOOD.items() if not key.startswith("description")}
    assert client.post("/operator/services/new", data=service).status_code == 303
    service_id = a_service(app, weekdays=[soon(10).weekday()])
    closed = client.post(
        f"/operator/services/{service_id}/closures", data={"day": soon(10).isoformat()}
    )
    assert closed.status_code == 303
    with app.app_context():
        assert (
            db.session.scalars(select(Provider.note).where(Provider.name == "只有名字")).one() == ""
        )
        made = db.session.scalars(select(Service).where(Service.name_zh == "上门理发")).one()
        assert (made.description_zh, made.description_en) == ("", "")
        assert db.session.scalars(select(ServiceClosure.reason)).one() == ""
