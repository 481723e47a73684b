"""The shell every page stands in: headers, cookies, home per role, large text, errors, PWA."""

import hashlib
import json
from pathlib import Path

import pytest
from werkzeug.exceptions import InternalServerError

from community.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
EN = {"Accept-Language": "en"}


def test_every_page_carries_the_security_headers(client, demo):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    for directive in [
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]:
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in response.headers["Vary"]


def test_pages_have_no_inline_script(client, demo, login_as):
    for page in [client.get("/"), login_as("operator").get("/")]:
        html = page.get_data(as_text=True)
        assert "<script>" not in html
        assert " on" + "click=" not in html
        assert html.count("<script") == html.count("<script src=")


def test_session_cookie_is_httponly_and_lax(app, demo):
    client = app.test_client()
    client.login("13800000005")
    cookie = client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure


def test_session_cookie_is_secure_when_configured_for_production(make_app, demo):
    app = make_app(SESSION_COOKIE_SECURE=True)
    response = app.test_client().post(
        "/login", data={"login": "13800000005", "password": DEMO_PASSWORD}
    )
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("role", "sees", "does_not_see"),
    [
        ("resident", ["Report a repair", "For my home"], ["Review sign-ups", "My work orders"]),
        # No tile for a feature that is not built yet: nothing that looks tappable and is not.
        ("volunteer", ["Report a repair"], ["Review sign-ups", "Volunteer task board"]),
        ("staff", ["My work orders"], ["Report a repair", "Review sign-ups"]),
        ("operator", ["Review sign-ups", "People and roles"], ["Report a repair"]),
        ("admin", ["Community settings", "People and roles"], ["Report a repair"]),
    ],
)
def test_home_shows_each_role_what_it_can_do(login_as, role, sees, does_not_see):
    page = login_as(role).get("/", headers=EN).get_data(as_text=True)
    for text in sees:
        assert text in page
    for text in does_not_see:
        assert text not in page


def test_welcome_page_offers_login_signup_and_the_switches(client, demo):
    page = client.get("/", headers=EN).get_data(as_text=True)
    for text in ["Log in", "Sign up", "Large text (长辈版)", "English" if False else "中文"]:
        assert text in page


def test_large_text_mode_is_remembered_per_account(demo, login_as):
    resident = login_as("resident")
    assert "standard-text" in resident.get("/").get_data(as_text=True)
    resident.post("/settings/large-text", data={"large_text": "1"})
    # A new login on another phone finds the same mode.
    other_phone = login_as("resident")
    page = other_phone.get("/").get_data(as_text=True)
    assert 'class="large-text"' in page
    assert "tiles-large" in page


def test_large_text_mode_is_kept_in_a_cookie_before_login(client, demo):
    response = client.post("/settings/large-text", data={"large_text": "1", "next": "/"})
    assert response.headers["Location"] == "/"
    assert 'class="large-text"' in client.get("/").get_data(as_text=True)
    assert client.get_cookie("large_text").value == "1"


def test_elderly_home_has_big_tiles_and_one_tap_to_the_office(login_as):
    page = login_as("elderly").get("/").get_data(as_text=True)
    assert 'class="large-text"' in page
    assert 'href="tel:4008001234"' in page
    assert "即将推出" not in page  # no "coming soon": only what the app does


def test_large_text_stylesheet_meets_the_elderly_design_rules():
    css = (ROOT / "static/css/app.css").read_text()
    block = css[css.index("body.large-text {") :]
    assert "font-size: 24px" in block
    assert "line-height: 1.5" in block
    assert "min-height: 60px; min-width: 60px" in block
    assert "animation: none !important" in block


@pytest.mark.parametrize(
    ("status", "path", "method"),
    [(404, "/no-such-page", "get"), (405, "/healthz", "post")],
)
def test_error_pages_speak_the_persons_language(client, demo, status, path, method):
    response = getattr(client, method)(path, csrf=False) if method == "post" else client.get(path)
    assert response.status_code == status
    assert "返回首页" in response.get_data(as_text=True)
    response = client.get(path, headers=EN) if method == "get" else None
    if response is not None:
        assert "Back to the home page" in response.get_data(as_text=True)


def test_a_too_large_request_gets_a_friendly_413(make_app, demo):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post(
        "/login", data={"login": "x" * 4096, "password": "y"}, headers=EN, csrf=False
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_a_crash_gets_a_500_page_in_the_persons_language(make_app, demo):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise InternalServerError()

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "系统出了点问题" in response.get_data(as_text=True)


def test_errors_for_htmx_are_a_partial_with_the_status(client, demo):
    response = client.get("/no-such-page", headers={"HX-Request": "true"})
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert 'role="alert"' in body


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_says_when_the_database_is_unreachable(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"


def test_manifest_makes_the_app_installable(client, demo):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data())
    assert manifest["name"] == "幸福里社区"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as image:
            assert image.status_code == 200
            assert image.mimetype == "image/png"


def test_service_worker_precaches_the_shell_and_the_offline_page(client):
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    script = response.get_data(as_text=True)
    for path in ["/static/css/app.css", "/static/vendor/htmx.min.js", "/offline"]:
        assert f'"{path}"' in script
    assert client.get("/offline").status_code == 200


def test_vendored_htmx_is_the_pinned_release():
    record = (ROOT / "static/vendor/VENDORED").read_text().splitlines()[-1].split()
    package, version, name, digest = record
    assert package == "htmx.org"
    assert version.startswith("2.0.")
    vendored = (ROOT / "static/vendor" / name).read_bytes()
    assert hashlib.sha256(vendored).hexdigest() == digest
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["htmx.org"]
    assert pinned == version
    npm_copy = ROOT / "node_modules/htmx.org/dist" / name
    if npm_copy.exists():
        assert npm_copy.read_bytes() == vendored


def test_htmx_is_configured_without_eval_and_for_its_own_origin_only(client):
    page = client.get("/").get_data(as_text=True)
    config = page.split('name="htmx-config" content=\'')[1].split("'")[0]
    settings = json.loads(config)
    assert settings["allowEval"] is False
    assert settings["selfRequestsOnly"] is True
    assert settings["includeIndicatorStyles"] is False
    assert 'hx-headers=\'{"X-CSRFToken": "' in page


def test_service_worker_caches_the_shell_without_cookies(client):
    script = client.get("/sw.js").get_data(as_text=True)
    assert 'credentials: "omit"' in script


def test_a_page_that_changes_nothing_does_not_resend_the_session_cookie(demo, login_as):
    resident = login_as("resident")
    resident.get("/repairs")  # the CSRF token is made on the first page
    response = resident.get("/repairs")
    assert "session=" not in response.headers.get("Set-Cookie", "")
