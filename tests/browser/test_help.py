"""Help now and read aloud in the browser, on a phone: the elder presses and holds "I need
help" (with a finger and with the keyboard), sees that help is coming, the office answers from
the alert page and the elder's page says so by itself; without JavaScript the press asks once
more; offline it dials the office. In large-text mode the page reads itself aloud, sentence by
sentence in its language. Every page of the help button has no axe violations and keeps the
large-text rules."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from community.core.extensions import db
from community.help import rules
from community.help.models import HelpAlert
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
from tests.help.helpers import person

pytestmark = pytest.mark.browser

HOLD_MS = 2300
ALERT_URL = re.compile(r"/help/alerts/\d+$")
CONFIRM_URL = re.compile(r"/help/\??$")  # a GET form with no fields leaves a "?"


def hold_with_finger(page: Page) -> None:
    button = page.locator(".help-button")
    box = button.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    expect(page.locator("form.help-press")).to_have_class(re.compile("help-holding"))
    page.wait_for_timeout(1000)
    # Half way, the bar shows it (large-text mode has no transitions: the script draws it).
    filled = page.evaluate(
        """() => document.querySelector('.help-progress-bar').getBoundingClientRect().width /
                 document.querySelector('.help-progress').getBoundingClientRect().width"""
    )
    assert 0.2 < filled < 0.9, filled
    page.wait_for_timeout(HOLD_MS - 1000)
    page.mouse.up()


def only_alert_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(HelpAlert.id))


def test_the_elder_holds_the_button_and_the_office_answers(app, new_context):
    elder = new_context().new_page()
    log_in(elder, DEMO_LOGINS["elderly"])  # large text, Chinese
    expect(elder.locator(".help-hint")).to_contain_text("按住 2 秒")
    hold_with_finger(elder)
    elder.wait_for_url(ALERT_URL)
    expect(elder.locator("h1")).to_have_text("正在为您找人帮忙")
    expect(elder.locator("a.help-call")).to_have_attribute("href", "tel:4008001234")
    elder.screenshot(path="test-artifacts/help-coming.png")

    office = new_context().new_page()
    log_in(office, DEMO_LOGINS["operator"])
    office.get_by_role("link", name="紧急求助").first.click()
    office.get_by_role("link", name="吴奶奶").first.click()
    expect(office.locator("h1")).to_have_text("吴奶奶 需要帮助")
    expect(office.locator("main")).to_contain_text("3号楼 1-101")
    office.get_by_role("button", name="我马上过去").click()
    expect(office.locator(".flashes")).to_contain_text("谢谢")

    # The elder's page asks again every five seconds and shows who is coming.
    expect(elder.locator("#help-status")).to_contain_text("钱运营 正在赶来。", timeout=12_000)
    elder.screenshot(path="test-artifacts/help-answered.png")
    with app.app_context():
        alert = db.session.get(HelpAlert, only_alert_id(app))
        assert alert.acknowledged_by.name == "钱运营"


def test_holding_with_the_keyboard_sends_and_a_short_press_asks_first(app, new_context):
    page = new_context().new_page()
    log_in(page, DEMO_LOGINS["elderly"])
    # A short tap: the confirmation page, nothing sent.
    page.locator(".help-button").click()
    page.wait_for_url(CONFIRM_URL)
    expect(page.locator("h1")).to_have_text("现在就求助吗？")
    assert only_alert_id(app) is None
    page.get_by_role("link", name="不用，返回").click()
    page.wait_for_url(re.compile(r"/$"))
    # Held with the space bar.
    page.locator(".help-button").focus()
    page.keyboard.down(" ")
    page.wait_for_timeout(HOLD_MS)
    page.keyboard.up(" ")
    page.wait_for_url(ALERT_URL)
    expect(page.locator("h1")).to_have_text("正在为您找人帮忙")
    assert only_alert_id(app) is not None


def test_without_javascript_the_press_is_a_form_and_a_confirmation(app, new_context):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, DEMO_LOGINS["elderly"], js=False)
    expect(page.locator(".help-hint")).to_contain_text("按下后再确认一次")
    page.get_by_role("button", name="我要求助").click()
    page.wait_for_url(CONFIRM_URL)
    expect(page.locator("h1")).to_have_text("现在就求助吗？")
    page.get_by_role("button", name="是的，马上求助").click()
    page.wait_for_url(ALERT_URL)
    expect(page.locator("h1")).to_have_text("正在为您找人帮忙")
    expect(page.locator("a.help-call")).to_have_attribute("href", "tel:4008001234")
    assert only_alert_id(app) is not None


def test_offline_the_button_dials_the_office(app, new_context):
    context = new_context()
    page = context.new_page()
    log_in(page, DEMO_LOGINS["elderly"])
    context.set_offline(True)
    hold_with_finger(page)
    expect(page.locator("form.help-press")).to_have_attribute("data-dialled", "tel:4008001234")
    context.set_offline(False)
    assert only_alert_id(app) is None


def test_when_the_call_cannot_be_sent_the_button_dials_the_office(app, new_context):
    page = new_context().new_page()
    log_in(page, DEMO_LOGINS["elderly"])
    page.route(
        "**/help/",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    hold_with_finger(page)
    expect(page.locator("form.help-press")).to_have_attribute("data-dialled", "tel:4008001234")


# ---- Read aloud --------------------------------------------------------------------------

SPEECH_STUB = """
(() => {
  window.__spoken = [];
  window.__cancelled = 0;
  const voices = [{lang: 'en-US', name: 'English'}, {lang: 'zh-CN', name: '中文'}];
  Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
    speak(u) {
      window.__spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.lang});
    },
    cancel() { window.__cancelled += 1; },
    getVoices() { return voices; },
  }});
  window.SpeechSynthesisUtterance = function (text) {
    this.text = text; this.lang = ''; this.voice = null;
  };
})();
"""
NO_SPEECH = "delete window.speechSynthesis; delete Window.prototype.speechSynthesis;"

SENTENCES_JS = """() => (
    document.querySelector('main').innerText.match(/[^。！？.!?\\n]+[。！？.!?]*/g) || []
  ).map((s) => s.replace(/\\s+/g, ' ').trim()).filter((s) => /[\\p{L}\\p{N}]/u.test(s))"""


@pytest.mark.parametrize(("locale", "lang"), [("zh_CN", "zh-CN"), ("en", "en")])
def test_a_large_text_page_reads_its_main_content_aloud_sentence_by_sentence(
    new_context, locale, lang
):
    context = new_context()
    context.add_init_script(SPEECH_STUB)
    page = context.new_page()
    log_in(page, DEMO_LOGINS["elderly"])
    choose_modes(page, locale, "large")
    go(page, "/help/")
    button = page.locator("button.read-aloud")
    expect(button).to_be_visible()
    expect(button).to_have_text("朗读本页" if locale == "zh_CN" else "Read this page aloud")
    assert page.evaluate("window.__spoken") == []  # nothing until a tap
    button.click()
    spoken = page.evaluate("window.__spoken")
    expected = page.evaluate(SENTENCES_JS)
    assert [item["text"] for item in spoken] == expected
    if locale == "zh_CN":
        assert expected[:3] == [
            "现在就求助吗？",
            "会马上通知社区服务中心、值班人员和您的家人。",
            "是的，马上求助",
        ]
    else:
        assert expected[:2] == [
            "Send for help now?",
            "The community office, the staff on duty and your family will be told at once.",
        ]
    assert {item["lang"] for item in spoken} == {lang}
    assert {item["voice"] for item in spoken} == {"zh-CN" if locale == "zh_CN" else "en-US"}
    # The button says it reads; a second tap stops.
    expect(button).to_have_attribute("aria-pressed", "true")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.__cancelled") >= 1
    assert len(page.evaluate("window.__spoken")) == len(spoken)


def test_the_read_aloud_button_only_shows_where_the_browser_can_speak(new_context):
    context = new_context()
    context.add_init_script(NO_SPEECH)
    page = context.new_page()
    log_in(page, DEMO_LOGINS["elderly"])
    assert page.evaluate("'speechSynthesis' in window") is False
    expect(page.locator("button.read-aloud")).to_be_hidden()


def test_the_read_aloud_button_is_hidden_without_javascript_and_in_standard_text(new_context):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, DEMO_LOGINS["elderly"], js=False)
    expect(page.locator("button.read-aloud")).to_be_hidden()
    spoken = new_context()
    spoken.add_init_script(SPEECH_STUB)
    page = spoken.new_page()
    log_in(page, DEMO_LOGINS["resident"])  # standard text
    assert page.locator("button.read-aloud").count() == 0


# ---- Every page, every mode -------------------------------------------------------------


def answered_alert(app) -> int:
    """A call for help from the elder that the staff answered: both views of it have content."""
    with app.app_context():
        elder = person("elderly")
        alert, _new = rules.raise_alert(db.session, elder, elder)
        rules.acknowledge(db.session, alert, person("staff"))
        db.session.commit()
        return alert.id


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_the_daughter_sends_for_help_for_her_mother_from_the_care_page(app, new_context, js):
    with app.app_context():
        person("elderly").receives_care = True
        db.session.commit()
    page = new_context(java_script_enabled=js).new_page()
    log_in(page, DEMO_LOGINS["resident"], js=js)
    page.goto("/care")
    page.get_by_role("link", name="为吴奶奶呼叫帮助").click()
    expect(page.locator("h1")).to_have_text("现在为吴奶奶呼叫帮助吗？")
    page.get_by_role("button", name="是的，马上求助").click()
    page.wait_for_url(ALERT_URL)
    with app.app_context():
        alert = db.session.scalar(select(HelpAlert))
        assert (alert.elder_id, alert.raised_by_id) == (
            person("elderly").id,
            person("resident").id,
        )


def test_help_pages_have_no_axe_violations(app, axe_path, new_context):
    """Each person logs in once for each state of the alert and sees the pages in all four
    modes."""
    problems = []

    def sweep(role: str, paths: list[str]) -> None:
        page = new_context(bypass_csp=True).new_page()
        log_in(page, DEMO_LOGINS[role])
        for locale, text_size in MODES:
            choose_modes(page, locale, text_size)
            for path in paths:
                go(page, path)
                violations = run_axe(page, axe_path)
                if violations:
                    where = f"{page.url} [{role}, {locale}, {text_size}]"
                    problems.append(describe_violations(where, violations))
                if text_size == "large":
                    for problem in check_large_text_page(page):
                        problems.append(f"{page.url} [{role}, {locale}]: {problem}")
        page.context.close()

    with app.app_context():
        person("elderly").receives_care = True
        db.session.commit()
    sweep("elderly", ["/", "/help/"])
    with app.app_context():
        mother_id = person("elderly").id
    sweep("resident", ["/care", f"/help/for/{mother_id}"])
    alert_id = answered_alert(app)
    sweep("elderly", [f"/help/alerts/{alert_id}"])
    sweep("operator", ["/operator/help/", f"/help/alerts/{alert_id}"])
    sweep("staff", ["/", "/operator/help/"])
    sweep("resident", [f"/help/alerts/{alert_id}"])
    report = "\n\n".join(problems)
    assert not problems, report
