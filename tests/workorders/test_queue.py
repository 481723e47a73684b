"""The operator's triage queue: who may see it, filters, both sorts, keyset pages, bulk
assignment, the CSV export, and a query count that does not grow with the rows."""

import csv
import io
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select

from community.accounts.rules import find_by_login
from community.core.db import utcnow
from community.core.extensions import db
from community.directory.models import Building, Place
from community.repairs.kind import REPAIR
from community.repairs.rules import report_repair
from community.workorders import machine, states
from community.workorders.models import WorkOrder
from tests.conftest import user_id
from tests.querycount import queries_for

CATEGORIES = list(REPAIR.categories)

EN = {"Accept-Language": "en"}
HTMX = {"HX-Request": "true", **EN}
ROW_RE = re.compile(r'id="order-(\d+)"')
NEXT_RE = re.compile(r'<a class="button" rel="next" href="([^"]+)"')
COUNT_RE = re.compile(r"([A-Za-z ]+) <span class=\"status-count\">(\d+)</span>")


def shown(page: str) -> list[int]:
    return [int(number) for number in ROW_RE.findall(page)]


def person(login: str):
    return find_by_login(db.session, login)


def place_id(name: str) -> int:
    return db.session.scalar(select(Place.id).where(Place.name == name))


def building_id(name: str) -> int:
    return db.session.scalar(select(Building.id).where(Building.name == name))


def ticked(app, *order_ids: int) -> list[str]:
    """The bulk form's value for each ticked row: its id and the version it was shown with."""
    with app.app_context():
        versions = dict(db.session.execute(select(WorkOrder.id, WorkOrder.version)).all())
    return [f"{number}:{versions[number]}" for number in order_ids]


def act(order: WorkOrder, actor_login: str, action: str, **fields):
    machine.apply(db.session, order, person(actor_login), action, order.version, **fields)


@pytest.fixture
def orders(app, demo):
    """Five reports that differ in every filter, made the way residents and staff make them."""
    operator, staff = demo["operator"], demo["staff"]
    long_ago = utcnow() - timedelta(days=10)
    with app.app_context():
        resident = person(demo["resident"])
        made = {}

        def report(name, reporter, category, description, place=None):
            order = report_repair(
                db.session,
                reporter,
                category=category,
                description=description,
                place_id=place_id(place) if place else None,
            )
            made[name] = order
            return order

        # Submitted, at the resident's home in 1号楼.
        report("submitted", resident, "plumbing", "厨房水管漏水 kitchen pipe leaks")
        # Accepted with high priority, at the elevator of 3号楼.
        accepted = report("accepted", resident, "electrical", "电梯间灯不亮 light out", "3号楼电梯")
        act(accepted, operator, "accept", priority="high")
        # Assigned, at the elevator of 4号楼.
        assigned = report("assigned", resident, "elevator", "电梯异响 elevator noise", "4号楼电梯")
        act(assigned, operator, "accept")
        act(assigned, operator, "assign", assignee_id=person(staff).id)
        # Accepted ten days ago and assigned: overdue now. In the garden (no building).
        late = report("overdue", resident, "greenery", "树枝挡路 branch blocks path", "中心花园")
        machine.apply(db.session, late, person(operator), "accept", late.version, now=long_ago)
        act(late, operator, "assign", assignee_id=person(staff).id)
        # Fixed and confirmed: closed. At the elderly resident's home in 3号楼.
        closed = report("closed", person(demo["elderly"]), "noise", "楼上噪音 noise upstairs")
        act(closed, operator, "accept")
        act(closed, operator, "assign", assignee_id=person(staff).id)
        act(closed, staff, "start")
        act(closed, staff, "resolve", note="已处理")
        act(closed, demo["elderly"], "confirm")
        db.session.commit()
        ids = {name: order.id for name, order in made.items()}
        ids["building 1"] = building_id("1号楼")
        ids["building 3"] = building_id("3号楼")
        ids["staff"] = person(staff).id
    return ids


def bulk_orders(app, count: int, *, created=None, due=None, **values) -> list[int]:
    """Insert orders directly (fast): created(n) and due(n) give each one's times."""
    now = utcnow()
    with app.app_context():
        requester = person("13800000005")
        places = db.session.scalars(select(Place).order_by(Place.id)).all()
        staff = person("13800000003")
        first = (db.session.scalar(select(WorkOrder.id).order_by(WorkOrder.id.desc())) or 0) + 1
        rows = []
        for n in range(count):
            place = places[n % len(places)] if n % 2 else None
            rows.append(
                {
                    "id": first + n,
                    "kind": "repair",
                    "status": states.ASSIGNED,
                    "priority": "normal",
                    "category": CATEGORIES[n % len(CATEGORIES)],
                    "description": f"批量报修 {n}",
                    "place_id": place.id if place else None,
                    "unit_id": None if place else requester.unit_id,
                    "building_id": place.building_id if place else requester.unit.building_id,
                    "requester_id": requester.id,
                    "assignee_id": staff.id,
                    "created_at": created(n) if created else now - timedelta(minutes=n),
                    "updated_at": now,
                    "due_at": due(n) if due else now + timedelta(days=1),
                    **values,
                }
            )
        db.session.execute(insert(WorkOrder), rows)
        db.session.commit()
    return [row["id"] for row in rows]


# --- Who may see it -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["resident", "staff", "volunteer", "elderly"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/operator/orders"),
        ("get", "/operator/orders.csv"),
        ("post", "/operator/orders/assign"),
    ],
)
def test_the_queue_is_for_operators_and_admins_only(login_as, role, method, path):
    client = login_as(role)
    assert getattr(client, method)(path).status_code == 403


@pytest.mark.parametrize("path", ["/operator/orders", "/operator/orders.csv"])
def test_anonymous_visitors_are_sent_to_log_in(client, demo, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/login?next={path}")


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_operator_and_admin_see_the_active_orders_linked_to_their_pages(login_as, orders, role):
    page = login_as(role).get("/operator/orders", headers=EN).get_data(as_text=True)
    wanted = {orders[name] for name in ("submitted", "accepted", "assigned", "overdue")}
    assert set(shown(page)) == wanted
    for number in wanted:
        assert f'href="/repairs/{number}"' in page
    assert "1号楼 2-301" in page  # a home: building and unit
    assert "3号楼电梯" in page  # a common place: its name
    assert "孙师傅" in page


def test_the_operator_home_page_has_a_work_orders_tile(login_as):
    page = login_as("operator").get("/", headers=EN).get_data(as_text=True)
    assert 'href="/operator/orders"' in page


# --- Filters, search, sorts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, {"submitted", "accepted", "assigned", "overdue"}),
        ({"status": "submitted"}, {"submitted"}),
        ({"status": "assigned"}, {"assigned", "overdue"}),
        ({"status": "closed"}, {"closed"}),
        ({"status": "all"}, {"submitted", "accepted", "assigned", "overdue", "closed"}),
        ({"category": "electrical"}, {"accepted"}),
        ({"category": "noise"}, set()),
        ({"category": "noise", "status": "all"}, {"closed"}),
        ({"building": "building 1"}, {"submitted"}),
        ({"building": "building 3", "status": "all"}, {"accepted", "closed"}),
        ({"priority": "high"}, {"accepted"}),
        ({"assignee": "staff"}, {"assigned", "overdue"}),
        ({"assignee": "unassigned"}, {"submitted", "accepted"}),
        ({"overdue": "1"}, {"overdue"}),
        ({"overdue": "1", "status": "all"}, {"overdue"}),
        ({"status": "assigned", "category": "elevator"}, {"assigned"}),
        (
            {"status": "nonsense", "category": "nonsense"},
            {"submitted", "accepted", "assigned", "overdue"},
        ),
    ],
)
def test_each_filter_narrows_the_queue(login_as, orders, args, expected):
    # Buildings and people are named in the cases; the query string wants their ids.
    query = {
        key: orders[value] if key in ("building", "assignee") and value in orders else value
        for key, value in args.items()
    }
    page = login_as("operator").get("/operator/orders", query_string=query).get_data(as_text=True)
    assert set(shown(page)) == {orders[name] for name in expected}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("水管", {"submitted"}),
        ("ELEVATOR noise", {"assigned"}),  # case does not matter
        ("电梯", {"accepted", "assigned"}),
        ("100%", set()),  # % and _ are matched as themselves
        ("_", set()),
        ("nothing like this", set()),
    ],
)
def test_search_finds_words_in_the_description(login_as, orders, q, expected):
    page = (
        login_as("operator").get("/operator/orders", query_string={"q": q}).get_data(as_text=True)
    )
    assert set(shown(page)) == {orders[name] for name in expected}


def test_search_by_number_finds_that_order(login_as, orders):
    operator = login_as("operator")
    page = operator.get("/operator/orders", query_string={"q": f"#{orders['accepted']}"})
    assert shown(page.get_data(as_text=True)) == [orders["accepted"]]


def test_newest_first_and_most_urgent_first(app, login_as, demo):
    now = utcnow()
    # Created one hour apart (0 newest); due in a shuffled order; every third has no due time.
    dues = [5, None, 2, 9, None, 1, 7, None, 3]
    ids = bulk_orders(
        app,
        len(dues),
        created=lambda n: now - timedelta(hours=n),
        due=lambda n: None if dues[n] is None else now + timedelta(hours=dues[n]),
    )
    operator = login_as("operator")
    newest = operator.get("/operator/orders").get_data(as_text=True)
    assert shown(newest) == ids
    urgent = operator.get("/operator/orders?sort=urgent").get_data(as_text=True)
    dated = sorted((due, ids[n]) for n, due in enumerate(dues) if due is not None)
    undated = [ids[n] for n, due in enumerate(dues) if due is None]
    assert shown(urgent) == [number for _due, number in dated] + undated


@pytest.mark.parametrize("sort", ["newest", "urgent"])
def test_keyset_pages_show_every_order_exactly_once(app, login_as, demo, sort):
    now = utcnow()
    # Ties everywhere: seven orders share each creation time, five share each due time, and
    # a dozen have no due time (they come last when the most urgent come first).
    ids = bulk_orders(
        app,
        60,
        created=lambda n: now - timedelta(minutes=n // 7),
        due=lambda n: None if n % 5 == 0 else now + timedelta(hours=n // 5),
    )
    operator = login_as("operator")
    url, pages, seen = f"/operator/orders?sort={sort}", [], []
    while url:
        page = operator.get(url).get_data(as_text=True)
        pages.append(shown(page))
        seen += pages[-1]
        found = NEXT_RE.search(page)
        url = found.group(1).replace("&amp;", "&") if found else None
        # The next link carries where the page ended, never a row count to skip.
        assert url is None or re.search(r"after=(\d{8}T[\d.]+Z|none)_\d+", url), url
        assert url is None or f"sort={sort}" in url or sort == "newest"
    assert [len(p) for p in pages] == [25, 25, 10]
    assert sorted(seen) == sorted(ids)
    assert len(set(seen)) == 60
    with app.app_context():
        rows = db.session.execute(select(WorkOrder.id, WorkOrder.created_at, WorkOrder.due_at))
        key = {number: (created, due) for number, created, due in rows}
    if sort == "newest":
        wanted = sorted(ids, key=lambda n: (key[n][0], n), reverse=True)
    else:
        wanted = sorted(ids, key=lambda n: (key[n][1] is None, key[n][1] or now, n))
    assert seen == wanted


@pytest.mark.parametrize(
    "query",
    [
        "after=garbage_x",
        "after=20250101T000000.000000Z_²",
        "building=²&assignee=99999999999&priority=<b>",
        "status=closed;drop&sort=sideways&overdue=maybe",
    ],
)
def test_junk_in_the_query_string_shows_the_default_queue(app, login_as, demo, query):
    ids = bulk_orders(app, 3)
    response = login_as("operator").get(f"/operator/orders?{query}")
    assert response.status_code == 200
    assert shown(response.get_data(as_text=True)) == ids


def test_bulk_assign_ignores_order_numbers_that_are_not_numbers(app, login_as, demo):
    staff = user_id(app, demo["staff"])
    response = login_as("operator").post(
        "/operator/orders/assign",
        data={
            "order": ["abc", "²", "99999999999999", "99999999999999:1", "1:²", "7"],
            "assignee_id": str(staff),
        },
        headers=EN,
    )
    assert response.status_code == 422
    assert "Tick at least one order to assign." in response.get_data(as_text=True)


# --- What a row and the page say --------------------------------------------------------------


def test_overdue_orders_stand_out_in_words_not_only_colour(login_as, orders):
    page = login_as("operator").get("/operator/orders", headers=EN).get_data(as_text=True)
    rows = dict(
        re.findall(r'<li class="card queue-row[^"]*" id="order-(\d+)">(.*?)</li>', page, re.S)
    )
    late = rows[str(orders["overdue"])]
    assert '<strong class="overdue-flag">Overdue</strong>' in late
    assert 'queue-row is-overdue" id="order-{}"'.format(orders["overdue"]) in page
    for name in ("submitted", "accepted", "assigned"):
        assert "Overdue" not in rows[str(orders[name])]


def test_rows_show_priority_status_assignee_and_due_time(login_as, orders):
    page = login_as("operator").get("/operator/orders", headers=EN).get_data(as_text=True)
    rows = dict(re.findall(r'id="order-(\d+)">(.*?)</li>', page, re.S))
    accepted = rows[str(orders["accepted"])]
    assert "Electrical" in accepted
    assert "High" in accepted
    assert "Accepted" in accepted
    assert "Nobody yet" in accepted
    assert "<time datetime=" in accepted
    assert "Not accepted yet" in rows[str(orders["submitted"])]


def test_counts_per_status_respect_the_other_filters(login_as, orders):
    operator = login_as("operator")
    page = operator.get("/operator/orders", headers=EN).get_data(as_text=True)
    counts = {label.strip(): int(n) for label, n in COUNT_RE.findall(page)}
    assert counts == {
        "Submitted": 1,
        "Accepted": 1,
        "Assigned": 2,
        "In progress": 0,
        "Reopened": 0,
        "Resolved": 0,
    }
    page = operator.get("/operator/orders?category=elevator&status=submitted", headers=EN)
    counts = {label.strip(): int(n) for label, n in COUNT_RE.findall(page.get_data(as_text=True))}
    assert counts["Assigned"] == 1
    assert counts["Submitted"] == 0


def test_htmx_gets_only_the_results_and_the_response_varies_on_it(login_as, orders):
    operator = login_as("operator")
    response = operator.get("/operator/orders?category=elevator", headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="queue-q"' not in body  # the filter form stays on the page
    assert shown(body) == [orders["assigned"]]
    assert "HX-Request" in response.headers["Vary"]
    full = operator.get("/operator/orders?category=elevator", headers=EN)
    assert "<html" in full.get_data(as_text=True)
    assert 'hx-get="/operator/orders"' in full.get_data(as_text=True)


def test_the_filter_form_works_without_javascript(login_as, orders):
    page = login_as("operator").get("/operator/orders", headers=EN).get_data(as_text=True)
    form = re.search(
        r'<form class="card queue-filters" method="get" action="/operator/orders"', page
    )
    assert form is not None
    assert '<button class="button primary" type="submit">Show</button>' in page


# --- Bulk assignment --------------------------------------------------------------------------


def test_bulk_assign_assigns_what_it_can_and_says_why_it_skipped_the_rest(app, login_as, orders):
    operator = login_as("operator")
    chosen = [orders[name] for name in ("submitted", "accepted", "assigned", "closed")]
    response = operator.post(
        "/operator/orders/assign?category=elevator&sort=urgent",
        data={"order": ticked(app, *chosen), "assignee_id": str(orders["staff"])},
        headers=EN,
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/operator/orders?")
    assert "category=elevator" in location
    assert "sort=urgent" in location
    page = operator.get(location, headers=EN).get_data(as_text=True)
    assert "2 orders assigned to 孙师傅." in page
    assert f"2 skipped: #{orders['submitted']} is Submitted: accept it first." in page
    assert f"#{orders['closed']} is Closed: it cannot be assigned." in page
    with app.app_context():
        status = dict(db.session.execute(select(WorkOrder.id, WorkOrder.status)).all())
        assignee = dict(db.session.execute(select(WorkOrder.id, WorkOrder.assignee_id)).all())
    assert status[orders["submitted"]] == states.SUBMITTED
    assert status[orders["accepted"]] == states.ASSIGNED
    assert assignee[orders["accepted"]] == orders["staff"]
    assert status[orders["closed"]] == states.CLOSED


def test_the_staff_picker_shows_each_persons_open_load(login_as, orders):
    page = login_as("operator").get("/operator/orders", headers=EN).get_data(as_text=True)
    # 孙师傅 works on two orders (assigned, and the overdue one); the closed one does not count.
    assert f'<option value="{orders["staff"]}">孙师傅 (2 open)</option>' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"assignee_id": "staff"}, "Tick at least one order to assign."),
        ({"order": "accepted"}, "Choose a member of the service staff."),
        ({"order": "accepted", "assignee_id": "resident"}, "Choose a member of the service staff."),
    ],
)
def test_bulk_assign_without_an_order_or_a_staff_member_explains_and_changes_nothing(
    app, login_as, demo, orders, data, message
):
    with app.app_context():
        people = {"staff": person(demo["staff"]).id, "resident": person(demo["resident"]).id}
    form = {k: str(orders.get(v) or people[v]) for k, v in data.items()}
    if "order" in form:
        form["order"] = ticked(app, int(form["order"]))
    response = login_as("operator").post(
        "/operator/orders/assign?status=accepted", data=form, headers=EN
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body
    assert shown(body) == [orders["accepted"]]  # the same queue, with its filters
    with app.app_context():
        assert db.session.get(WorkOrder, orders["accepted"]).status == states.ACCEPTED


# --- CSV export -------------------------------------------------------------------------------


def test_csv_export_has_the_filtered_rows_a_bom_and_no_requester_details(login_as, orders):
    response = login_as("operator").get(
        "/operator/orders.csv?status=all&building=" + str(orders["building 3"]), headers=EN
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="work-orders-')
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "Number",
        "Created",
        "Category",
        "Priority",
        "Status",
        "Building",
        "Place or home",
        "Description",
        "Assigned to",
        "Due",
        "Overdue",
    ]
    assert sorted(int(row[0]) for row in rows[1:]) == sorted([orders["accepted"], orders["closed"]])
    closed = next(row for row in rows[1:] if int(row[0]) == orders["closed"])
    assert closed[2:9] == [
        "Noise",
        "Normal",
        "Closed",
        "3号楼",
        "1-101",
        "楼上噪音 noise upstairs",
        "孙师傅",
    ]
    assert closed[1].endswith("+08:00")  # the community's time zone
    assert closed[10] == "No"
    assert "1380000" not in text
    assert "周小梅" not in text
    assert "吴奶奶" not in text


def test_csv_export_marks_overdue_orders_and_defuses_formulas(app, login_as, orders):
    with app.app_context():
        order = db.session.get(WorkOrder, orders["submitted"])
        order.description = '=HYPERLINK("http://evil")'
        db.session.commit()
    text = login_as("operator").get("/operator/orders.csv").get_data().decode("utf-8-sig")
    rows = {int(row[0]): row for row in list(csv.reader(io.StringIO(text)))[1:]}
    assert rows[orders["overdue"]][10] == "是"  # the operator reads Chinese: no Accept-Language
    assert rows[orders["submitted"]][7] == '\'=HYPERLINK("http://evil")'


def test_csv_export_is_not_limited_to_one_page(app, login_as, demo):
    ids = bulk_orders(app, 60)
    text = login_as("operator").get("/operator/orders.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert [int(row[0]) for row in rows] == ids


# --- Queries do not grow with the rows --------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/operator/orders", "/operator/orders?status=all&assignee=unassigned&q=批量"]
)
def test_queue_queries_do_not_grow_with_its_rows(app, login_as, demo, path):
    operator = login_as("operator")
    bulk_orders(app, 3)
    bulk_orders(app, 3, assignee_id=None)
    few = queries_for(app, operator, path)
    bulk_orders(app, 27)
    bulk_orders(app, 27, assignee_id=None)
    many = queries_for(app, operator, path)
    assert many == few
    assert few <= 12


def test_most_urgent_first_reads_orders_without_a_due_time_only_when_it_reaches_them(
    app, login_as, demo
):
    operator = login_as("operator")
    bulk_orders(app, 3)
    bulk_orders(app, 3, due=lambda n: None)
    few = queries_for(app, operator, "/operator/orders?sort=urgent")
    bulk_orders(app, 30)
    many = queries_for(app, operator, "/operator/orders?sort=urgent")
    # One query fewer once the first page is all orders with a due time; never more.
    assert many == few - 1


def test_the_export_reads_in_chunks_and_misses_nothing(app, demo):
    from community.workorders.queue import QueueFilters, iter_orders

    now = utcnow()
    ids = bulk_orders(
        app,
        60,
        created=lambda n: now - timedelta(minutes=n // 4),
        due=lambda n: None if n % 3 == 0 else now + timedelta(hours=n // 6),
    )
    with app.app_context(), offsets_used(db.engine) as offsets:
        for sort in ("newest", "urgent"):
            filters = QueueFilters.from_args({"sort": sort})
            found = [order.id for order in iter_orders(db.session, filters, now, chunk=7)]
            assert sorted(found) == sorted(ids)
            assert len(found) == len(set(found))
    assert offsets == []


@contextmanager
def offsets_used(engine):
    """Every OFFSET other than 0 that a block sends (SQLite's dialect always writes one)."""
    offsets: list = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "OFFSET" in statement.upper() and parameters and list(parameters)[-1] != 0:
            offsets.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield offsets
    finally:
        event.remove(engine, "before_cursor_execute", record)
