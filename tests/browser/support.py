"""What the browser tests share: the phone, the chromium flags, and a person's usual steps."""

import re
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from community.demo import DEMO_PASSWORD

PHONE = {"width": 390, "height": 844}
NARROW_PHONE = {"width": 360, "height": 740}

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The four ways a page can look: language x text size.
LOCALES = ["zh_CN", "en"]
TEXT_SIZES = ["standard", "large"]
MODES = [(locale, size) for locale in LOCALES for size in TEXT_SIZES]
MODE_IDS = [f"{locale}-{size}" for locale, size in MODES]

HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


# Resolves once the page's service worker is activated (`ready` resolves while it activates);
# rejects after ten seconds rather than hang the test.
SERVICE_WORKER_JS = """async () => {
    const activated = (async () => {
        const registration = await navigator.serviceWorker.ready;
        const worker = registration.active;
        if (worker.state !== 'activated') {
            await new Promise((resolve) => worker.addEventListener('statechange', () => {
                if (worker.state === 'activated') resolve();
            }));
        }
        return {scope: registration.scope, state: worker.state, script: worker.scriptURL};
    })();
    const late = new Promise((_, reject) => setTimeout(
        () => reject(new Error('no service worker was activated within 10 s')), 10000));
    return Promise.race([activated, late]);
}"""


def wait_for_service_worker(page: Page) -> dict:
    """Wait until the service worker has installed (and so fetched the offline page) and is
    activated, as long as a person takes to read the page before typing. Logging in sooner
    races the worker: it fetches /offline with the person's cookies, and the session cookie that
    response brings back can replace the one the login has just set (the next form then fails
    its CSRF check)."""
    return page.evaluate(SERVICE_WORKER_JS)


def log_in(page: Page, login: str, password: str = DEMO_PASSWORD, *, js: bool = True) -> None:
    """Log in through the login page; the next page is the person's home."""
    page.goto("/login")
    if js:
        wait_for_service_worker(page)
    page.locator("#login").fill(login)
    page.locator("#password").fill(password)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def go(page: Page, path: str) -> None:
    """Open the page at path, unless it is the page open already."""
    if urlsplit(page.url).path != path or urlsplit(page.url).query:
        page.goto(path)


def choose_modes(page: Page, locale: str, text_size: str) -> None:
    """Pick the language and text size with the switches, as a person would (saved on the
    account when logged in, in cookies otherwise): on this page if it has them, else on the
    settings page. Each switch brings back the page it was pressed on."""
    if page.url == "about:blank" or not page.locator(".switches").count():
        page.goto("/settings")
    large = text_size == "large"
    if is_large_text(page) != large:
        page.locator("form[action='/settings/large-text'] button").click()
        expect(page.locator("body")).to_have_class("large-text" if large else "standard-text")
    if page.locator("html").get_attribute("lang") != HTML_LANG[locale]:
        page.locator(f"form[action='/settings/language'] button[value='{locale}']").click()
        expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[locale])
    page.wait_for_load_state()


def is_large_text(page: Page) -> bool:
    return "large-text" in (page.locator("body").get_attribute("class") or "").split()


# True once no htmx request is on its way and the last swap has settled: until then htmx keeps
# the sending form faded (it copies the old element's attributes onto its replacement for the
# settle delay), which is not what the page looks like.
HTMX_IDLE_JS = """() => !document.querySelector(
    '.htmx-request:not([hx-trigger^="every"]), .htmx-swapping, .htmx-settling')"""


def run_axe(page: Page, axe_path: Path) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA violations on the page once htmx has finished with it."""
    page.wait_for_function(HTMX_IDLE_JS)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_path))
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
            });
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({
                    target: n.target.join(' '), summary: n.failureSummary,
                })),
            }));
        }""",
        WCAG_TAGS,
    )


def describe_violations(where: str, violations: list[dict]) -> str:
    lines = [f"{where}: {len(violations)} axe violation(s)"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    - {node['target']}")
            for detail in (node["summary"] or "").splitlines():
                lines.append(f"        {detail}")
    return "\n".join(lines)


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no sideways scrolling)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
