"""Activities in the browser, on a phone: the operator publishes a weekly series; a resident
joins the waiting list, finds the offer in the inbox and takes it; the organiser checks her in
by typed code at 390x844 (with JavaScript and without). Every activity page has no axe
violations in both languages and text sizes, and keeps the large-text rules."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from community.accounts.models import User
from community.accounts.rules import find_by_login
from community.activities import cancelling, joining, schedule, tickets
from community.activities.models import Activity, SignUp
from community.core.db import utcnow
from community.core.extensions import db
from tests.browser.support import (
    MODES,
    choose_modes,
    describe_violations,
    go,
    log_in,
    run_axe,
)
from tests.browser.test_large_text import check_large_text_page
from tests.conftest import DEMO_LOGINS

pytestmark = pytest.mark.browser


def publish_series(page: Page, title: str) -> None:
    """The operator fills the new-activity form: one place, every week for 8 weeks."""
    page.goto("/operator/activities/new")
    page.locator("#title_zh").fill(title)
    page.locator("#category").select_option("education")
    page.locator("#address").fill("社区活动中心二楼")
    day = (utcnow() + timedelta(days=3)).astimezone(ZoneInfo("Asia/Shanghai")).date()
    page.locator("#starts_on").fill(day.isoformat())
    page.locator("#starts_at").fill("09:30")
    page.locator("#weeks").fill("8")
    page.locator("#capacity").fill("1")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(title)
    page.locator("#person").select_option(label="李志愿")
    # Wait for each page to come back: the select already names 李志愿, so the text alone
    # would let the next click interrupt the redirect and leave its message for the next page.
    with page.expect_navigation():
        page.locator("form[action$='/organisers'] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_have_text("已指定组织者。")
    with page.expect_navigation():
        page.locator("form[action$='/publish'] button[type=submit]").click()
    expect(page.locator("form[action$='/publish']")).to_have_count(0)
    expect(page.locator(".alert-success")).to_have_text("已发布，并已通知参加对象。")


def activity_named(app, title: str) -> tuple[int, list[int]]:
    with app.app_context():
        activity = db.session.scalar(select(Activity).where(Activity.title_zh == title))
        return activity.id, [row.id for row in activity.sessions]


def take_the_place(app, session_id: int, login: str) -> int:
    with app.app_context():
        person = find_by_login(db.session, login)
        signup = joining.sign_up(db.session, session_id, person, person)
        db.session.commit()
        return signup.id


def give_it_up(app, signup_id: int) -> None:
    with app.app_context():
        signup = db.session.get(SignUp, signup_id)
        joining.cancel(db.session, signup, db.session.get(User, signup.reservation.person_id))
        db.session.commit()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_weekly_series_from_publishing_to_the_door(app, new_context, js):
    title = "书法班" if js else "剪纸课"
    office = new_context(java_script_enabled=js).new_page()
    log_in(office, DEMO_LOGINS["operator"], js=js)
    publish_series(office, title)
    activity_id, sessions = activity_named(app, title)
    assert len(sessions) == 8
    first = take_the_place(app, sessions[0], DEMO_LOGINS["elderly"])

    resident = new_context(java_script_enabled=js).new_page()
    log_in(resident, DEMO_LOGINS["resident"], js=js)
    resident.goto("/activities/")
    resident.get_by_role("link", name=title).first.click()
    expect(resident.locator("h1")).to_have_text(title)
    resident.locator(f"a[href='/activities/sessions/{sessions[0]}/join']").click()
    resident.get_by_role("button", name="加入候补").click()
    expect(resident.locator(".status")).to_contain_text("候补")

    give_it_up(app, first)
    resident.goto("/inbox")
    resident.get_by_text(f"有名额留给您：{title}").first.click()
    expect(resident.locator(".offer")).to_be_visible()
    resident.locator(".offer form[action$='/accept'] button").click()
    expect(resident.locator(".ticket")).to_be_visible()
    code = resident.locator(".ticket-code").first.inner_text().strip()

    organiser = new_context(java_script_enabled=js).new_page()
    assert organiser.viewport_size == {"width": 390, "height": 844}
    log_in(organiser, DEMO_LOGINS["volunteer"], js=js)
    organiser.goto("/activities/running")
    organiser.locator(f"a[href='/activities/sessions/{sessions[0]}/door']").click()
    expect(organiser.locator("#door-count")).to_contain_text("0 / 1")
    organiser.locator("#code").fill(code.lower())
    organiser.get_by_role("button", name="签到", exact=True).click()
    expect(organiser.locator(".alert")).to_contain_text("周小梅 签到成功")
    expect(organiser.locator("#door-count")).to_contain_text("1 / 1")
    organiser.locator("#code").fill(code)
    organiser.get_by_role("button", name="签到", exact=True).click()
    expect(organiser.locator(".alert")).to_contain_text("已经签到过了")
    # Without a camera API the scan button stays hidden; the typed code is enough.
    assert not organiser.locator("[data-scan]").is_visible()
    assert activity_id
    if js:
        # While a request is on its way the form fades; the count, which asks every 5 s, does
        # not blink.
        faded = """(element) => {
            element.classList.add('htmx-request');
            const opacity = getComputedStyle(element).opacity;
            element.classList.remove('htmx-request');
            return opacity;
        }"""
        assert organiser.locator("#door-form").evaluate(faded) == "0.7"
        assert organiser.locator("#door-count").evaluate(faded) == "1"


def door_error(page: Page, session_id: int) -> None:
    go(page, f"/activities/sessions/{session_id}/door")
    page.locator("#code").fill("ZZZZZZ")
    page.locator("#door-form button[type=submit]").click()
    expect(page.locator(".alert-error")).to_be_visible()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_the_office_calls_a_week_off_and_the_resident_reads_why(app, new_context, js):
    title = "太极拳" if js else "八段锦"
    with app.app_context():
        operator = find_by_login(db.session, DEMO_LOGINS["operator"])
        draft = schedule.ActivityDraft(
            title_zh=title,
            category="health",
            first_start=utcnow() + timedelta(days=2),
            address="健身广场",
            capacity=10,
            weeks=3,
        )
        activity = schedule.create_activity(db.session, operator, draft)
        schedule.publish(db.session, activity.id, operator)
        resident = find_by_login(db.session, DEMO_LOGINS["resident"])
        second, third = activity.sessions[1].id, activity.sessions[2].id
        for session_id in (second, third):
            joining.sign_up(db.session, session_id, resident, resident)
        db.session.commit()
        activity_id = activity.id

    office = new_context(java_script_enabled=js).new_page()
    log_in(office, DEMO_LOGINS["operator"], js=js)
    office.goto(f"/operator/activities/{activity_id}")
    # First the meeting point moves: everyone signed up is told.
    office.get_by_role("link", name="修改活动信息").click()
    expect(office.locator("#title_zh")).to_have_value(title)
    office.locator("#address").fill("中心花园东侧")
    office.get_by_role("button", name="保存修改").click()
    expect(office.locator(".alert-info")).to_have_text("已把新地点通知 1 人。")
    # Then the last week moves an hour later.
    office.goto(f"/operator/activities/sessions/{third}")
    office.locator("#starts_at").fill("20:30")
    office.get_by_role("button", name="改时间并通知所有人").click()
    expect(office.locator(".alert-success")).to_have_text("已改时间；已把新时间通知 1 个报名。")
    expect(office.locator("main > p").first).to_contain_text("20:30")
    office.goto(f"/operator/activities/{activity_id}")
    office.locator(f"a[href='/operator/activities/sessions/{second}']").click()
    # Without a reason it is refused, next to the box, and nothing happens.
    office.get_by_role("button", name="取消并通知所有人").click()
    expect(office.locator("#reason-error")).to_have_text("此项必填。")
    office.locator("#reason").fill("广场翻修，暂停两周。")
    office.locator("#later_too").check()
    office.get_by_role("button", name="取消并通知所有人").click()
    expect(office.locator(".alert-success")).to_have_text("已取消 2 场；2 个报名已取消并告知原因。")
    expect(office.locator(".alert-info")).to_contain_text("广场翻修，暂停两周。")
    expect(office.locator("form[action$='/call-off']")).to_have_count(0)

    person = new_context(java_script_enabled=js).new_page()
    log_in(person, DEMO_LOGINS["resident"], js=js)
    person.goto("/inbox")
    expect(person.get_by_text(f"地点变更：{title}")).to_have_count(1)
    expect(person.get_by_text(f"时间变更：{title}")).to_have_count(1)
    # One message for both weeks; it opens my activities, where both say so.
    expect(person.get_by_text(f"已取消：{title}")).to_have_count(1)
    person.get_by_text(f"已取消：{title}").click()
    expect(person).to_have_url(re.compile(r"/activities/mine$"))
    expect(person.locator(".status", has_text="已取消")).to_have_count(2)
    person.locator("a.order-link", has_text=title).first.click()
    expect(person.locator(".alert-info")).to_have_text("这场活动已取消：广场翻修，暂停两周。")
    person.goto(f"/activities/{activity_id}")
    expect(person.get_by_text("已取消")).to_have_count(2)
    expect(person.locator("a[href$='/join']")).to_have_count(1)


def edit_error(page: Page, activity_id: int) -> None:
    go(page, f"/operator/activities/{activity_id}/edit")
    page.locator("#title_zh").fill("")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#title_zh-error")).to_be_visible()


def move_error(page: Page, session_id: int) -> None:
    go(page, f"/operator/activities/sessions/{session_id}")
    page.locator("#starts_on").fill("2020-01-01")
    page.locator("form[action$='/move'] button[type=submit]").click()
    expect(page.locator("#starts_on-error")).to_be_visible()


def call_off_error(page: Page, session_id: int) -> None:
    go(page, f"/operator/activities/sessions/{session_id}")
    page.locator("form[action$='/call-off'] button[type=submit]").click()
    expect(page.locator("#reason-error")).to_be_visible()


def new_activity_error(page: Page) -> None:
    go(page, "/operator/activities/new")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".field-error").first).to_be_visible()


def test_activity_pages_have_no_axe_violations(app, axe_path, new_context):
    """Each person logs in once and sees their activity pages in all four modes."""
    with app.app_context():
        operator = find_by_login(db.session, DEMO_LOGINS["operator"])
        draft = schedule.ActivityDraft(
            title_zh="广场舞",
            title_en="Square dancing",
            category="neighborhood",
            first_start=utcnow() + timedelta(days=2),
            address="健身广场",
            capacity=10,
            price_cents=2000,
            weeks=3,
        )
        activity = schedule.create_activity(db.session, operator, draft)
        schedule.publish(db.session, activity.id, operator)
        volunteer = find_by_login(db.session, DEMO_LOGINS["volunteer"])
        schedule.name_organiser(db.session, activity, volunteer)
        session_id = activity.sessions[0].id
        resident = find_by_login(db.session, DEMO_LOGINS["resident"])
        signup = joining.sign_up(db.session, session_id, resident, resident, 2)
        # The second week is called off after the resident paid for it at the desk.
        off_id = activity.sessions[1].id
        off = joining.sign_up(db.session, off_id, resident, resident)
        tickets.mark_paid(db.session, operator, off.id, "cash")
        cancelling.call_off(db.session, operator, off_id, "广场翻修，这周暂停。")
        db.session.commit()
        activity_id, signup_id, off_signup_id = activity.id, signup.id, off.id
    visits = {
        "resident": [
            "/activities/",
            "/activities/?category=neighborhood",
            f"/activities/{activity_id}",
            f"/activities/sessions/{session_id}/join",
            "/activities/mine",
            f"/activities/signups/{signup_id}",
            f"/activities/signups/{off_signup_id}",
            f"/activities/sessions/{off_id}/join",
        ],
        "volunteer": [
            "/activities/running",
            f"/activities/sessions/{session_id}/door",
            lambda page: door_error(page, session_id),
        ],
        "operator": [
            "/operator/activities/",
            "/operator/activities/new",
            new_activity_error,
            f"/operator/activities/{activity_id}",
            f"/operator/activities/{activity_id}/edit",
            lambda page: edit_error(page, activity_id),
            f"/operator/activities/sessions/{session_id}",
            lambda page: call_off_error(page, session_id),
            lambda page: move_error(page, session_id),
            f"/operator/activities/sessions/{off_id}",
            "/operator/activities/figures",
        ],
    }
    problems = []
    for role, steps in visits.items():
        page = new_context(bypass_csp=True).new_page()
        log_in(page, DEMO_LOGINS[role])
        for locale, text_size in MODES:
            choose_modes(page, locale, text_size)
            for step in steps:
                step(page) if callable(step) else go(page, step)
                violations = run_axe(page, axe_path)
                if violations:
                    where = f"{page.url} [{role}, {locale}, {text_size}]"
                    problems.append(describe_violations(where, violations))
                if text_size == "large":
                    problems += [
                        f"{page.url} [{locale}]: {problem}"
                        for problem in check_large_text_page(page)
                    ]
        page.context.close()
    assert not problems, "\n\n".join(problems)
