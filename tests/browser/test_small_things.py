"""Issue 8, item 6, in the browser: the report form in large-text mode lays the kinds of
problem out in two columns of big radio cards, on a phone and a small phone, in both languages;
a pending account is told its home awaits approval; the office and admin are not offered a call
to themselves. Screenshots: test-artifacts/report-form-large-*.png, pending-403-*.png,
office-call-*.png."""

import pytest
from playwright.sync_api import expect

from tests.browser.support import LOCALES, NARROW_PHONE, PHONE, choose_modes, log_in
from tests.conftest import DEMO_LOGINS

pytestmark = pytest.mark.browser

CARDS_JS = """() => [...document.querySelectorAll('input[name=category]')].map((input) => {
    const box = input.closest('label').getBoundingClientRect();
    return {left: Math.round(box.left), width: box.width, height: box.height};
})"""


@pytest.mark.parametrize("viewport", [PHONE, NARROW_PHONE], ids=["390", "360"])
def test_large_text_report_form_has_two_columns_of_categories(new_context, artifacts, viewport):
    page = new_context(viewport=viewport).new_page()
    log_in(page, DEMO_LOGINS["elderly"])
    for locale in LOCALES:
        choose_modes(page, locale, "large")
        page.goto("/repairs/new")
        cards = page.evaluate(CARDS_JS)
        assert len(cards) == 8
        assert len({card["left"] for card in cards}) == 2  # two columns
        assert all(card["width"] >= 60 and card["height"] >= 60 for card in cards), cards
        grid = page.locator(".category-grid").bounding_box()
        assert grid["height"] <= 4 * 140  # four rows of cards (one column made eight)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0
        page.screenshot(
            path=artifacts / f"report-form-large-{locale}-{viewport['width']}.png", full_page=True
        )


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_pending_account_sees_that_its_home_awaits_approval(new_context, artifacts, js):
    page = new_context(java_script_enabled=js, viewport=NARROW_PHONE).new_page()
    log_in(page, DEMO_LOGINS["pending"], js=js)
    for locale in LOCALES:
        choose_modes(page, locale, "large")
        response = page.goto("/repairs/new")
        assert response.status == 403
        message = {"zh_CN": "您的住址正在等待审核", "en": "Your home is waiting for approval"}
        expect(page.locator(".alert-error")).to_contain_text(message[locale])
        page.screenshot(path=artifacts / f"pending-403-{locale}-{'js' if js else 'no-js'}.png")


@pytest.mark.parametrize("role", ["operator", "admin", "resident"])
def test_the_office_call_is_for_the_people_the_office_serves(new_context, artifacts, role):
    page = new_context().new_page()
    log_in(page, DEMO_LOGINS[role])
    for size in ("standard", "large"):
        choose_modes(page, "en", size)
        page.goto("/")
        expect(page.locator(".call-operator")).to_have_count(1 if role == "resident" else 0)
        page.screenshot(path=artifacts / f"office-call-{role}-{size}-en.png", full_page=True)
