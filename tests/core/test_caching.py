"""Issue 8, item 2: pages that depend on who is logged in are never stored by the browser, so
Back after logout shows nothing private; static files keep their caching."""

import io
import json

import pytest
from PIL import Image

from community.core.extensions import db
from community.workorders.models import WorkOrderPhoto


def jpeg() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(data, "JPEG")
    data.seek(0)
    return data


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("resident", "/"),
        ("resident", "/inbox"),
        ("resident", "/repairs"),
        ("resident", "/settings"),
        ("staff", "/work"),
        ("operator", "/operator/orders"),
        ("operator", "/operator/people"),
        ("operator", "/operator/signups"),
    ],
)
def test_a_logged_in_persons_pages_are_never_stored(login_as, role, path):
    response = login_as(role).get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_an_htmx_partial_of_a_private_list_is_not_stored_either(login_as):
    response = login_as("operator").get("/operator/people?q=1", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_the_login_response_that_sets_the_cookie_and_the_logout_are_not_stored(client, demo):
    login = client.login(demo["resident"])
    assert "Set-Cookie" in login.headers
    assert login.headers["Cache-Control"] == "no-store"
    logout = client.post("/logout")
    assert logout.headers["Cache-Control"] == "no-store"


def test_after_logout_the_inbox_is_not_served_again(login_as):
    resident = login_as("resident")
    assert resident.get("/inbox").status_code == 200
    resident.post("/logout")
    again = resident.get("/inbox")
    assert again.status_code == 302
    assert "/login" in again.headers["Location"]


def test_photos_of_an_order_are_not_stored(app, login_as, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    resident = login_as("resident")
    resident.post(
        "/repairs/new",
        data={
            "category": "plumbing",
            "place": "0",
            "description": "漏水",
            "photos": [(jpeg(), "a.jpg")],
        },
        content_type="multipart/form-data",
    )
    with app.app_context():
        photo_id = db.session.query(WorkOrderPhoto).one().id
    for path in (f"/photos/{photo_id}", f"/photos/{photo_id}/thumbnail"):
        with resident.get(path) as response:
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == "no-store"


def test_static_files_and_the_service_worker_keep_their_caching(client, login_as):
    for anyone in (client, login_as("resident")):
        with anyone.get("/static/css/app.css") as css:
            assert css.status_code == 200
            assert "no-store" not in css.headers.get("Cache-Control", "")
            assert "Set-Cookie" not in css.headers
        worker = anyone.get("/sw.js")
        assert worker.headers["Cache-Control"] == "no-cache"
        assert "Set-Cookie" not in worker.headers


def test_the_service_worker_keeps_only_static_files_and_the_offline_page(client):
    script = client.get("/sw.js").get_data(as_text=True)
    shell_line = next(line for line in script.splitlines() if line.startswith("const SHELL ="))
    shell = json.loads(shell_line.removeprefix("const SHELL =").strip().rstrip(";"))
    assert shell, "the worker keeps the app's shell"
    assert all(path.startswith("/static/") or path == "/offline" for path in shell)
    # Pages are fetched from the network, never put in a cache by the worker.
    assert script.count("cache.put") == 0
    assert "cache.addAll(SHELL" in script
