"""Phone-sized screenshots of the home page, for people to look at: test-artifacts/*.png."""

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    HTML_LANG,
    LOCALES,
    choose_modes,
    go,
    horizontal_overflow,
    log_in,
)
from tests.conftest import DEMO_LOGINS

pytestmark = pytest.mark.browser

GREETING = {"zh_CN": "您好，{name}", "en": "Hello, {name}"}


@pytest.mark.parametrize(
    ("role", "name", "text_size"),
    [("resident", "周小梅", "standard"), ("elderly", "吴奶奶", "large")],
    ids=["resident-standard", "elderly-large"],
)
def test_home_page_screenshots(new_context, artifacts, role, name, text_size):
    page = new_context().new_page()
    log_in(page, DEMO_LOGINS[role])
    for locale in LOCALES:
        choose_modes(page, locale, text_size)
        go(page, "/")
        expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[locale])
        greeting = GREETING[locale].format(name=name)
        expect(page.get_by_role("heading", level=1)).to_have_text(greeting)
        page.evaluate("() => document.fonts.ready.then(() => true)")
        path = artifacts / f"home-{role}-{text_size}-{locale}.png"
        page.screenshot(path=path, animations="disabled")
        assert path.stat().st_size > 0
        assert horizontal_overflow(page) <= 0
