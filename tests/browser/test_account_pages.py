"""Issue 8, items 7 and 15 in the browser: the account page, the office's move review and reset
code, and the forgot-password page keep large-text mode's numbers and have no axe violations,
in both languages; the pages work without JavaScript."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import (
    MODES,
    choose_modes,
    describe_violations,
    go,
    log_in,
    run_axe,
)
from tests.browser.test_large_text import large_text_problems
from tests.conftest import DEMO_LOGINS

pytestmark = pytest.mark.browser

PAGES = {
    "anonymous": ["/password/forgot"],
    "resident": ["/account"],
    "elderly": ["/account"],
    "operator": ["/operator/people", "/operator/signups"],
}


def ask_to_move(page: Page) -> None:
    """The resident asks to move, so the operator's review page has a move on it."""
    go(page, "/account")
    select = page.locator("select[name=unit]")
    select.select_option(index=5)
    page.locator("form[action='/account/move'] button[type=submit]").click()
    expect(page.locator("form[action='/account/move/cancel']")).to_be_visible()


@pytest.mark.parametrize("role", list(PAGES))
def test_account_pages_keep_the_large_text_rules(new_context, role):
    problems = large_text_problems(new_context, role, PAGES[role])
    assert not problems, "\n".join(problems)


def test_account_pages_have_no_axe_violations(axe_path, new_context):
    """With a move asked for, each person logs in once and sees their pages in all four
    modes."""
    problems = []
    resident = new_context(bypass_csp=True).new_page()
    log_in(resident, DEMO_LOGINS["resident"])
    ask_to_move(resident)
    for role in PAGES:
        page = resident if role == "resident" else new_context(bypass_csp=True).new_page()
        if role == "anonymous":
            page.goto("/")
        elif role != "resident":
            log_in(page, DEMO_LOGINS[role])
        for locale, text_size in MODES:
            choose_modes(page, locale, text_size)
            for path in PAGES[role]:
                go(page, path)
                violations = run_axe(page, axe_path)
                if violations:
                    where = f"{page.url} [{role}, {locale}, {text_size}]"
                    problems.append(describe_violations(where, violations))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_move_is_asked_for_and_approved(new_context, js):
    resident = new_context(java_script_enabled=js).new_page()
    log_in(resident, DEMO_LOGINS["resident"], js=js)
    ask_to_move(resident)
    operator = new_context(java_script_enabled=js).new_page()
    log_in(operator, DEMO_LOGINS["operator"], js=js)
    go(operator, "/operator/signups")
    operator.locator("#moves form[action$='/approve'] button").first.click()
    expect(operator.locator("#moves")).to_have_count(0)
    resident.reload()
    expect(resident.locator("form[action='/account/move/cancel']")).to_have_count(0)
    expect(resident.locator("form[action='/account/move']")).to_be_visible()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_logging_out_another_device(new_context, js):
    phone = new_context(java_script_enabled=js).new_page()
    log_in(phone, DEMO_LOGINS["resident"], js=js)
    tablet = new_context(java_script_enabled=js).new_page()
    log_in(tablet, DEMO_LOGINS["resident"], js=js)
    go(phone, "/account")
    phone.locator("form[action='/account/devices/logout-others'] button").click()
    expect(phone.locator("#devices > li")).to_have_count(1)
    go(tablet, "/account")
    expect(tablet.locator("form[action='/login']")).to_be_visible()
