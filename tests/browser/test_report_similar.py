"""Issue 8, item 1, in a real browser: on the report form, choosing a place shows the open
reports there (htmx, JavaScript on) or "Check this place" does (JavaScript off); "me too"
follows one; the report itself still sends what was typed. No request puts the CSRF token in
a URL. Screenshots: test-artifacts/report-similar-*.png."""

import re

import pytest
from playwright.sync_api import expect

from community.core.extensions import db
from tests.browser.support import NARROW_PHONE, PHONE, choose_modes, log_in
from tests.conftest import DEMO_LOGINS
from tests.workorder_helpers import RESIDENT, report

pytestmark = pytest.mark.browser

GATE = "1"  # 南门, the first common place of the demo community
OPEN_REPORT = "南门门禁坏了，刷卡没有反应。"
SIMILAR = {"zh_CN": "是下面这些问题吗？", "en": "Is it one of these?"}


@pytest.fixture
def open_order(app, live_server) -> int:
    with app.app_context():
        order = report(RESIDENT, place_id=int(GATE), description=OPEN_REPORT)
        db.session.commit()
        return order.id


def resident_page(new_context, js: bool, locale: str = "en", large: bool = False):
    page = new_context(java_script_enabled=js).new_page()
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    log_in(page, DEMO_LOGINS["elderly"], js=js)
    choose_modes(page, locale, "large" if large else "standard")
    page.goto("/repairs/new")
    return page, urls


def show_open_reports(page, js: bool) -> None:
    """Choose the gate; with JavaScript htmx fetches the list, without it the person checks."""
    page.locator("select[name=place]").select_option(GATE)
    if not js:
        page.locator("button[name=check]").click()
        page.wait_for_load_state()
    expect(page.locator("#similar")).to_contain_text(OPEN_REPORT)


def no_token_in_urls(urls: list[str]) -> None:
    leaked = [url for url in urls if "csrf_token" in url]
    assert leaked == []


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_report_after_checking_the_place_sends_what_was_typed(
    new_context, open_order, artifacts, js
):
    page, urls = resident_page(new_context, js)
    page.locator("input[name=category][value=doors_locks]").check()
    page.locator("textarea[name=description]").fill("南门的门关不上。")
    show_open_reports(page, js)
    assert page.locator("form form").count() == 0
    # What was typed before the check is still there.
    expect(page.locator("textarea[name=description]")).to_have_value("南门的门关不上。")
    expect(page.locator("input[name=category][value=doors_locks]")).to_be_checked()
    shot = artifacts / f"report-similar-{'js' if js else 'no-js'}-en.png"
    page.screenshot(path=shot, full_page=True)
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url(re.compile(r"/repairs/\d+$"))
    assert not page.url.endswith(f"/repairs/{open_order}")
    expect(page.locator("main")).to_contain_text("南门的门关不上。")
    expect(page.locator(".status")).to_have_text("Submitted")
    no_token_in_urls(urls)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_me_too_follows_the_open_report(new_context, open_order, js):
    page, urls = resident_page(new_context, js)
    show_open_reports(page, js)
    page.get_by_role("button", name=f"Me too: follow #{open_order}").click()
    page.wait_for_url(re.compile(rf"/repairs/{open_order}$"))
    expect(page.locator(".alert-success")).to_contain_text(f"You follow report {open_order} now")
    page.goto("/repairs")
    expect(page.locator("main")).to_contain_text(f"#{open_order}")
    no_token_in_urls(urls)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("large", [False, True], ids=["standard", "large"])
@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_open_reports_screenshots(new_context, open_order, artifacts, js, large, locale):
    page, urls = resident_page(new_context, js, locale, large)
    show_open_reports(page, js)
    expect(page.locator("#similar h2")).to_have_text(SIMILAR[locale])
    mode = f"{locale}-{'large' if large else 'standard'}-{'js' if js else 'no-js'}"
    for viewport in (PHONE, NARROW_PHONE):
        page.set_viewport_size(viewport)
        assert page.evaluate("() => document.documentElement.scrollWidth - innerWidth") <= 0
        page.locator("#similar").scroll_into_view_if_needed()
        page.screenshot(path=artifacts / f"report-similar-{mode}-{viewport['width']}.png")
    no_token_in_urls(urls)
