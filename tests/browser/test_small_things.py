"""Issue 8, item 6, in the browser: the report form in large-text mode lays the kinds of
problem out in two columns of big radio cards, on a phone and a small phone, in both languages.
Screenshots: test-artifacts/report-form-large-*.png."""

import pytest

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
