"""Issue 11 in the browser, on a 390x844 phone: the elder in large-text mode asks for a meal in
three steps, a volunteer takes it from the board, says "I'm here" and logs it, the daughter reads
the log, the elder confirms and thanks; in Chinese and English, with JavaScript on and off. And
axe finds nothing on any care page, in both languages and both text sizes."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from community.accounts.rules import find_by_login
from community.care import asking, lifecycle, rules
from community.care.models import CareConsent, ConsentStatus
from community.core.db import utcnow
from community.core.extensions import db
from tests.browser.support import (
    MODES,
    choose_modes,
    describe_violations,
    go,
    horizontal_overflow,
    log_in,
    run_axe,
)
from tests.browser.test_large_text import check_large_text_page
from tests.conftest import DEMO_LOGINS

pytestmark = pytest.mark.browser

ELDER, DAUGHTER, VOLUNTEER = (
    DEMO_LOGINS["elderly"],
    DEMO_LOGINS["resident"],
    DEMO_LOGINS["volunteer"],
)

WORDS = {
    "zh_CN": {
        "meal": "助餐（送餐）",
        "next": "下一步",
        "noon": "中午 11:00–13:00",
        "ask": "提交申请",
        "claim": "我来接这次服务",
        "here": "我已到达",
        "well": "很好",
        "done": "完成",
        "log": "探访记录",
        "happened": "是的，已完成",
        "closed": "已确认",
        "stars": "5 星",
    },
    "en": {
        "meal": "Meal delivery (助餐)",
        "next": "Next",
        "noon": "Around noon, 11:00 to 13:00",
        "ask": "Ask for the visit",
        "claim": "I will do this visit",
        "here": "I'm here",
        "well": "Well",
        "done": "Done",
        "log": "Visit log",
        "happened": "Yes, it happened",
        "closed": "Confirmed",
        "stars": "5 stars",
    },
}


@pytest.fixture
def care(app, live_server):
    """吴奶奶 receives care and lets her daughter 周小梅 read her visit log."""
    with app.app_context():
        elder, daughter = find_by_login(db.session, ELDER), find_by_login(db.session, DAUGHTER)
        elder.receives_care, elder.birth_year = True, 1946
        db.session.add(
            CareConsent(
                elder_id=elder.id,
                relative_id=daughter.id,
                status=ConsentStatus.GRANTED,
                decided_by_id=elder.id,
                decided_at=utcnow(),
            )
        )
        db.session.commit()
        return elder.id


def signed_in(new_context, login: str, locale: str, text_size: str, js: bool = True) -> Page:
    page = new_context(java_script_enabled=js).new_page()
    log_in(page, login, js=js)
    choose_modes(page, locale, text_size)
    return page


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_an_elder_asks_for_a_meal_a_volunteer_does_it_and_the_family_reads_the_log(
    new_context, care, artifacts, locale, js
):
    words = WORDS[locale]
    elder = signed_in(new_context, ELDER, locale, "large", js)
    elder.goto("/care")
    elder.locator("a[href='/care/ask']").first.click()
    # Step 1: what.
    elder.get_by_text(words["meal"]).click()
    elder.get_by_role("button", name=words["next"]).click()
    # Step 2: when (the first day offered) and how often.
    elder.locator("#care-day").select_option(index=2)
    elder.get_by_text(words["noon"]).click()
    elder.get_by_role("button", name=words["next"]).click()
    # Step 3: what the volunteer should know.
    elder.locator("#care-needs").fill("少盐，敲门大声一点")
    assert horizontal_overflow(elder) == 0
    elder.screenshot(path=artifacts / f"care-ask-step3-{locale}-{js}.png", full_page=True)
    elder.get_by_role("button", name=words["ask"]).click()
    elder.wait_for_url(re.compile(r"/care/visits/\d+$"))
    order_path = re.search(r"/care/visits/\d+", elder.url).group(0)

    volunteer = signed_in(new_context, VOLUNTEER, locale, "standard", js)
    volunteer.goto("/care/board")
    expect(volunteer.get_by_role("main")).not_to_contain_text("少盐")
    volunteer.locator(f"form[action='{order_path}/claim'] button").click()
    volunteer.wait_for_url(re.compile(order_path + "$"))
    expect(volunteer.get_by_role("main")).to_contain_text("少盐，敲门大声一点")
    volunteer.get_by_role("button", name=words["here"]).click()
    volunteer.locator("#done").fill("送了午饭，陪奶奶聊了一会儿")
    volunteer.get_by_text(words["well"], exact=True).click()
    volunteer.get_by_role("button", name=words["done"], exact=True).click()
    expect(volunteer.locator(".alert, .flash, [role=status]").first).to_be_visible()

    daughter = signed_in(new_context, DAUGHTER, locale, "standard", js)
    daughter.goto(order_path)
    log = daughter.locator("section.visit-log")
    expect(log).to_contain_text(words["log"])
    expect(log).to_contain_text("送了午饭，陪奶奶聊了一会儿")

    elder.goto(order_path)
    elder.get_by_text(words["stars"], exact=True).first.click()
    elder.locator("#thanks").fill("谢谢小李！")
    elder.get_by_role("button", name=words["happened"]).click()
    elder.wait_for_url(re.compile(order_path + "$"))
    expect(elder.locator(".status")).to_have_text(words["closed"])
    expect(elder.locator("section.visit-log")).to_contain_text("谢谢小李！")
    assert horizontal_overflow(elder) == 0
    elder.screenshot(path=artifacts / f"care-confirmed-{locale}-{js}.png", full_page=True)


def taken_visit(app, elder_id) -> tuple[int, int]:
    """One visit on the board, one claimed and done by the volunteer (for the log pages)."""
    with app.app_context():
        elder = db.session.get(type(find_by_login(db.session, ELDER)), elder_id)
        volunteer = find_by_login(db.session, VOLUNTEER)
        day = utcnow().astimezone(rules.zone()).date() + timedelta(days=2)
        open_order = asking.request_visit(
            db.session, elder, elder, asking.VisitRequest("clean", day, "morning", "钥匙在邻居家")
        )
        done = asking.request_visit(
            db.session, elder, elder, asking.VisitRequest("visit", day, "afternoon", "")
        )
        lifecycle.claim_visit(db.session, volunteer, done.id)
        view = lifecycle.load_visit(db.session, volunteer, done.id)
        lifecycle.step(db.session, volunteer, view, "start", done.version)
        view = lifecycle.load_visit(db.session, volunteer, done.id)
        lifecycle.finish(
            db.session, volunteer, view, done.version, lifecycle.VisitLog("聊天", 2, "膝盖疼")
        )
        db.session.commit()
        return open_order.id, done.id


def ask_errors(page: Page) -> None:
    """Send the request without choosing: the error is next to what is missing."""
    go(page, "/care/ask")
    page.locator("form.care-ask button[type=submit]").click()
    expect(page.locator(".field-error").first).to_be_visible()
    page.wait_for_load_state()


def ask_step(step: int):
    def open_step(page: Page) -> None:
        day = (utcnow() + timedelta(days=2)).date().isoformat()
        page.goto(f"/care/ask?step={step}&visit_kind=meal&day={day}&window=noon&often=weekly")

    open_step.__name__ = f"ask step {step}"
    return open_step


def contact_error(page: Page) -> None:
    go(page, page.url if "/care/people/" in page.url else "/care/profile")
    page.locator("#contact-name").fill("")
    page.locator("form[action$='/contacts'] button[type=submit]").click()
    expect(page.locator(".field-error").first).to_be_visible()
    page.wait_for_load_state()


def test_care_pages_have_no_axe_violations(app, axe_path, new_context, care):
    """Each person logs in once and sees their care pages in all four modes."""
    open_id, done_id = taken_visit(app, care)
    visits = {
        "elderly": [
            "/care",
            "/care/ask",
            ask_step(2),
            ask_step(3),
            ask_errors,
            f"/care/visits/{done_id}",
            "/care/profile",
            contact_error,
        ],
        "volunteer": ["/care/board", f"/care/visits/{open_id}", f"/care/visits/{done_id}"],
        "resident": ["/care", f"/care/visits/{done_id}"],
        "operator": [
            "/care/office",
            "/care/board",
            f"/care/people/{care}",
            f"/care/ask?elder={care}",
            f"/care/visits/{done_id}",
        ],
    }
    problems = []
    for role, steps in visits.items():
        page = new_context(bypass_csp=True).new_page()
        log_in(page, DEMO_LOGINS[role])
        for locale, text_size in MODES:
            choose_modes(page, locale, text_size)
            for visit in steps:
                visit(page) if callable(visit) else go(page, visit)
                assert page.locator("main").count() == 1
                violations = run_axe(page, axe_path)
                if violations:
                    where = f"{page.url} [{role}, {locale}, {text_size}]"
                    problems.append(describe_violations(where, violations))
                assert horizontal_overflow(page) == 0, f"{page.url} [{locale}, {text_size}]"
        page.context.close()
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_care_pages_keep_the_large_text_rules(app, new_context, care, locale):
    open_id, done_id = taken_visit(app, care)
    pages = {
        "elderly": [
            "/care",
            "/care/ask",
            ask_step(2),
            ask_step(3),
            f"/care/visits/{done_id}",
            "/care/profile",
        ],
        "volunteer": ["/care/board", f"/care/visits/{open_id}", f"/care/visits/{done_id}"],
        "resident": ["/care", f"/care/visits/{done_id}"],
    }
    problems = []
    for role, steps in pages.items():
        page = new_context().new_page()
        log_in(page, DEMO_LOGINS[role])
        choose_modes(page, locale, "large")
        for visit in steps:
            visit(page) if callable(visit) else go(page, visit)
            problems += [f"{page.url} [{role}]: {p}" for p in check_large_text_page(page)]
        page.context.close()
    assert not problems, "\n".join(problems)
