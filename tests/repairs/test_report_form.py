"""Issue 8, item 1: "Is it one of these?" on the report form works with and without
JavaScript: htmx attributes come out with hyphens, the "me too" forms sit outside the report
form, and checking a place never puts the CSRF token (or what was typed) into a URL.
And the class of flaw: no page of any role has hx_ attributes or a form inside a form."""

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from community.core.extensions import db
from community.workorders.models import WorkOrder
from tests.html_checks import html_problems
from tests.workorder_helpers import RESIDENT, report

EN = {"Accept-Language": "en"}
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def open_report_at(app, place_id: int, description: str) -> int:
    with app.app_context():
        order = report(RESIDENT, place_id=place_id, description=description)
        db.session.commit()
        return order.id


def order_count(app) -> int:
    with app.app_context():
        return db.session.query(WorkOrder).count()


def test_choosing_a_place_asks_htmx_for_its_open_reports(app, demo, login_as):
    elderly = login_as("elderly")
    page = elderly.get("/repairs/new", headers=EN).get_data(as_text=True)
    select = re.search(r"<select[^>]*name=\"place\"[^>]*>", page).group(0)
    assert 'hx-get="/repairs/new"' in select
    assert 'hx-target="#similar"' in select
    assert 'hx-include="this"' in select
    assert "hx_" not in page


def test_the_open_reports_sit_outside_the_report_form(app, demo, login_as):
    order_id = open_report_at(app, 1, "南门门禁坏了")
    elderly = login_as("elderly")
    page = elderly.get("/repairs/new?place=1", headers=EN).get_data(as_text=True)
    assert "南门门禁坏了" in page
    assert html_problems(page) == []
    report_form = page[page.index('<form id="report-form"') : page.index("</form>")]
    assert 'id="similar"' not in report_form
    assert f"/repairs/{order_id}/follow" not in report_form
    # What is typed below the list still belongs to the report.
    for name in ("description", "urgency", "photos", "on_behalf_of"):
        tags = re.findall(rf'<[^>]*name="{name}"[^>]*>', page)
        assert tags, name
        assert all('form="report-form"' in tag for tag in tags), name
    send = re.findall(r"<button[^>]*>", page)[-1]
    assert 'form="report-form"' in send
    assert 'type="submit"' in send


def test_checking_without_javascript_keeps_what_was_typed_and_saves_nothing(app, demo, login_as):
    open_report_at(app, 1, "南门门禁坏了")
    before = order_count(app)
    elderly = login_as("elderly")
    response = elderly.post(
        "/repairs/new",
        data={"check": "1", "place": "1", "category": "doors_locks", "description": "门打不开"},
        headers=EN,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Is it one of these?" in page
    assert "南门门禁坏了" in page
    assert "门打不开" in page  # the description typed so far
    assert re.search(r'value="doors_locks"[^>]*checked|checked[^>]*value="doors_locks"', page)
    assert html_problems(page) == []
    assert order_count(app) == before


def test_a_check_without_the_token_is_refused(app, demo, login_as):
    elderly = login_as("elderly")
    response = elderly.post("/repairs/new", data={"check": "1", "place": "1"}, csrf=False)
    assert response.status_code == 400


def test_htmx_gets_only_the_list_and_no_token_travels_in_the_url(app, demo, login_as):
    open_report_at(app, 1, "南门门禁坏了")
    elderly = login_as("elderly")
    partial = elderly.get("/repairs/new?place=1", headers={"HX-Request": "true", **EN})
    html = partial.get_data(as_text=True)
    assert partial.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="similar"')
    assert "南门门禁坏了" in html
    assert html_problems(html) == []
    page = elderly.get("/repairs/new").get_data(as_text=True)
    # No form of the page sends the token with GET.
    for form in re.findall(r"<form[^>]*>.*?</form>", page, re.S):
        if 'name="csrf_token"' in form:
            assert 'method="post"' in form.split(">", 1)[0]
            assert 'formmethod="get"' not in form


def test_me_too_follows_and_the_report_still_sends(app, demo, login_as):
    order_id = open_report_at(app, 1, "南门门禁坏了")
    elderly = login_as("elderly")
    assert elderly.post(f"/repairs/{order_id}/follow").status_code == 302
    response = elderly.post(
        "/repairs/new",
        data={"category": "doors_locks", "place": "1", "description": "门打不开"},
    )
    assert response.status_code == 302


def test_no_template_writes_htmx_attributes_with_underscores():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\bhx_[a-z]", line)
    ]
    assert offenders == []


def crawl(client, start: list[str], limit: int = 120) -> dict[str, str]:
    """Every same-site page reachable by GET from start, a bounded number of them."""
    seen: dict[str, str] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        html = response.get_data(as_text=True)
        response.close()
        if response.status_code != 200 or "text/html" not in response.content_type:
            seen[path] = ""
            continue
        seen[path] = html
        for href in re.findall(r'href="([^"#]+)', html):
            target = urlsplit(urljoin("http://localhost" + path, href.replace("&amp;", "&")))
            # Pages only: not static files, photos or downloads (a name with a dot).
            if target.netloc != "localhost" or "." in target.path.rsplit("/", 1)[-1]:
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if link not in seen and link not in queue:
                queue.append(link)
    return seen


@pytest.mark.parametrize(
    "role", ["resident", "elderly", "staff", "volunteer", "operator", "admin", "pending"]
)
def test_no_page_has_htmx_underscores_or_nested_forms(app, demo, login_as, role):
    with app.app_context():
        from community.demo import load_demo_repairs

        load_demo_repairs(db.session)
        db.session.commit()
    client = login_as(role)
    pages = crawl(client, ["/", "/settings", "/repairs/new", "/repairs/new?place=1"])
    problems = [
        f"{path}: {problem}" for path, html in pages.items() for problem in html_problems(html)
    ]
    assert len([html for html in pages.values() if html]) >= 2
    assert problems == []
