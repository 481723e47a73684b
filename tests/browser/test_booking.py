"""Booking a service in the browser, on a phone in Chinese: an elder in large-text mode books a
haircut at home, a daughter books a cleaning for her mother (with JavaScript and without), a
resident moves and cancels; every booking page keeps the large-text rules and has no axe
violations in both text sizes."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from community.bookings import rules
from community.core.extensions import db
from community.directory.models import Place
from tests.bookings.test_booking import at, make_service, person
from tests.browser.support import (
    MODES,
    choose_modes,
    describe_violations,
    go,
    log_in,
    run_axe,
)
from tests.browser.test_large_text import check_large_text_page
from tests.conftest import DEMO_LOGINS

pytestmark = pytest.mark.browser


@pytest.fixture
def services(app, live_server) -> dict[str, int]:
    """The demo has no services yet: a haircut and a cleaning at home, a badminton court."""
    with app.app_context():
        made = {
            "haircut": make_service(name_zh="上门理发", name_en="Haircut at home").id,
            "cleaning": make_service(name_zh="上门保洁", name_en="Home cleaning").id,
            "court": make_service(
                per_slot=4,
                at_home=False,
                place_id=db.session.scalars(select(Place.id).order_by(Place.id)).first(),
                name_zh="羽毛球场",
                name_en="Badminton court",
            ).id,
        }
        db.session.commit()
    return made


def resident_booking(app, service_id: int, hour: int = 10) -> int:
    with app.app_context():
        me = person(DEMO_LOGINS["resident"])
        booking = rules.book(db.session, service_id, at(2, hour), me, me)
        db.session.commit()
        return booking.id


def pick_service_and_time(page: Page, name: str) -> None:
    """From the home page: the tile, the service, the first free time."""
    page.get_by_role("link", name="预约服务").first.click()
    page.get_by_role("link", name=name).click()
    page.locator("#times a.button").first.click()
    expect(page.locator("h1")).to_contain_text(name)


def test_an_elder_in_large_text_books_a_haircut_at_home(new_context, services):
    page = new_context().new_page()
    log_in(page, DEMO_LOGINS["elderly"])
    choose_modes(page, "zh_CN", "large")
    page.goto("/")
    problems = []
    page.get_by_role("link", name="预约服务").first.click()
    problems += check_large_text_page(page)
    page.get_by_role("link", name="上门理发").click()
    problems += check_large_text_page(page)
    page.locator("#times a.button").first.click()
    problems += check_large_text_page(page)
    page.get_by_role("button", name="预约这个时间").click()
    expect(page.locator(".status")).to_have_text("已预约")
    problems += check_large_text_page(page)
    page.get_by_role("link", name="我的预约").click()
    expect(page.locator(".booking-card")).to_contain_text("上门理发")
    problems += check_large_text_page(page)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_daughter_books_a_cleaning_for_her_mother(new_context, services, js):
    page = new_context(java_script_enabled=js).new_page()
    log_in(page, DEMO_LOGINS["resident"], js=js)
    pick_service_and_time(page, "上门保洁")
    page.locator("#person").select_option(label="吴奶奶")
    page.get_by_role("button", name="预约这个时间").click()
    expect(page).to_have_url(re.compile(r"/bookings/\d+$"))
    expect(page.locator(".facts").first).to_contain_text("吴奶奶")
    page.get_by_role("link", name="我的预约").click()
    expect(page.locator(".booking-card")).to_contain_text("吴奶奶")


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_resident_moves_a_booking_then_cancels_it(app, new_context, services, js):
    booking_id = resident_booking(app, services["haircut"])
    page = new_context(java_script_enabled=js).new_page()
    log_in(page, DEMO_LOGINS["resident"], js=js)
    page.goto(f"/bookings/{booking_id}")
    page.get_by_role("link", name="换个时间").click()
    page.locator("#times button").first.click()
    expect(page.locator(".alert").first).to_contain_text("预约已改期")
    assert not page.url.endswith(f"/bookings/{booking_id}")
    page.get_by_role("button", name="取消预约").click()
    expect(page.locator(".status")).to_have_text("已撤销")
    page.goto(f"/bookings/{booking_id}")
    expect(page.locator(".status")).to_have_text("已撤销")


def booking_error(page: Page, service_id: int) -> None:
    """The booking form sent back with a time the service is not open: the message shows."""
    go(page, f"/services/{service_id}/book?slot={at(2, 21).isoformat().replace('+', '%2B')}")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".field-error")).to_be_visible()


def test_booking_pages_have_no_axe_violations(app, axe_path, new_context, services):
    """The resident logs in once and sees the booking pages in all four modes."""
    booking_id = resident_booking(app, services["court"])
    court = services["court"]
    steps = [
        "/services",
        f"/services/{court}",
        f"/services/{court}/book?slot={at(2, 11).isoformat().replace('+', '%2B')}",
        lambda page: booking_error(page, court),
        "/bookings",
        f"/bookings/{booking_id}",
        f"/bookings/{booking_id}/move",
    ]
    page = new_context(bypass_csp=True).new_page()
    log_in(page, DEMO_LOGINS["resident"])
    problems = []
    for locale, text_size in MODES:
        choose_modes(page, locale, text_size)
        for step in steps:
            step(page) if callable(step) else go(page, step)
            violations = run_axe(page, axe_path)
            if violations:
                where = f"{page.url} [{locale}, {text_size}]"
                problems.append(describe_violations(where, violations))
            if text_size == "large":
                problems += [
                    f"{page.url} [{locale}]: {problem}" for problem in check_large_text_page(page)
                ]
    assert not problems, "\n\n".join(problems)
