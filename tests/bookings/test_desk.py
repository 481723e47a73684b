"""The service desk: staff see their own provider's day sheet, the office sees every sheet,
attendance and desk payments are recorded, and the office exports the days as CSV."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from community.accounts.models import AccountStatus, Role, User, UserRole
from community.bookings.models import Booking, Provider
from community.capacity import rules as capacity
from community.capacity.models import Reservation, Resource
from community.core.extensions import db
from community.demo import load_demo
from community.directory.models import Place
from community.workorders.models import WorkOrder
from tests.bookings.test_home_service import (
    ZONE,
    book,
    make_service,
    staff_provider,
    tomorrow_at,
)
from tests.querycount import queries_for
from tests.workorder_helpers import ELDERLY, RESIDENT, person


@pytest.fixture
def desk(app, demo):
    """Tomorrow: a free haircut at home by the staff member, a paid cleaning by an outside
    provider, and the badminton court (a place, four players per slot)."""
    with app.app_context():
        haircut = make_service(staff_provider())
        cleaner = Provider(name="洁家保洁", phone="4006660000")
        cleaning = make_service(cleaner, name_zh="=家庭保洁", scenario="service", price=8000)
        court = Place(community_id=1, name="羽毛球场", kind="court")
        db.session.add(court)
        db.session.flush()
        badminton = make_service(
            None, at_home=False, place_id=court.id, name_zh="羽毛球场", per_slot=4, price=2000
        )
        ids = {
            "haircut": book(haircut, person(ELDERLY), tomorrow_at(10)).id,
            "cleaning": book(cleaning, person(RESIDENT), tomorrow_at(14)).id,
            "court": book(badminton, person(RESIDENT), tomorrow_at(19), party=2).id,
            "staff_provider": haircut.provider_id,
            "cleaner": cleaner.id,
            "court_place": court.id,
            "day": (tomorrow_at(10).astimezone(ZONE).date()).isoformat(),
        }
        db.session.commit()
    return ids


def the_booking(app, booking_id) -> Booking:
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        db.session.expunge(booking)
        return booking


@pytest.mark.parametrize(
    "path", ["/desk/", "/desk/provider/1", "/desk/place/1", "/desk/bookings.csv"]
)
def test_residents_may_not_open_the_desk(login_as, desk, path):
    assert login_as("resident").get(path).status_code == 403


def test_staff_land_on_their_own_sheet_with_phone_numbers(login_as, desk):
    staff = login_as("staff")
    landing = staff.get(f"/desk/?day={desk['day']}")
    assert landing.status_code == 302
    assert f"/desk/provider/{desk['staff_provider']}" in landing.location
    page = staff.get(landing.location).get_data(as_text=True)
    assert "吴奶奶" in page
    assert 'href="tel:13800000006"' in page
    assert "周小梅" not in page  # the cleaning is someone else's


def test_staff_cannot_see_or_mark_another_providers_bookings(login_as, desk):
    staff = login_as("staff")
    assert staff.get(f"/desk/provider/{desk['cleaner']}").status_code == 404
    court_sheet = staff.get(f"/desk/place/{desk['court_place']}?day={desk['day']}")
    assert "周小梅" not in court_sheet.get_data(as_text=True)
    mark = staff.post(
        f"/desk/booking/{desk['cleaning']}/attendance", data={"attendance": "attended"}
    )
    assert mark.status_code == 404
    pay = staff.post(
        f"/desk/booking/{desk['cleaning']}/payment", data={"amount": "80", "how": "cash"}
    )
    assert pay.status_code == 404


def test_the_office_sees_each_provider_and_place(login_as, desk):
    office = login_as("operator")
    index = office.get("/desk/").get_data(as_text=True)
    assert "洁家保洁" in index
    assert "羽毛球场" in index
    sheet = office.get(f"/desk/place/{desk['court_place']}?day={desk['day']}").get_data(
        as_text=True
    )
    assert "周小梅" in sheet
    cleaning = office.get(f"/desk/provider/{desk['cleaner']}?day={desk['day']}")
    assert "周小梅" in cleaning.get_data(as_text=True)


@pytest.mark.parametrize(
    "junk", ["", "tomorrow", "2026-13-45", "9999-99-99x", "9999-12-31", "0001-01-01", "2026-1-1"]
)
def test_a_junk_day_shows_today_with_links_to_the_days_around(login_as, desk, junk):
    response = login_as("operator").get(f"/desk/provider/{desk['cleaner']}?day={junk}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'rel="prev"' in page
    assert 'rel="next"' in page


def test_the_next_day_link_leads_to_the_booking(login_as, desk):
    office = login_as("operator")
    today = office.get(f"/desk/provider/{desk['cleaner']}").get_data(as_text=True)
    assert f"day={desk['day']}" in today


def test_marking_attendance_waits_for_the_day(app, login_as, desk):
    staff = login_as("staff")
    early = staff.post(
        f"/desk/booking/{desk['haircut']}/attendance",
        data={"attendance": "attended", "day": desk["day"]},
    )
    assert early.status_code == 409
    sheet = staff.get(f"/desk/provider/{desk['staff_provider']}?day={desk['day']}")
    assert "/attendance" not in sheet.get_data(as_text=True)  # no buttons before the day
    assert "还没到这个预约的日子" in early.get_data(as_text=True)
    assert the_booking(app, desk["haircut"]).attendance == "expected"


def test_staff_mark_who_came_on_the_day(app, login_as, desk):
    with app.app_context():
        # The booking's day is today: move its slot a day earlier.
        booking = db.session.get(Booking, desk["haircut"])
        booking.slot.starts_at = booking.slot.starts_at - timedelta(days=1)
        db.session.commit()
    staff = login_as("staff")
    sheet = staff.get(f"/desk/provider/{desk['staff_provider']}").get_data(as_text=True)
    assert f"/desk/booking/{desk['haircut']}/attendance" in sheet
    done = staff.post(f"/desk/booking/{desk['haircut']}/attendance", data={"attendance": "no_show"})
    assert done.status_code == 302
    assert the_booking(app, desk["haircut"]).attendance == "no_show"
    bad = staff.post(f"/desk/booking/{desk['haircut']}/attendance", data={"attendance": "maybe"})
    assert bad.status_code == 422
    assert the_booking(app, desk["haircut"]).attendance == "no_show"


def test_the_office_records_a_payment_at_the_desk(app, login_as, desk):
    office = login_as("operator")
    paid = office.post(
        f"/desk/booking/{desk['cleaning']}/payment",
        data={"amount": "80.00", "how": "wechat", "sheet": "provider"},
    )
    assert paid.status_code == 302
    booking = the_booking(app, desk["cleaning"])
    assert (booking.paid_cents, booking.paid_how) == (8000, "wechat")
    assert booking.paid_at is not None
    again = office.post(
        f"/desk/booking/{desk['cleaning']}/payment", data={"amount": "80", "how": "cash"}
    )
    assert again.status_code == 409
    assert the_booking(app, desk["cleaning"]).paid_how == "wechat"


@pytest.mark.parametrize(
    ("amount", "how", "message"),
    [
        ("abc", "cash", "请按元填写金额"),
        ("80.555", "cash", "请按元填写金额"),
        ("0", "cash", "金额必须大于零"),
        ("-5", "cash", "金额必须大于零"),
        ("99999999", "cash", "金额太大了"),
        ("NaN", "cash", "请按元填写金额"),
        ("80", "bitcoin", "请选择付款方式"),
    ],
)
def test_a_bad_payment_is_refused_next_to_the_field_and_nothing_saved(
    app, login_as, desk, amount, how, message
):
    response = login_as("operator").post(
        f"/desk/booking/{desk['cleaning']}/payment", data={"amount": amount, "how": how}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'class="field-error"' in page
    assert the_booking(app, desk["cleaning"]).paid_at is None


def test_a_free_public_welfare_service_needs_no_payment(app, login_as, desk):
    page = login_as("staff").get(f"/desk/provider/{desk['staff_provider']}?day={desk['day']}")
    assert "登记付款" not in page.get_data(as_text=True)
    response = login_as("operator").post(
        f"/desk/booking/{desk['haircut']}/payment", data={"amount": "10", "how": "cash"}
    )
    assert response.status_code == 409
    assert the_booking(app, desk["haircut"]).paid_at is None


def test_the_office_exports_a_date_range_safe_for_spreadsheets(login_as, desk):
    office = login_as("operator")
    response = office.get(f"/desk/bookings.csv?from={desk['day']}&to={desk['day']}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 4  # the header and three bookings
    cleaning = next(row for row in rows if row[0] == str(desk["cleaning"]))
    assert cleaning[3] == "'=家庭保洁"  # a formula would run in a spreadsheet: it is text
    assert cleaning[9] == "80.00"
    text = response.get_data(as_text=True)
    assert "13800000005" not in text  # no phone numbers leave the system
    assert "周小梅" not in text
    assert login_as("staff").get("/desk/bookings.csv").status_code == 403


def test_a_sheet_costs_the_same_queries_for_one_booking_or_many(app, login_as, desk):
    office = login_as("operator")
    path = f"/desk/place/{desk['court_place']}?day={desk['day']}"
    few = queries_for(app, office, path)
    with app.app_context():
        booking = db.session.get(Booking, desk["court"])
        service = booking.slot.service
        service.per_slot = 40
        booking.slot.resource.size = 40
        for n in range(6):
            neighbour = User(name=f"邻居{n}", phone=f"1370000100{n}", password_hash="x")
            neighbour.status = AccountStatus.ACTIVE
            neighbour.role_rows = [UserRole(role=Role.RESIDENT)]
            neighbour.unit_id = person(ELDERLY).unit_id
            db.session.add(neighbour)
            db.session.flush()
            book(service, neighbour, booking.slot.starts_at)
        db.session.commit()
        assert len(db.session.scalars(select(Booking)).all()) == 9
    many = queries_for(app, office, path)
    assert many == few


def test_the_home_page_has_a_tile_for_todays_bookings(login_as, desk):
    assert "/desk/" in login_as("staff").get("/").get_data(as_text=True)
    assert "/desk/" in login_as("operator").get("/").get_data(as_text=True)


def test_the_demo_has_a_catalogue_a_full_court_and_a_haircut_at_home(app):

    with app.app_context():
        assert load_demo(db.session)
        db.session.commit()
        assert not load_demo(db.session)  # a second run changes nothing
        # The bookings' own places: the demo's activities have a waiting list of their own.
        statuses = db.session.scalars(
            select(Reservation.status).join(Resource).where(Resource.kind == "service_slot")
        ).all()
        assert statuses.count("waitlisted") == 2
        court = db.session.scalar(
            select(Booking).join(Booking.reservation).where(Reservation.status == "waitlisted")
        )
        assert capacity.free_places(db.session, court.slot.resource) == 0
        home = db.session.scalars(select(WorkOrder).where(WorkOrder.kind == "home_service")).one()
        assert home.status == "assigned"
        assert home.assignee.phone == "13800000003"
        free = [b for b in db.session.scalars(select(Booking)) if b.slot.service.price_cents == 0]
        assert free
