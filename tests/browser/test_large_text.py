"""Large-text mode (长辈版) keeps its promises: 24px text with room between the lines, 60px
targets, and nothing to scroll sideways on a small phone, on every page each role can reach.
Standard pages fit a small phone too."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from community.core.extensions import db
from community.demo import load_demo_repairs
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
# screen until it is focused, are not seen), with the size of what a finger can press: a check
# box or radio button is pressed through its label too, so its target is the larger of the two.
TARGETS_JS = """() => [...document.querySelectorAll('a, button, input, select, summary, textarea')]
    .map((el) => ({el, box: el.getBoundingClientRect(), style: getComputedStyle(el)}))
    .filter(({box, style}) => box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
        && style.visibility !== 'hidden')
    .map(({el, box}) => {
        let {width, height} = box;
        if (el.type === 'checkbox' || el.type === 'radio') {
            for (const label of el.labels || []) {
                const outer = label.getBoundingClientRect();
                width = Math.max(width, outer.width);
                height = Math.max(height, outer.height);
            }
        }
        return {html: el.outerHTML.replace(/\\s+/g, ' ').slice(0, 100), width, height};
    })"""

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


def large_text_problems(new_context, role: str, paths: list[str]) -> list[str]:
    """Each page as the role sees it in large-text mode, in both languages, on a phone and then
    a small phone (the page lays itself out again for the narrower one)."""
    page = new_context().new_page()
    if role == "anonymous":
        page.goto("/")
    else:
        log_in(page, DEMO_LOGINS[role])
    problems = []
    for locale in LOCALES:
        choose_modes(page, locale, "large")
        for path in paths:
            go(page, path)
            assert is_large_text(page)
            for viewport in (PHONE, NARROW_PHONE):
                page.set_viewport_size(viewport)
                where = f"{path} ({locale}) at {viewport['width']}px"
                problems += [f"{where}: {problem}" for problem in check_large_text_page(page)]
            page.set_viewport_size(PHONE)
    return problems


@pytest.mark.parametrize("role", list(LARGE_TEXT_PAGES))
def test_large_text_pages_keep_the_rules(new_context, role):
    problems = large_text_problems(new_context, role, LARGE_TEXT_PAGES[role])
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


# Every role, every page it can reach by following same-site links from its home and its
# navigation (GET only, never a download or a photo), in large-text mode.
CRAWL_ROLES = ["resident", "elderly", "volunteer", "staff", "operator", "admin"]
MAX_PAGES = 25  # per role and language: enough to reach every page the role has today
MAX_VARIANTS = 2  # the same path with other query strings (filters, older items) adds little

LINKS_JS = """() => [...document.querySelectorAll('a[href]')]
    .filter((a) => !a.hasAttribute('download') && a.origin === location.origin)
    .map((a) => a.pathname + a.search)"""


# Pages no link leads to as such: the report form with the open reports of a place shown.
EXTRA_START = {"resident": ["/repairs/new?place=7"], "elderly": ["/repairs/new?place=7"]}

# What is folded away (a <details>) is measured open: a person will open it.
OPEN_DETAILS_JS = "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"


def reachable_pages(page: Page, start: list[str], limit: int = MAX_PAGES):
    """Visit the pages reachable from start (home and its navigation), breadth first, yielding
    each path once the page is open."""
    queue, seen, variants = list(start), set(), {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        bare = urlsplit(path).path
        if path in seen or variants.get(bare, 0) >= MAX_VARIANTS or "." in bare.rsplit("/", 1)[-1]:
            continue
        seen.add(path)
        response = page.goto(path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        variants[bare] = variants.get(bare, 0) + 1
        yield path
        queue += [link for link in page.evaluate(LINKS_JS) if link not in seen]


@pytest.fixture
def demo_repairs(app, live_server):
    with app.app_context():
        load_demo_repairs(db.session)
        db.session.commit()


@pytest.mark.parametrize("role", CRAWL_ROLES)
def test_every_page_a_role_reaches_keeps_the_rules(new_context, demo_repairs, role):
    page = new_context().new_page()
    log_in(page, DEMO_LOGINS[role])
    problems, visited = [], []
    for locale in LOCALES:
        choose_modes(page, locale, "large")
        for path in reachable_pages(page, ["/", *EXTRA_START.get(role, [])]):
            visited.append(path)
            assert is_large_text(page), path
            page.evaluate(OPEN_DETAILS_JS)
            for viewport in (PHONE, NARROW_PHONE):
                page.set_viewport_size(viewport)
                where = f"{path} ({locale}) at {viewport['width']}px"
                problems += [f"{where}: {problem}" for problem in check_large_text_page(page)]
            page.set_viewport_size(PHONE)
    assert len(set(visited)) >= 4, visited
    assert not problems, f"{len(problems)} problems on {sorted(set(visited))}:\n" + "\n".join(
        problems
    )
