"""Large-text mode (长辈版) keeps its promises: 24px text with room between the lines, 60px
targets, and nothing to scroll sideways on a small phone. Standard pages fit a small phone too."""

import pytest
from playwright.sync_api import Page

from tests.browser.support import (
    LOCALES,
    NARROW_PHONE,
    PHONE,
    choose_modes,
    go,
    horizontal_overflow,
    is_large_text,
    log_in,
)
from tests.conftest import DEMO_LOGINS

pytestmark = pytest.mark.browser

MIN_TARGET = 60  # CSS px, both ways
MIN_TEXT = 24  # CSS px
MIN_LINE_HEIGHT = 1.3  # times the font size

# Every interactive element a person can see (hidden inputs and the skip link, which sits off
# screen until it is focused, are not seen), with its size.
TARGETS_JS = """() => [...document.querySelectorAll('a, button, input, select, summary, textarea')]
    .map((el) => ({el, box: el.getBoundingClientRect(), style: getComputedStyle(el)}))
    .filter(({box, style}) => box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
        && style.visibility !== 'hidden')
    .map(({el, box}) => ({
        html: el.outerHTML.replace(/\\s+/g, ' ').slice(0, 100),
        width: box.width, height: box.height,
    }))"""

# Every piece of visible text, with the size it is drawn at.
TEXT_JS = """() => {
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const text = walker.currentNode.textContent.trim();
        const el = walker.currentNode.parentElement;
        const box = el.getBoundingClientRect();
        if (!text || box.width === 0 || box.right <= 0) continue;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden') continue;
        found.push({text: text.slice(0, 40), tag: el.tagName.toLowerCase(),
                    fontSize: parseFloat(style.fontSize)});
    }
    return found;
}"""

BODY_JS = """() => {
    const style = getComputedStyle(document.body);
    return {fontSize: parseFloat(style.fontSize), lineHeight: style.lineHeight};
}"""

LARGE_TEXT_PAGES = {
    "resident": ["/", "/settings"],
    "elderly": ["/", "/settings"],
    "anonymous": ["/", "/login", "/signup", "/settings"],
}


def check_large_text_page(page: Page) -> list[str]:
    """What on the page, as it is now, breaks a rule of large-text mode."""
    problems = []
    body = page.evaluate(BODY_JS)
    if body["fontSize"] < MIN_TEXT:
        problems.append(f"body font-size is {body['fontSize']}px")
    line_height = body["lineHeight"]
    if not line_height.endswith("px"):
        problems.append(f"body line-height is {line_height!r}, not a length")
    elif float(line_height[:-2]) < MIN_LINE_HEIGHT * body["fontSize"]:
        problems.append(f"body line-height is {line_height} for {body['fontSize']}px text")
    for text in page.evaluate(TEXT_JS):
        if text["fontSize"] < MIN_TEXT:
            problems.append(f"{text['fontSize']}px text in <{text['tag']}>: {text['text']!r}")
    for target in page.evaluate(TARGETS_JS):
        if target["width"] < MIN_TARGET or target["height"] < MIN_TARGET:
            problems.append(
                f"{target['width']:.1f}x{target['height']:.1f} target: {target['html']}"
            )
    overflow = horizontal_overflow(page)
    if overflow > 0:
        width = page.viewport_size["width"]
        problems.append(f"scrolls sideways by {overflow}px at {width}px wide")
    return problems


@pytest.mark.parametrize("role", list(LARGE_TEXT_PAGES))
def test_large_text_pages_keep_the_rules(new_context, role):
    page = new_context().new_page()
    if role == "anonymous":
        page.goto("/")
    else:
        log_in(page, DEMO_LOGINS[role])

    problems = []
    for locale in LOCALES:
        choose_modes(page, locale, "large")
        for path in LARGE_TEXT_PAGES[role]:
            go(page, path)
            assert is_large_text(page)
            # A phone, then a small phone: the page lays itself out again for the narrower one.
            for viewport in (PHONE, NARROW_PHONE):
                page.set_viewport_size(viewport)
                where = f"{path} ({locale}) at {viewport['width']}px"
                problems += [f"{where}: {problem}" for problem in check_large_text_page(page)]
            page.set_viewport_size(PHONE)
    assert not problems, "\n".join(problems)


def test_skip_link_is_a_large_target_when_focused(new_context):
    page = new_context().new_page()
    log_in(page, DEMO_LOGINS["elderly"])
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.locator(".skip-link")
    assert skip_link.evaluate("(el) => el === document.activeElement")
    box = skip_link.bounding_box()
    assert box["x"] >= 0
    assert box["width"] >= MIN_TARGET
    assert box["height"] >= MIN_TARGET


STANDARD_PAGES = {
    "anonymous": ["/", "/login", "/signup", "/settings"],
    "resident": ["/", "/settings"],
    "operator": ["/", "/operator/signups", "/operator/people"],
    "admin": ["/", "/operator/community"],
}


@pytest.mark.parametrize("role", list(STANDARD_PAGES))
def test_standard_pages_fit_a_narrow_phone(new_context, role):
    page = new_context(viewport=NARROW_PHONE).new_page()
    if role == "anonymous":
        page.goto("/")
    else:
        log_in(page, DEMO_LOGINS[role])
    overflowing = {}
    for locale in LOCALES:
        choose_modes(page, locale, "standard")
        for path in STANDARD_PAGES[role]:
            go(page, path)
            assert not is_large_text(page)
            overflow = horizontal_overflow(page)
            if overflow > 0:
                overflowing[f"{path} ({locale})"] = overflow
    assert overflowing == {}, f"pages scroll sideways at 360px (by px): {overflowing}"
