"""Issue 9 in the browser: the operator builds a service from the home page, gives it a weekly
plan with a break and a closed date, with JavaScript on and off; a mistake shows next to its
field; the catalogue's pages keep large-text mode's rules at 360 px and have no axe violations,
in both languages and text sizes."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from community.bookings.models import Service, ServiceHours
from community.core.db import utcnow
from community.core.extensions import db
from tests.browser.support import (
    MODES,
    NARROW_PHONE,
    choose_modes,
    describe_violations,
    go,
    log_in,
    run_axe,
)
from tests.browser.test_large_text import check_large_text_page
from tests.conftest import DEMO_LOGINS

pytestmark = pytest.mark.browser

OPERATOR = DEMO_LOGINS["operator"]


def in_ten_days() -> str:
    return (utcnow() + timedelta(days=10)).date().isoformat()


def add_opening(page: Page, weekday: str, opens: str, closes: str) -> None:
    page.locator("#weekday").select_option(weekday)
    page.locator("#opens").fill(opens)
    page.locator("#closes").fill(closes)
    with page.expect_navigation():
        page.locator("form[action$='/hours'] button[type=submit]").click()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_the_operator_builds_a_haircut_service_with_its_week(app, new_context, js):
    page = new_context(java_script_enabled=js).new_page()
    log_in(page, OPERATOR, js=js)
    page.get_by_role("link", name="服务与时段").click()
    expect(page.locator("h1")).to_have_text("服务与时段")
    page.get_by_role("link", name="添加服务").click()

    page.locator("#name_zh").fill("上门理发")
    page.locator("#name_en").fill("Haircut at home")
    page.locator("#description_zh").fill("理发师带工具上门。")
    page.locator("#scenario").select_option("service")
    page.locator("#duration_minutes").fill("45")
    page.locator("#price_yuan").fill("15")
    page.locator("#staff").select_option(label="孙师傅")
    page.locator("#buffer_minutes").fill("15")
    page.get_by_role("button", name="保存服务").click()
    expect(page.locator(".alert-success")).to_contain_text("请为它设置开放时间")

    add_opening(page, "0", "09:00", "12:00")
    add_opening(page, "0", "14:00", "17:00")
    expect(page.locator("#plan")).to_contain_text("星期一 09:00 至 12:00")
    expect(page.locator("#plan")).to_contain_text("星期一 14:00 至 17:00")

    # An opening that overlaps the morning: told next to the field, nothing added.
    add_opening(page, "0", "11:00", "13:00")
    expect(page.locator("#opens-error")).to_contain_text("09:00 至 12:00")

    page.locator("#day").fill(in_ten_days())
    page.locator("#reason").fill("员工培训")
    page.locator("form[action$='/closures'] button[type=submit]").click()
    expect(page.locator("#closures")).to_contain_text("员工培训")

    page.get_by_role("button", name="删除星期一 14:00 至 17:00").click()
    expect(page.locator("#plan")).not_to_contain_text("14:00 至 17:00")

    with app.app_context():
        service = db.session.scalars(select(Service)).one()
        assert (service.price_cents, service.duration_minutes) == (1500, 45)
        assert service.provider.name == "孙师傅"
        hours = db.session.scalars(select(ServiceHours)).all()
        assert [(row.weekday, row.opens, row.closes) for row in hours] == [(0, 540, 720)]


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_mistake_shows_next_to_its_field(app, new_context, js):
    page = new_context(java_script_enabled=js).new_page()
    log_in(page, OPERATOR, js=js)
    go(page, "/operator/services/new")
    page.locator("#name_en").fill("Cleaning")
    page.locator("#price_yuan").fill("-3")
    page.get_by_role("button", name="保存服务").click()
    expect(page.locator("#name_zh-error")).to_have_text("此项必填。")
    expect(page.locator("#price_yuan-error")).to_contain_text("0 到 100000")
    expect(page.locator("#name_en")).to_have_value("Cleaning")
    with app.app_context():
        assert db.session.scalars(select(Service)).first() is None


@pytest.fixture
def service_id(app, live_server) -> int:
    with app.app_context():
        service = Service(name_zh="社区活动室", name_en="Community room", scenario="neighborhood")
        service.hours = [ServiceHours(weekday=day, opens=540, closes=1020) for day in range(5)]
        db.session.add(service)
        db.session.commit()
        return service.id


def wrong_opening(page: Page, service_id: int) -> None:
    go(page, f"/operator/services/{service_id}")
    add_opening(page, "2", "18:00", "08:00")
    expect(page.locator("#closes-error")).to_be_visible()


def wrong_service(page: Page) -> None:
    go(page, "/operator/services/new")
    page.locator("#per_slot").fill("0")
    page.locator("form[action$='/new'] button[type=submit]").click()
    expect(page.locator("#per_slot-error")).to_be_visible()


def visits(service_id: int) -> list:
    return [
        "/operator/services/",
        "/operator/services/new",
        wrong_service,
        f"/operator/services/{service_id}",
        lambda page: wrong_opening(page, service_id),
        "/operator/services/providers",
    ]


def test_catalogue_pages_have_no_axe_violations(axe_path, new_context, service_id):
    """The operator logs in once and sees the catalogue's pages in all four modes."""
    page = new_context(bypass_csp=True).new_page()
    log_in(page, OPERATOR)
    problems = []
    for locale, text_size in MODES:
        choose_modes(page, locale, text_size)
        for visit in visits(service_id):
            visit(page) if callable(visit) else go(page, visit)
            violations = run_axe(page, axe_path)
            if violations:
                where = f"{page.url} [{locale}, {text_size}]"
                problems.append(describe_violations(where, violations))
    assert not problems, "\n\n".join(problems)


def test_catalogue_pages_keep_large_text_rules_on_a_small_phone(new_context, service_id):
    page = new_context(viewport=NARROW_PHONE).new_page()
    log_in(page, OPERATOR)
    choose_modes(page, "zh_CN", "large")
    problems = []
    for visit in visits(service_id):
        visit(page) if callable(visit) else go(page, visit)
        problems += [f"{page.url}: {problem}" for problem in check_large_text_page(page)]
    assert not problems, "\n".join(problems)
    assert re.search(r"/operator/services/providers$", page.url)
