"""Browser fixtures: Debian's chromium through Playwright, and the app on a live local server.

Without chromium (or, for the accessibility tests, axe-core) the browser tests skip; with
REQUIRE_BROWSER=1, as in CI, a missing piece fails them instead.
"""

import logging
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.browser.support import CHROMIUM_ARGS, PHONE

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def missing(what: str) -> None:
    """Skip the test, or fail it where the browser tests are required (CI)."""
    message = f"{what}; the browser tests need it (set up by .ci/run)"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        missing("Debian's chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def playwright(chromium_path):
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def launch_options(chromium_path) -> dict:
    return {"executable_path": chromium_path, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser(playwright, launch_options):
    browser = playwright.chromium.launch(**launch_options)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def axe_path() -> Path:
    if not AXE_PATH.is_file():
        missing(f"axe-core is not installed at {AXE_PATH} (npm ci)")
    return AXE_PATH


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def translations_dir(tmp_path_factory) -> str:
    """The .po catalogs compiled afresh, so that the pages speak Chinese without `make install`
    (the compiled .mo files are not kept in git and may be missing or stale)."""
    source = PROJECT_ROOT / "translations"
    target = tmp_path_factory.mktemp("translations")
    for po in source.glob("*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo.open("wb") as mo_file:
            write_mo(mo_file, catalog)
    return str(target)


@pytest.fixture
def app(make_app, translations_dir):
    return make_app(BABEL_TRANSLATION_DIRECTORIES=translations_dir)


@pytest.fixture
def live_server(app, demo) -> Iterator[str]:
    """The app, with the demo community, served on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # One line per request is noise here; the app's own errors still show.
    quiet = logging.getLogger("werkzeug")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        quiet.setLevel(level)


@pytest.fixture
def new_context(browser, live_server):
    """Make fresh browser contexts (a phone, in Chinese, unless told otherwise); all are closed
    before the server stops."""
    contexts = []

    def make(**options):
        settings = {
            "base_url": live_server,
            "viewport": PHONE,
            "device_scale_factor": 1,
            "is_mobile": False,
            "has_touch": True,
            "locale": "zh-CN",
            **options,
        }
        context = browser.new_context(**settings)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def profile_context(playwright, launch_options, live_server, tmp_path):
    """A phone browser with a real profile on disk: chromium calls every incognito context
    not installable, and notifications want one too."""
    context = playwright.chromium.launch_persistent_context(
        user_data_dir=tmp_path / "profile",
        executable_path=launch_options["executable_path"],
        headless=True,
        args=CHROMIUM_ARGS,
        base_url=live_server,
        viewport=PHONE,
        locale="zh-CN",
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh context."""
    return new_context().new_page()
