"""Web push in chromium: the service worker is registered, the settings page asks for
permission only when the person taps the button, and a push delivered to the service worker
(through the DevTools Protocol) is shown as a notification with the right title and link.

Chromium cannot reach its real push service here (no internet), so PushManager.subscribe is
replaced in the page by one that hands back a subscription on the local push sink."""

import json
import re

import pytest
from playwright.sync_api import expect

from community.core.db import utcnow
from community.core.extensions import db
from community.directory.current import current_community
from community.notices import rules as board
from community.notify import devices, outbox, preferences, push, vapid
from community.notify.models import Delivery, Notification, PushSubscription
from tests.browser.support import (
    MODES,
    NARROW_PHONE,
    PHONE,
    choose_modes,
    describe_violations,
    go,
    horizontal_overflow,
    log_in,
    run_axe,
)
from tests.browser.test_large_text import check_large_text_page
from tests.push_sink import (  # noqa: F401 - fixtures
    Device,
    inline_tasks_fixture,
    push_settings,
    running_sink,
)
from tests.workorder_helpers import RESIDENT, person

pytestmark = pytest.mark.browser

# Counts permission requests across reloads, and stands in for the browser's push service.
FAKE_PUSH_JS = """
(() => {
  const subscription = %s;
  const count = () => Number(sessionStorage.getItem("permissionRequests") || 0);
  const ask = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...args) => {
    sessionStorage.setItem("permissionRequests", String(count() + 1));
    return ask(...args);
  };
  const stored = () => {
    if (!localStorage.getItem("subscribed")) return null;
    return {
      endpoint: subscription.endpoint,
      options: {applicationServerKey: null},
      toJSON: () => subscription,
      unsubscribe: async () => { localStorage.removeItem("subscribed"); return true; },
    };
  };
  PushManager.prototype.getSubscription = async function () { return stored(); };
  PushManager.prototype.subscribe = async function (options) {
    sessionStorage.setItem("subscribeOptions", JSON.stringify({
      userVisibleOnly: options.userVisibleOnly,
      key: Array.from(new Uint8Array(options.applicationServerKey)),
    }));
    localStorage.setItem("subscribed", "1");
    return stored();
  };
})();
"""

SERVICE_WORKER_READY_JS = """async () => {
    const registration = await navigator.serviceWorker.ready;
    return {scope: registration.scope, script: registration.active.scriptURL};
}"""

NOTIFICATIONS_JS = """async () => {
    const registration = await navigator.serviceWorker.ready;
    const shown = await registration.getNotifications();
    return shown.map((n) => ({title: n.title, body: n.body, tag: n.tag, url: n.data.url,
                              icon: n.icon, badge: n.badge}));
}"""


@pytest.fixture
def app(make_app, translations_dir):
    return make_app(BABEL_TRANSLATION_DIRECTORIES=translations_dir, **push_settings())


@pytest.fixture
def phone(profile_context):
    """A phone browser with a real profile (service workers and notifications need one)."""
    return profile_context


def test_the_service_worker_is_registered_for_the_whole_app(phone, live_server):
    page = phone.new_page()
    page.goto("/")
    worker = page.evaluate(SERVICE_WORKER_READY_JS)
    assert worker == {"scope": f"{live_server}/", "script": f"{live_server}/sw.js"}


def test_permission_is_asked_only_when_the_person_taps_turn_on(
    app, phone, live_server, sink, inline_tasks
):
    device = Device(sink, "residents-phone")
    phone.add_init_script(FAKE_PUSH_JS % json.dumps(device.subscription()))
    phone.grant_permissions(["notifications"], origin=live_server)
    page = phone.new_page()
    log_in(page, RESIDENT)
    page.goto("/settings")
    page.locator("a[href='/settings/notifications']").click()
    page.wait_for_url("**/settings/notifications")
    page.evaluate(SERVICE_WORKER_READY_JS)
    asked = lambda: page.evaluate("Number(sessionStorage.getItem('permissionRequests') || 0)")  # noqa: E731
    button = page.locator("[data-push-subscribe]")
    expect(button).to_be_visible()
    expect(page.locator("[data-push-needs-script]")).to_be_hidden()
    assert asked() == 0  # loading the page asked nothing

    button.click()
    device_row = page.locator(f".device[data-endpoint='{device.endpoint}']")
    expect(device_row).to_be_visible()  # saved, and the page reloaded to show it
    assert asked() == 1
    options = json.loads(page.evaluate("sessionStorage.getItem('subscribeOptions')"))
    assert options["userVisibleOnly"] is True
    with app.app_context():
        assert bytes(options["key"]) == vapid.b64url_decode(vapid.public_key(app))
        [saved] = db.session.query(PushSubscription).all()
        assert saved.user_id == person(RESIDENT).id
    expect(device_row.locator(".this-device")).to_be_visible()
    expect(page.locator("[data-push-unsubscribe]")).to_be_visible()
    expect(button).to_be_hidden()

    # What this browser subscribed with works: a notification reaches it, encrypted for it.
    with app.app_context():
        outbox.queue(db.session, [person(RESIDENT)], "notice", lambda: ("停水", "明天"))
        db.session.commit()
    assert sink.wait_for(1)
    assert device.decrypt(sink.received()[0])["title"] == "停水"

    page.locator("[data-push-unsubscribe]").click()
    expect(device_row).to_have_count(0)
    expect(page.locator("[data-push-subscribe]")).to_be_visible()
    assert asked() == 1
    with app.app_context():
        assert db.session.query(PushSubscription).count() == 0


def test_a_push_is_shown_as_a_notification_with_its_title_and_link(app, phone, live_server, demo):
    phone.grant_permissions(["notifications"], origin=live_server)
    page = phone.new_page()
    page.goto("/")
    page.evaluate(SERVICE_WORKER_READY_JS)
    # The payload exactly as the worker would send it for a real notification.
    with app.app_context():
        [row] = outbox.queue(
            db.session,
            [person(RESIDENT)],
            "workorder",
            lambda: ("报修 #7：已修好", "换了新的水管"),
            link="/repairs/7",
        )
        db.session.commit()
        payload = push.payload_for(db.session.get(Notification, row.id))

    cdp = phone.new_cdp_session(page)
    registrations = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(300)  # let the registration events arrive
    [registration] = [r for r in registrations if r["scopeURL"] == f"{live_server}/"]
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": f"{live_server}/",
            "registrationId": registration["registrationId"],
            "data": payload,
        },
    )
    shown = []
    for _ in range(150):  # up to 15 s: a busy machine is slow to wake the worker
        shown = page.evaluate(NOTIFICATIONS_JS)
        if shown:
            break
        page.wait_for_timeout(100)
    assert shown == [
        {
            "title": "报修 #7：已修好",
            "body": "换了新的水管",
            "tag": f"n{row.id}",
            "url": "/repairs/7",
            "icon": f"{live_server}/static/icons/icon-192.png",
            "badge": f"{live_server}/static/icons/icon-192.png",
        }
    ]


# ---- The inbox, settings and notice pages: accessible, large text, small phones, no JS --------


def seed(app, sink) -> None:
    """Enough to show every part of the pages: 22 notifications (one urgent, one read), notices
    for everyone and for one building (one urgent), a device, a failed push."""
    with app.app_context():
        resident, operator = person(RESIDENT), person("13800000002")
        devices.subscribe(
            db.session,
            resident,
            Device(sink, "phone").subscription(),
            "Mozilla/5.0 (Linux; Android 14) Chrome/131 Mobile",
        )
        db.session.commit()
        for n in range(22):
            outbox.queue(
                db.session,
                [resident],
                "workorder",
                lambda n=n: (f"报修 #{n}：已受理", "服务中心已受理您的报修，师傅会尽快联系您。"),
                link="/repairs",
                urgent=n == 21,
            )
        db.session.flush()
        db.session.query(Notification).filter(Notification.id == 1).update({"read_at": utcnow()})
        community = current_community()
        post_notice = board.post_notice
        post_notice(
            db.session,
            operator,
            community,
            title="小区停水通知",
            body="明天上午停水。",
            audience="community",
            urgent=True,
        )
        post_notice(
            db.session,
            operator,
            community,
            title="1号楼电梯检修",
            body="周六检修。",
            audience="building",
            building_id=person(RESIDENT).unit.building_id,
        )
        failed = db.session.query(Delivery).order_by(Delivery.id).first()
        failed.status, failed.attempts, failed.last_error = "failed", 6, "HTTP 502"
        db.session.commit()


RESIDENT_PAGES = ["/inbox", "/settings/notifications", "/notices", "/notices/1"]
OPERATOR_PAGES = ["/notices", "/notices/new", "/operator/deliveries"]


def notice_form_errors(page) -> None:
    go(page, "/notices/new")
    page.locator("form.notice-form button[type=submit]").click()
    expect(page.locator(".field-error").first).to_be_visible()


def test_the_notification_pages_keep_the_rules(app, new_context, sink, inline_tasks, axe_path):
    """Each person logs in once and sees the pages in all four modes (none of them changes
    what the next one shows)."""
    seed(app, sink)
    problems = []
    for login, visits in [(RESIDENT, RESIDENT_PAGES), ("13800000002", [*OPERATOR_PAGES, None])]:
        page = new_context(bypass_csp=True).new_page()  # axe is injected as an inline script
        log_in(page, login)
        for locale, text_size in MODES:
            choose_modes(page, locale, text_size)
            for visit in visits:
                if visit is None:
                    notice_form_errors(page)
                    where = "/notices/new with errors"
                else:
                    go(page, visit)
                    where = visit
                where = f"{where} [{locale}, {text_size}]"
                violations = run_axe(page, axe_path)
                if violations:
                    problems.append(describe_violations(where, violations))
                for viewport in (PHONE, NARROW_PHONE):
                    page.set_viewport_size(viewport)
                    found = (
                        check_large_text_page(page)
                        if text_size == "large"
                        else [f"scrolls sideways by {horizontal_overflow(page)}px"]
                        if horizontal_overflow(page) > 0
                        else []
                    )
                    problems += [f"{where} at {viewport['width']}px: {p}" for p in found]
                page.set_viewport_size(PHONE)
        page.context.close()
    assert not problems, "\n".join(problems)


def test_everything_but_push_itself_works_without_javascript(app, new_context, sink, inline_tasks):
    seed(app, sink)
    page = new_context(java_script_enabled=False, locale="en-US").new_page()
    log_in(page, RESIDENT, js=False)
    choose_modes(page, "en", "standard")
    page.goto("/inbox")
    expect(page.locator(".inbox-item")).to_have_count(20)
    page.locator(".inbox-more a").click()  # a plain link without htmx
    expect(page.locator(".inbox-item")).to_have_count(4)  # 22 notifications and 2 notices
    page.goto("/inbox")
    item = page.locator(".inbox-item", has_text="报修 #20：")
    expect(item).to_have_class(re.compile("is-unread"))
    item.locator("button").click()  # opens the report, and marks the notification read
    page.wait_for_url("**/repairs")
    page.go_back()
    page.reload()
    expect(page.locator(".inbox-item", has_text="报修 #20：")).not_to_have_class(
        re.compile("is-unread")
    )
    page.goto("/inbox")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator(".inbox-item.is-unread")).to_have_count(0)

    page.goto("/settings/notifications")
    expect(page.get_by_text("need JavaScript")).to_be_visible()
    expect(page.locator("[data-push-subscribe]")).to_be_hidden()
    page.locator("#push_notice").uncheck()
    page.locator("#quiet").check()
    page.locator("#quiet_from").select_option("1320")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    with app.app_context():
        saved = preferences.preferences_for(db.session, person(RESIDENT))
        assert ("notice" in saved.pushed, saved.quiet_from) == (False, 1320)
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("No device gets notifications yet.")).to_be_visible()

    operator = new_context(java_script_enabled=False, locale="en-US").new_page()
    log_in(operator, "13800000002", js=False)
    choose_modes(operator, "en", "standard")
    operator.goto("/notices/new")
    operator.locator("#title").fill("Gas check on Friday")
    operator.locator("#body").fill("The gas company checks every home on Friday morning.")
    operator.get_by_label("Everyone with one role").check()
    operator.locator("#role").select_option("resident")
    operator.get_by_role("button", name="Post and send").click()
    expect(operator.get_by_role("heading", level=1)).to_have_text("Gas check on Friday")
    page.goto("/notices")
    expect(page.get_by_role("link", name="Gas check on Friday")).to_be_visible()
