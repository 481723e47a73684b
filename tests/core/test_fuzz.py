"""No input is a 500 (issue 8): generated text, numbers and ids, huge and negative, posted to
every route of the app and put in every query string, as each role. The routes come from the
app's URL map and the field names from the templates, the forms and the views' query-string
readers, so a route or a field added later is covered without touching this file."""

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

from community.core.forms import Form
from tests import conftest

ROOT = Path(__file__).resolve().parents[2]
ROLES = ["anonymous", "resident", "staff", "operator", "admin"]
# Routes that would end the person's session half-way through a sweep.
SKIPPED_ENDPOINTS = {"static", "auth.logout"}


def template_field_names() -> set[str]:
    names = set()
    for path in (ROOT / "templates").rglob("*.html"):
        names.update(re.findall(r'\bname="([A-Za-z_][\w-]*)"', path.read_text()))
    return names


def form_field_names() -> set[str]:
    names, todo = set(), [Form]
    while todo:
        form = todo.pop()
        todo.extend(form.__subclasses__())
        names.update(name for name, value in vars(form).items() if isinstance(value, UnboundField))
    return names


def query_names() -> set[str]:
    names = set()
    for path in (ROOT / "community").rglob("*.py"):
        names.update(re.findall(r'args\.get(?:list)?\(\s*"(\w+)"', path.read_text()))
    return names


FIELDS = sorted((template_field_names() | form_field_names()) - {"csrf_token"})
QUERY = sorted(query_names() | {"next", "q", "before", "after", "place"})

BOUNDARIES = [0, -1, 1, 2, 2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, 2**64, -(2**63) - 1]
numbers = st.one_of(
    st.sampled_from(BOUNDARIES), st.integers(min_value=-(2**80), max_value=2**80)
).map(str)
# Every character but lone surrogates, which no browser can send in UTF-8.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
printable = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=300)
long_text = st.integers(min_value=190, max_value=2100).map(lambda n: "长" * n)
words = st.sampled_from(
    ["", "0", "1", "on", "normal", "urgent", "plumbing", "building", "all", "none_1", "zh_CN"]
)
values = st.one_of(numbers, printable, any_text, long_text, words)
segment_text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40)
segment_ids = st.one_of(st.sampled_from(BOUNDARIES).filter(lambda n: n > 0), st.integers(1, 2**80))


def routes(app) -> list[tuple[str, str, object]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            found.append((method, rule.endpoint, rule))
    return sorted(found, key=lambda item: (item[1], item[0]))


def path_for(rule, draw) -> str:
    """The rule's path with generated values put where its arguments go, escaped."""
    from werkzeug.urls import quote

    def argument(match: re.Match) -> str:
        converter = match.group(1) or "default"
        if converter in ("id", "int"):
            return str(draw(segment_ids))
        return quote(draw(segment_text), safe="")

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", argument, rule.rule)


def client_for(app, demo, role):
    client = app.test_client()
    if role != "anonymous":
        response = client.login(demo[role])
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return client


@pytest.mark.parametrize("role", ROLES)
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_input_is_a_server_error(app, demo, role, data):
    client = client_for(app, demo, role)
    token = conftest.CSRF_RE.search(client.get("/settings").get_data(as_text=True)).group(1)
    for method, endpoint, rule in routes(app):
        path = path_for(rule, data.draw)
        query = data.draw(st.dictionaries(st.sampled_from(QUERY), values, max_size=4))
        if method == "GET":
            response = client.get(path, query_string=query)
            form = {}
        else:
            form = data.draw(st.dictionaries(st.sampled_from(FIELDS), values, max_size=8))
            response = client.post(
                path, query_string=query, data={**form, "csrf_token": token}, csrf=False
            )
        # Closed as a server closes it: a streamed export (a CSV) holds its request context
        # until then, and one left open is popped later, whenever it is collected, out of
        # order with another request's.
        response.close()
        assert response.status_code < 500, (role, method, endpoint, path, query, form)
