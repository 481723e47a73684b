"""Issue 8, item 6: the small things a person trips on. No tile that looks tappable but leads
nowhere; "Call the community office" only for the people the office serves; a pending account
is told its home awaits approval instead of a bare 403; `make install` prints no line that reads
as if the English catalog were broken; the welcome page promises only what the app does."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from community.core import menus

EN = {"Accept-Language": "en"}
ROOT = Path(__file__).resolve().parents[2]
CALL = "Call the community office"
ACTIVE_ROLES = ["resident", "elderly", "volunteer", "staff", "operator", "admin"]


def text_size(client, large: bool) -> None:
    response = client.post("/settings/large-text", data={"large_text": "1" if large else "0"})
    assert response.status_code == 302


def test_every_declared_tile_leads_to_a_page(app):
    with app.app_context():
        tiles = [tile for role_tiles in menus.TILES.values() for tile in role_tiles]
    assert tiles
    assert all(tile.endpoint for tile in tiles)


@pytest.mark.parametrize("role", ACTIVE_ROLES)
@pytest.mark.parametrize("large", [False, True], ids=["standard", "large"])
def test_home_tiles_are_all_links_that_open(demo, login_as, role, large):
    client = login_as(role)
    text_size(client, large)
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "Coming soon" not in page
    assert "tile-soon" not in page
    tiles = re.findall(r'<(\w+) class="tile"(?: href="([^"]+)")?', page)
    assert tiles
    for tag, href in tiles:
        assert tag == "a"
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        ("resident", True),
        ("elderly", True),
        ("volunteer", True),
        ("staff", False),
        ("operator", False),
        ("admin", False),
    ],
)
@pytest.mark.parametrize("large", [False, True], ids=["standard", "large"])
def test_only_residents_and_volunteers_are_offered_the_office_call(
    demo, login_as, role, offered, large
):
    client = login_as(role)
    text_size(client, large)
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert (CALL in page) is offered
    assert ('href="tel:4008001234"' in page) is offered


def test_visitors_and_people_waiting_for_approval_can_call_the_office(app, demo, login_as):
    assert CALL in app.test_client().get("/", headers=EN).get_data(as_text=True)
    assert CALL in login_as("pending").get("/", headers=EN).get_data(as_text=True)


@pytest.mark.parametrize("path", ["/repairs/new", "/repairs", "/inbox", "/notices"])
def test_a_pending_account_is_told_its_home_awaits_approval(demo, login_as, path):
    pending = login_as("pending")
    response = pending.get(path, headers=EN)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Your home is waiting for approval" in page
    partial = pending.get(path, headers={"HX-Request": "true", **EN})
    assert partial.status_code == 403
    assert "Your home is waiting for approval" in partial.get_data(as_text=True)
    chinese = pending.get(path, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "您的住址正在等待审核" in chinese


def test_an_approved_person_without_the_role_still_gets_a_plain_403(demo, login_as):
    response = login_as("staff").get("/operator/orders", headers=EN)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "You are not allowed to see this page." in page
    assert "waiting for approval" not in page


def test_the_english_catalog_compiles_without_a_fuzzy_warning(tmp_path):
    catalog = tmp_path / "en" / "LC_MESSAGES"
    catalog.mkdir(parents=True)
    source = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    (catalog / "messages.po").write_bytes(source.read_bytes())
    pybabel = [sys.executable, "-c", "from babel.messages.frontend import main; main()"]
    run = subprocess.run(
        [*pybabel, "compile", "-d", str(tmp_path), "-l", "en"],
        capture_output=True,
        text=True,
        check=True,
    )
    output = run.stdout + run.stderr
    assert "fuzzy" not in output
    assert "skipping" not in output
    assert (catalog / "messages.mo").is_file()


def test_make_install_prints_statistics_for_chinese_only():
    install = (ROOT / "Makefile").read_text().split("\ninstall:", 1)[1].split("\n\n", 1)[0]
    for line in install.splitlines():
        if "pybabel" in line and "--statistics" in line:
            assert "-l zh_Hans_CN" in line


@pytest.mark.parametrize("headers", [EN, {"Accept-Language": "zh-CN"}])
def test_the_welcome_page_names_what_the_app_does(app, demo, headers):
    page = app.test_client().get("/", headers=headers).get_data(as_text=True)
    english = headers is EN
    for built in (
        ("Report a repair", "报修"),
        ("book the community's services", "预约社区服务"),
        ("join its activities", "参加社区活动"),
        ("care visit", "上门探访"),
        ("help button", "求助按钮"),
    ):
        assert built[0 if english else 1] in page


def test_the_readme_opening_names_what_the_app_does_and_nothing_it_does_not():
    opening = (ROOT / "README.md").read_text().split("## ", 1)[0]
    for built in (
        "report repairs",
        "book the community's services",
        "activities",
        "visits",
        "time bank",
        "I need help",
        "read themselves aloud",
    ):
        assert built in opening
    for missing in ("not built yet", "planned", "coming soon"):
        assert missing not in opening
