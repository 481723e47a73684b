"""axe-core finds no WCAG 2.2 A/AA violations on any page, in either language, in standard
and in large text."""

from collections.abc import Callable

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
from tests.conftest import DEMO_LOGINS

pytestmark = pytest.mark.browser


def signup_errors(page: Page) -> None:
    """Send the sign-up form empty: every field says what is missing."""
    go(page, "/signup")
    page.locator("form[action='/signup'] button[type=submit]").click()
    expect(page.locator(".field-error").first).to_be_visible()
    page.wait_for_load_state()


def decline_form(page: Page) -> None:
    """Open the form for declining a sign-up."""
    go(page, "/operator/signups")
    page.locator("details.reject summary").first.click()
    expect(page.locator("details.reject[open] input[name=note]").first).to_be_visible()


def decline_error(page: Page) -> None:
    """Decline without a reason: htmx swaps in the row with the error next to the field."""
    if not page.locator("details.reject[open]").count():
        decline_form(page)
    page.locator("details.reject[open] button[type=submit]").first.click()
    expect(page.locator("details.reject[open] .field-error").first).to_be_visible()


def community_errors(page: Page) -> None:
    go(page, "/operator/community")
    page.locator("#name").fill("")
    page.locator("#operator_phone").fill("call us")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".field-error").first).to_be_visible()
    page.wait_for_load_state()


# What each person opens, in order: a path, or steps that leave the page in a state to check.
Visit = str | Callable[[Page], None]
PAGES: dict[str, list[Visit]] = {
    "anonymous": [
        "/",
        "/login",
        "/signup",
        signup_errors,
        "/settings",
        "/offline",
        "/no-such-page",
    ],
    "pending": ["/"],
    "resident": ["/", "/settings"],
    "elderly": ["/"],
    "operator": ["/", "/operator/signups", decline_form, decline_error, "/operator/people"],
    "admin": ["/", "/operator/community", community_errors],
}


@pytest.mark.parametrize("role", list(PAGES))
def test_pages_have_no_axe_violations(axe_path, new_context, role):
    """Each person's pages in all four modes: logged in once, switching as a person would."""
    # axe-core is injected as an inline script, which the app's CSP rightly refuses.
    page = new_context(bypass_csp=True).new_page()
    if role == "anonymous":
        page.goto("/")
    else:
        log_in(page, DEMO_LOGINS[role])

    problems = []
    for locale, text_size in MODES:
        choose_modes(page, locale, text_size)
        for visit in PAGES[role]:
            if callable(visit):
                visit(page)
                where = f"{page.url} ({visit.__name__.replace('_', ' ')})"
            else:
                go(page, visit)
                where = page.url
            expect(page.locator("body")).to_have_class(
                "large-text" if text_size == "large" else "standard-text"
            )
            violations = run_axe(page, axe_path)
            if violations:
                where = f"{where} [{role}, {locale}, {text_size}]"
                problems.append(describe_violations(where, violations))
    report = "\n\n".join(problems)
    if problems:
        print(report)
    assert not problems, report
