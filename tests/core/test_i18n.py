"""Two languages, complete; the person's choice, then the browser's, then Chinese."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import format_datetime

ROOT = Path(__file__).resolve().parents[2]
# Babel's canonical name for zh_CN (Simplified Chinese, China) is zh_Hans_CN.
ZH_PO = ROOT / "translations/zh_Hans_CN/LC_MESSAGES/messages.po"
POT = ROOT / "translations/messages.pot"


def catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_every_chinese_translation_is_there_and_not_fuzzy():
    problems = []
    for message in catalog(ZH_PO):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
    assert problems == []


def test_the_chinese_catalog_as_a_whole_is_not_fuzzy():
    # pybabel compile skips a fuzzy catalog without failing: the app would speak English.
    assert not catalog(ZH_PO).fuzzy


def test_the_catalogs_hold_every_string_of_the_template():
    wanted = {m.id for m in catalog(POT) if m.id}
    assert wanted <= {m.id for m in catalog(ZH_PO) if m.id}
    en = ROOT / "translations/en/LC_MESSAGES/messages.po"
    assert wanted <= {m.id for m in catalog(en) if m.id}


def test_placeholders_survive_translation():
    for message in catalog(ZH_PO):
        if not message.id or not message.python_format:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        target = message.string[0] if isinstance(message.string, tuple) else message.string
        for name in ["%(name)s", "%(num)d", "%(count)d", "%(max)d", "%(minutes)d", "%(role)s"]:
            assert (name in source) == (name in target), (source, target)


@pytest.mark.parametrize(
    ("accept", "lang", "text"),
    [
        (None, "zh-CN", "登录"),
        ("en-US,en;q=0.9", "en", "Log in"),
        ("fr-FR,fr;q=0.9", "zh-CN", "登录"),
        ("fr-FR,en;q=0.5", "en", "Log in"),
        ("zh-TW,zh;q=0.9", "zh-CN", "登录"),
    ],
)
def test_locale_follows_the_browser_then_defaults_to_chinese(client, demo, accept, lang, text):
    headers = {"Accept-Language": accept} if accept else {}
    page = client.get("/login", headers=headers).get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    assert f">{text}</h1>" in page


def test_language_switch_before_login_is_kept_in_a_cookie(client, demo):
    client.post("/settings/language", data={"locale": "en"})
    page = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="en">' in page


def test_the_persons_setting_beats_the_browser(demo, login_as):
    resident = login_as("resident")
    resident.post("/settings/language", data={"locale": "en"})
    other_phone = login_as("resident")
    page = other_phone.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Hello, 周小梅" in page


def test_an_unknown_language_is_refused(client, demo):
    response = client.post("/settings/language", data={"locale": "xx"})
    assert response.status_code == 422
    assert "请从提供的语言中选择" in response.get_data(as_text=True)


def test_times_are_shown_in_the_community_time_zone(app):
    moment = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)  # 00:30 next day in Shanghai
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "Nov 26, 2026" in format_datetime(moment, "medium")
        assert "12:30" in format_datetime(moment, "medium")
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert "2026年11月26日" in format_datetime(moment, "medium")


def test_a_different_community_time_zone_can_be_configured(make_app):
    app = make_app(COMMUNITY_TIMEZONE="Europe/London")
    moment = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "4:30" in format_datetime(moment, "medium")
