"""A repair's whole life in the browser, in Chinese, on phones: the elderly resident reports it
in large-text mode with a photo; the operator accepts and assigns it; the staff member starts
and fixes it with a photo; the resident confirms and rates it. And axe on every repair page."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.support import MODES, choose_modes, describe_violations, log_in, run_axe

pytestmark = pytest.mark.browser


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "leak.jpg"
    Image.new("RGB", (800, 600), (90, 140, 200)).save(path, "JPEG")
    return path


def no_violations(page, axe_path, where):
    violations = run_axe(page, axe_path)
    assert violations == [], describe_violations(where, violations)


def act(page, action, **fields):
    form = page.locator(f"form[action$='/do/{action}']")
    for name, value in fields.items():
        control = form.locator(f"[name='{name}']")
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_a_repair_from_report_to_rating(new_context, photo, axe_path, artifacts):
    elderly = new_context(bypass_csp=True).new_page()
    log_in(elderly, "13800000006")
    expect(elderly.locator("body")).to_have_class("large-text")
    elderly.get_by_role("link", name=re.compile("报修")).first.click()
    expect(elderly.locator("h1")).to_have_text("报修")
    no_violations(elderly, axe_path, "report form, large text")
    elderly.get_by_label("电路").check()
    elderly.get_by_label("问题描述").fill("客厅的灯一开就闪，然后跳闸。")
    elderly.locator("input[type=file][name=photos]").set_input_files(photo)
    elderly.get_by_role("button", name="提交报修").click()
    expect(elderly.locator(".status")).to_have_text("已提交")
    expect(elderly.locator(".timeline img")).to_have_count(1)
    no_violations(elderly, axe_path, "order page, resident, large text")
    elderly.screenshot(path=artifacts / "repair-reported-large-text.png", full_page=True)
    order_path = re.sub(r"^https?://[^/]+", "", elderly.url)

    operator = new_context(bypass_csp=True).new_page()
    log_in(operator, "13800000002")
    operator.goto(order_path)
    act(operator, "accept", priority="high")
    expect(operator.locator(".status")).to_have_text("已受理")
    act(operator, "assign")
    expect(operator.locator(".status")).to_have_text("已派单")
    no_violations(operator, axe_path, "order page, operator")

    staff = new_context().new_page()
    log_in(staff, "13800000003")
    staff.goto("/work")
    staff.locator(f"a[href='{order_path}']").click()
    act(staff, "start")
    expect(staff.locator(".status")).to_have_text("处理中")
    staff.locator("form[action$='/do/resolve'] input[type=file]").set_input_files(photo)
    act(staff, "resolve", note="更换了插座，线路正常。")
    expect(staff.locator(".status")).to_have_text("已修好待确认")
    expect(staff.locator(".timeline img")).to_have_count(2)

    elderly.reload()
    act(elderly, "confirm")
    expect(elderly.locator(".status")).to_have_text("已完结")
    elderly.locator("form[action$='/do/rate'] input[value='5']").check()
    act(elderly, "rate", note="师傅很耐心")
    expect(elderly.locator(".facts")).to_contain_text("5 星")
    no_violations(elderly, axe_path, "closed order, resident, large text")
    elderly.screenshot(path=artifacts / "repair-closed-large-text.png", full_page=True)


PAGES = [
    ("13800000005", "/repairs/new"),
    ("13800000005", "/repairs/new?place=2"),
    ("13800000005", "/repairs"),
    ("13800000005", "/repairs/1"),
    ("13800000006", "/repairs/2"),
    ("13800000002", "/repairs/4"),
    ("13800000002", "/operator/orders"),
    ("13800000003", "/work"),
    ("13800000003", "/repairs/1"),
]


def test_repair_pages_have_no_axe_violations(new_context, app, axe_path, demo_repairs):
    """Each person logs in once and sees the repair pages in both languages and text sizes."""
    pages = {}
    for locale, text_size in MODES:
        switched = set()
        for login, path in PAGES:
            if login not in pages:
                pages[login] = new_context(bypass_csp=True).new_page()
                log_in(pages[login], login)
            page = pages[login]
            if login not in switched:
                choose_modes(page, locale, text_size)
                switched.add(login)
            page.goto(path)
            assert page.locator("h1").count() == 1
            no_violations(page, axe_path, f"{path} as {login}, {locale}, {text_size}")
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px ({locale}, {text_size})"


@pytest.fixture
def demo_repairs(app, live_server):
    from community.core.extensions import db
    from community.demo import load_demo_repairs

    with app.app_context():
        load_demo_repairs(db.session)
        db.session.commit()
