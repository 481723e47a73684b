"""Whole journeys on a phone: a newcomer signs up, the operator approves, the resident uses
the app, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import Page, expect

from community.demo import DEMO_PASSWORD
from tests.browser.support import wait_for_service_worker
from tests.conftest import DEMO_LOGINS

pytestmark = pytest.mark.browser

NEWCOMER = {
    "name": "王新邻",
    "phone": "13900001111",
    "home": "3号楼 2-402",
    "password": "new-home-2026",
}


def watch_for_errors(page: Page) -> list[str]:
    """Collect the page's JavaScript errors and console errors (CSP refusals show up there)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: message.type == "error" and errors.append(f"console: {message.text}"),
    )
    return errors


def sign_up(page: Page, *, js: bool = True) -> None:
    """(a) From the welcome page to the sign-up form, and on to the waiting page."""
    page.goto("/")
    if js:
        wait_for_service_worker(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("欢迎来到幸福里社区")
    page.get_by_role("main").get_by_role("link", name="注册", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("注册")
    page.get_by_label("您的姓名").fill(NEWCOMER["name"])
    page.get_by_label("手机号或邮箱").fill(NEWCOMER["phone"])
    page.get_by_label("您的住址").select_option(label=NEWCOMER["home"])
    page.get_by_label("密码", exact=True).fill(NEWCOMER["password"])
    page.get_by_label("再次输入密码").fill(NEWCOMER["password"])
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("等待审核")
    expect(page.get_by_role("main")).to_contain_text(
        f"谢谢您，{NEWCOMER['name']}。社区服务中心会核实您住在 {NEWCOMER['home']}"
    )


def log_in(page: Page, phone: str, password: str, greeting: str, *, js: bool = True) -> None:
    page.goto("/login")
    if js:
        wait_for_service_worker(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    page.get_by_label("手机号或邮箱").fill(phone)
    page.get_by_label("密码").fill(password)
    page.get_by_role("main").get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(greeting)


def test_sign_up_approval_and_first_use(new_context):
    # (a) A newcomer signs up on their phone.
    newcomer = new_context().new_page()
    newcomer_errors = watch_for_errors(newcomer)
    sign_up(newcomer)

    # (b) The operator logs in, opens the sign-ups from the home page and approves.
    operator = new_context().new_page()
    operator_errors = watch_for_errors(operator)
    log_in(operator, DEMO_LOGINS["operator"], DEMO_PASSWORD, "您好，钱运营")
    review_tile = operator.get_by_role("main").get_by_role("link", name=re.compile("^注册审核"))
    expect(review_tile).to_contain_text("2 人等待中")
    review_tile.click()
    expect(operator.get_by_role("heading", level=1)).to_have_text("注册审核")
    expect(operator).to_have_url(re.compile(r"/operator/signups$"))
    row = operator.get_by_role("listitem").filter(
        has=operator.get_by_role("heading", name=NEWCOMER["name"])
    )
    expect(row).to_contain_text(NEWCOMER["home"])
    expect(row).to_contain_text(NEWCOMER["phone"])
    # htmx swaps the row in place: the page itself is not reloaded.
    operator.evaluate("() => { window.stillTheSamePage = true; }")
    row.get_by_role("button", name="通过").click()
    expect(operator.get_by_role("status")).to_have_text(f"{NEWCOMER['name']} 已成为居民。")
    assert operator.evaluate("() => window.stillTheSamePage") is True
    expect(operator.get_by_role("heading", name=NEWCOMER["name"])).to_have_count(0)
    expect(operator.get_by_role("heading", name="郑新来")).to_be_visible()

    # (c) The new resident logs in on another phone and finds their home page.
    resident = new_context().new_page()
    resident_errors = watch_for_errors(resident)
    log_in(resident, NEWCOMER["phone"], NEWCOMER["password"], f"您好，{NEWCOMER['name']}")
    main = resident.get_by_role("main")
    expect(main).to_contain_text(NEWCOMER["home"])
    expect(main.get_by_role("heading", level=2)).to_have_text(["我家的事"])
    expect(resident.locator("body")).to_have_class("standard-text")

    # Large text (长辈版), from the switch on the home page.
    main.get_by_role("button", name="长辈版（大字）").click()
    expect(resident.locator("body")).to_have_class("large-text")
    expect(main.get_by_role("button", name="标准字体")).to_be_visible()
    expect(main.get_by_role("link", name=re.compile("呼叫社区服务中心"))).to_be_visible()

    # English.
    main.get_by_role("button", name="English").click()
    expect(resident.locator("html")).to_have_attribute("lang", "en")
    expect(resident.get_by_role("heading", level=1)).to_have_text(f"Hello, {NEWCOMER['name']}")
    expect(main.get_by_role("heading", level=2)).to_have_text(["For my home"])
    expect(main.get_by_role("button", name="Standard text")).to_be_visible()
    expect(resident.locator("body")).to_have_class("large-text")

    # Log out from the settings page: back at the welcome page, logged out.
    resident.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Me", exact=True
    ).click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Settings")
    expect(main).to_contain_text("Now: large text")
    main.get_by_role("button", name="Log out").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Welcome to 幸福里社区")
    expect(resident.get_by_role("status")).to_have_text("You have logged out.")
    resident.goto("/settings")
    expect(main.get_by_role("link", name="Log in")).to_be_visible()
    expect(main.get_by_role("button", name="Log out")).to_have_count(0)

    assert newcomer_errors == []
    assert operator_errors == []
    assert resident_errors == []


def test_sign_up_approval_and_login_without_javascript(new_context):
    newcomer = new_context(java_script_enabled=False).new_page()
    sign_up(newcomer, js=False)

    operator = new_context(java_script_enabled=False).new_page()
    log_in(operator, DEMO_LOGINS["operator"], DEMO_PASSWORD, "您好，钱运营", js=False)
    operator.get_by_role("main").get_by_role("link", name=re.compile("^注册审核")).click()
    expect(operator.get_by_role("heading", level=1)).to_have_text("注册审核")
    row = operator.get_by_role("listitem").filter(
        has=operator.get_by_role("heading", name=NEWCOMER["name"])
    )
    row.get_by_role("button", name="通过").click()
    # Without htmx the form posts and the page comes back with the news.
    expect(operator.get_by_role("status")).to_have_text(f"{NEWCOMER['name']} 已成为居民。")
    expect(operator.get_by_role("heading", level=1)).to_have_text("注册审核")
    expect(operator.get_by_role("heading", name=NEWCOMER["name"])).to_have_count(0)

    # The newcomer's own phone shows the home page once they look again.
    newcomer.reload()
    expect(newcomer.get_by_role("heading", level=1)).to_have_text(f"您好，{NEWCOMER['name']}")

    resident = new_context(java_script_enabled=False).new_page()
    log_in(resident, NEWCOMER["phone"], NEWCOMER["password"], f"您好，{NEWCOMER['name']}", js=False)
    expect(resident.get_by_role("main")).to_contain_text(NEWCOMER["home"])
    resident.get_by_role("main").get_by_role("button", name="长辈版（大字）").click()
    expect(resident.locator("body")).to_have_class("large-text")
