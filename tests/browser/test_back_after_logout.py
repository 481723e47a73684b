"""Issue 8, item 2: Back after logout shows nothing private; the page is fetched again and the
person lands on the login page."""

import re

import pytest
from playwright.sync_api import expect

from community.core.extensions import db
from community.notify import outbox
from community.workorders.announce import WORKORDER
from tests.browser.support import PHONE, log_in
from tests.conftest import DEMO_LOGINS
from tests.workorder_helpers import person

pytestmark = pytest.mark.browser

PRIVATE = "只给周小梅看的通知"


@pytest.fixture
def bfcache_context(playwright, launch_options, live_server):
    """A phone browser with the back/forward cache on, as every real chromium has it
    (Playwright turns it off by default): it is what kept the inbox after logout."""
    browser = playwright.chromium.launch(
        **launch_options, ignore_default_args=["--disable-back-forward-cache"]
    )
    contexts = []

    def make(**options):
        context = browser.new_context(
            base_url=live_server, viewport=PHONE, locale="zh-CN", **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    browser.close()


@pytest.fixture
def inbox_message(app, live_server):
    with app.app_context():
        outbox.queue(
            db.session, [person(DEMO_LOGINS["resident"])], WORKORDER, lambda: (PRIVATE, "")
        )
        db.session.commit()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_back_after_logout_does_not_show_the_inbox(bfcache_context, inbox_message, js):
    page = bfcache_context(java_script_enabled=js).new_page()
    log_in(page, DEMO_LOGINS["resident"], js=js)
    page.goto("/inbox")
    expect(page.get_by_role("main")).to_contain_text(PRIVATE)
    page.goto("/settings")
    page.locator("form[action='/logout'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))
    page.go_back()  # to /settings
    page.go_back()  # to /inbox
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/login"))
    assert PRIVATE not in page.content()
    assert "周小梅" not in page.content()


def test_back_after_logout_does_not_show_the_operators_people_list(bfcache_context):
    page = bfcache_context().new_page()
    log_in(page, DEMO_LOGINS["operator"])
    page.goto("/operator/people")
    expect(page.get_by_role("main")).to_contain_text("周小梅")
    page.goto("/settings")
    page.locator("form[action='/logout'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))
    page.go_back()
    page.go_back()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/login"))
    assert "周小梅" not in page.content()


def test_htmx_keeps_no_copy_of_private_pages_in_the_browsers_storage(
    bfcache_context, inbox_message
):
    page = bfcache_context().new_page()
    log_in(page, DEMO_LOGINS["resident"])
    page.locator("nav a[href='/inbox']").click()  # boosted: htmx swaps the page in
    expect(page.get_by_role("main")).to_contain_text(PRIVATE)
    page.locator("nav a[href='/settings']").click()
    page.wait_for_url(re.compile(r"/settings$"))
    stored = page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage, localStorage))")
    assert PRIVATE not in stored
    page.go_back()  # within the page: fetched again, not restored from a snapshot
    expect(page.get_by_role("main")).to_contain_text(PRIVATE)
    page.locator("nav a[href='/settings']").click()
    page.locator("form[action='/logout'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))
    page.go_back()
    page.go_back()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/login"))
    assert PRIVATE not in page.content()
