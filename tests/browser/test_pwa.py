"""The installable app: the service worker takes charge of the whole site, chromium finds the
app installable, and a page opened without a connection shows the offline page."""

import pytest
from playwright.sync_api import expect

from tests.browser.support import wait_for_service_worker

pytestmark = pytest.mark.browser

# The page is controlled once the worker has claimed it (clients.claim() in sw.js).
CONTROLLED_JS = """async () => {
    if (!navigator.serviceWorker.controller) {
        await new Promise((resolve, reject) => {
            navigator.serviceWorker.addEventListener('controllerchange', resolve);
            setTimeout(() => reject(new Error('the page was not claimed within 10 s')), 10000);
        });
    }
    return navigator.serviceWorker.controller.scriptURL;
}"""


def test_service_worker_is_activated_for_the_whole_site(page, live_server):
    page.goto("/")
    worker = wait_for_service_worker(page)
    assert worker == {
        "scope": f"{live_server}/",
        "state": "activated",
        "script": f"{live_server}/sw.js",
    }
    assert page.evaluate(CONTROLLED_JS) == f"{live_server}/sw.js"


def test_offline_page_is_shown_without_a_connection(new_context):
    context = new_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    page.evaluate(CONTROLLED_JS)

    context.set_offline(True)
    try:
        page.goto("/settings")
        expect(page.get_by_role("heading", level=1)).to_have_text("您已离线")
        expect(page.get_by_role("main")).to_contain_text("此页面需要联网，请检查网络后重试。")
        expect(page.get_by_role("link", name="重试")).to_be_visible()
        # The look of the app came from the worker's cache too.
        assert page.locator(".topbar").evaluate("(el) => getComputedStyle(el).display") == "flex"
    finally:
        context.set_offline(False)
    page.goto("/settings")
    expect(page.get_by_role("heading", level=1)).to_have_text("设置")


def test_chromium_finds_the_app_installable(profile_context):
    # Chromium calls every incognito context not installable: this needs a real profile.
    context = profile_context
    page = context.pages[0] if context.pages else context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    manifest = page.evaluate(
        "() => fetch(document.querySelector('link[rel=manifest]').href).then((r) => r.json())"
    )
    assert manifest["display"] == "standalone"
    cdp = context.new_cdp_session(page)
    try:
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    finally:
        cdp.detach()
    print("installability errors:", errors)
    assert errors == [], f"chromium says the app is not installable: {errors}"
