"""Issue 8, items 5 and 8 in the browser: the office records a family link, the family reports
for each other, and the staff member sees the priority and can call; no axe violations on the
new pages, in both languages and text sizes."""

import re

import pytest
from playwright.sync_api import Page, expect

from community.core.extensions import db
from tests.browser.support import (
    MODES,
    choose_modes,
    describe_violations,
    go,
    log_in,
    run_axe,
)
from tests.conftest import DEMO_LOGINS
from tests.workorder_helpers import ELDERLY, RESIDENT, person, report, walk

pytestmark = pytest.mark.browser


@pytest.fixture
def urgent_order(app, live_server) -> int:
    """The resident's report for her mother, urgent, assigned to the staff member."""
    with app.app_context():
        order = report(RESIDENT, description="吴奶奶家跳闸", on_behalf_of=ELDERLY)
        walk(order, "accept")
        order.priority = "urgent"
        db.session.flush()
        walk(order, "assign")
        db.session.commit()
        return order.id


@pytest.fixture
def volunteer_id(app, live_server) -> int:
    with app.app_context():
        return person(DEMO_LOGINS["volunteer"]).id


def family_error(page: Page, volunteer_id: int) -> None:
    """Record a link with a number nobody has: the error is next to the field."""
    go(page, f"/operator/people/{volunteer_id}/family")
    page.locator("#relative").fill("13912345678")
    page.locator("main form button.primary").click()
    expect(page.locator(".field-error")).to_be_visible()
    page.wait_for_load_state()


def test_new_pages_have_no_axe_violations(axe_path, new_context, urgent_order, volunteer_id):
    """Each person logs in once and sees the pages in all four modes."""
    problems = []
    visits = {
        "operator": [
            f"/operator/people/{volunteer_id}/family",
            lambda page: family_error(page, volunteer_id),
            f"/repairs/{urgent_order}",
        ],
        "staff": ["/work", f"/repairs/{urgent_order}"],
    }
    for role, steps in visits.items():
        page = new_context(bypass_csp=True).new_page()
        log_in(page, DEMO_LOGINS[role])
        for locale, text_size in MODES:
            choose_modes(page, locale, text_size)
            for visit in steps:
                visit(page) if callable(visit) else go(page, visit)
                violations = run_axe(page, axe_path)
                if violations:
                    where = f"{page.url} [{role}, {locale}, {text_size}]"
                    problems.append(describe_violations(where, violations))
        page.context.close()
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_the_office_links_a_family_and_one_reports_for_the_other(new_context, volunteer_id, js):
    office = new_context(java_script_enabled=js).new_page()
    log_in(office, DEMO_LOGINS["operator"], js=js)
    office.goto("/operator/people")
    office.get_by_role("link", name="李志愿的家人关系").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("李志愿的家人")
    office.get_by_label("家人的手机号或邮箱").fill(DEMO_LOGINS["resident"])
    office.get_by_role("button", name="登记为家人").click()
    expect(office.get_by_role("main")).to_contain_text("已登记李志愿和周小梅为家人。")

    helper = new_context(java_script_enabled=js).new_page()
    log_in(helper, DEMO_LOGINS["volunteer"], js=js)
    helper.goto("/repairs/new")
    helper.locator("input[name=category]").first.check()
    helper.locator("#description").fill("帮周小梅报修：门口灯不亮")
    helper.locator("details.on-behalf summary").click()
    helper.locator("#on_behalf_of").fill(DEMO_LOGINS["resident"])
    helper.get_by_role("button", name="提交报修").click()
    helper.wait_for_url(re.compile(r"/repairs/\d+$"))
    expect(helper.get_by_role("main")).to_contain_text("为 周小梅")


def test_staff_see_urgent_first_and_can_call_from_the_order(new_context, urgent_order):
    page = new_context().new_page()
    log_in(page, DEMO_LOGINS["staff"])
    page.goto("/work")
    first = page.locator("li.order-card").first
    expect(first).to_contain_text(f"#{urgent_order}")
    expect(first.locator(".priority-urgent")).to_have_text("优先级：紧急")
    first.locator("a.order-link").click()
    call = page.get_by_role("link", name=f"致电吴奶奶：{ELDERLY}")
    expect(call).to_have_attribute("href", f"tel:{ELDERLY}")
    expect(page.get_by_role("link", name=f"致电周小梅：{RESIDENT}")).to_be_visible()
