"""The time bank in the browser, on a phone: a volunteer sees the hours of a confirmed visit and
gives two to an elder, who sees them (with JavaScript and without); the office records an entry
and reverses it; every time bank page has no axe violations in both languages and text sizes,
and keeps the large-text rules."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from community.accounts.models import User
from community.core.extensions import db
from community.timebank import ledger, rules
from community.timebank.models import Transfer
from tests.browser.support import (
    MODES,
    choose_modes,
    describe_violations,
    go,
    log_in,
    run_axe,
)
from tests.browser.test_large_text import check_large_text_page
from tests.conftest import DEMO_LOGINS, user_id
from tests.timebank.conftest import send_confirmed

pytestmark = pytest.mark.browser


@pytest.fixture
def bank(app, live_server, make_order) -> dict[str, int]:
    """吴奶奶 receives care, and 李志愿's three-hour visit to her was confirmed (the care
    feature's signal, sent here as it will send it)."""
    ids = {role: user_id(app, DEMO_LOGINS[role]) for role in ("volunteer", "elderly", "operator")}
    with app.app_context():
        elder = db.session.get(User, ids["elderly"])
        elder.receives_care = True
        order = make_order(kind="care_visit", status="closed", requester=elder)
        send_confirmed(order, ids["volunteer"], ids["elderly"], 180, 180)
        db.session.commit()
    return ids


def balance(app, person_id: int) -> int:
    with app.app_context():
        return ledger.balance_of(db.session, person_id)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_volunteer_gives_two_hours_of_a_visit_to_an_elder(app, new_context, bank, js):
    page = new_context(java_script_enabled=js).new_page()
    log_in(page, DEMO_LOGINS["volunteer"], js=js)
    page.get_by_role("link", name="我的时间").first.click()
    expect(page.locator("#timebank-balance")).to_have_text("3 小时")
    expect(page.locator(".timebank-statement")).to_contain_text("上门探访")
    page.get_by_role("link", name="捐赠时间").click()
    page.get_by_label("捐给").select_option(label="吴奶奶")
    page.get_by_label("小时数").fill("2")
    page.get_by_role("button", name="捐出这些时间").click()
    expect(page.locator(".alert-success")).to_contain_text("2 小时")
    expect(page.locator("#timebank-balance")).to_have_text("1 小时")
    assert balance(app, bank["elderly"]) == 120

    elder = new_context(java_script_enabled=js).new_page()
    log_in(elder, DEMO_LOGINS["elderly"], js=js)
    elder.goto("/timebank")
    expect(elder.locator(".timebank-given")).to_contain_text("2 小时")


def test_a_volunteer_cannot_give_more_than_they_have(app, new_context, bank):
    page = new_context().new_page()
    log_in(page, DEMO_LOGINS["volunteer"])
    page.goto("/timebank/give")
    page.get_by_label("小时数").fill("4")
    page.get_by_role("button", name="捐出这些时间").click()
    expect(page.locator(".field-error")).to_contain_text("3")
    assert balance(app, bank["volunteer"]) == 180


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_the_office_records_an_entry_and_reverses_it(app, new_context, bank, js):
    page = new_context(java_script_enabled=js).new_page()
    log_in(page, DEMO_LOGINS["operator"], js=js)
    page.get_by_role("link", name="时间银行").first.click()
    page.get_by_label("志愿者").select_option(label="李志愿")
    page.get_by_label("小时数").fill("1.5")
    page.get_by_label("做了什么工作").fill("清理花园")
    page.get_by_role("button", name="记入时长").click()
    expect(page.locator(".alert-success")).to_contain_text("1.5 小时")
    assert balance(app, bank["volunteer"]) == 270
    with app.app_context():
        entry_id = db.session.scalar(select(func.max(Transfer.id)))
    page.get_by_role("link", name=f"第 {entry_id} 笔").click()
    page.get_by_label("记错的原因").fill("记错了人")
    page.get_by_role("button", name="冲正", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("已冲正")
    expect(page.locator("main")).to_contain_text("冲正记录")
    assert balance(app, bank["volunteer"]) == 180


def give_error(page: Page) -> None:
    go(page, "/timebank/give")
    page.locator("#hours").fill("abc")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".field-error").first).to_be_visible()
    page.wait_for_load_state()


def entry_error(page: Page) -> None:
    go(page, "/operator/timebank")
    page.locator("main form[action$='/entries'] button[type=submit]").click()
    expect(page.locator(".field-error").first).to_be_visible()
    page.wait_for_load_state()


def test_time_bank_pages_have_no_axe_violations(app, axe_path, new_context, bank):
    """Each person logs in once and sees the time bank's pages in all four modes."""
    with app.app_context():
        operator = db.session.get(User, bank["operator"])
        entry = rules.record_work(db.session, operator, bank["volunteer"], 60, "门岗值班")
        reversal = rules.reverse(db.session, operator, entry.id, "记错了")
        db.session.commit()
        entry_id, reversal_id = entry.id, reversal.id
    visits = {
        "volunteer": ["/timebank", "/timebank/give", give_error],
        "elderly": ["/timebank"],
        "operator": [
            "/operator/timebank",
            entry_error,
            f"/operator/timebank/entries/{entry_id}",
            f"/operator/timebank/entries/{reversal_id}",
            f"/operator/timebank/statement?person={bank['volunteer']}",
        ],
    }
    problems = []
    for role, paths in visits.items():
        page = new_context(bypass_csp=True).new_page()
        log_in(page, DEMO_LOGINS[role])
        for locale, text_size in MODES:
            choose_modes(page, locale, text_size)
            for visit in paths:
                if callable(visit):
                    visit(page)
                else:
                    go(page, visit)
                where = f"{page.url} [{role}, {locale}, {text_size}]"
                violations = run_axe(page, axe_path)
                if violations:
                    problems.append(describe_violations(where, violations))
                if text_size == "large":
                    problems += [f"{where}: {problem}" for problem in check_large_text_page(page)]
        page.context.close()
    report = "\n\n".join(problems)
    assert not problems, report
