"""The time bank's pages, as people use them: a volunteer sees the hours of a confirmed visit
and gives some to an elder, who sees them; the office records work, reverses a wrong entry,
decides a visit's extra time, reads a monthly statement and downloads the month's CSV."""

import csv
import io

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.core.extensions import db
from community.timebank import ledger, rules
from community.timebank.models import Transfer
from tests.conftest import user_id
from tests.querycount import queries_for
from tests.timebank.conftest import send_confirmed


@pytest.fixture
def bank(app, demo, make_order):
    """The demo with 吴奶奶 receiving care, and a confirmed visit of 李志愿 (2 hours of a
    3-hour window); returns ids."""
    ids = {role: user_id(app, demo[role]) for role in ("volunteer", "elderly", "operator")}
    with app.app_context():
        elder = db.session.get(User, ids["elderly"])
        elder.receives_care = True
        order = make_order(kind="care_visit", status="closed", requester=elder)
        send_confirmed(order, ids["volunteer"], ids["elderly"], 120, 180)
        db.session.commit()
    return ids


def balance(app, person_id) -> int:
    with app.app_context():
        return ledger.balance_of(db.session, person_id)


def test_a_volunteer_sees_the_hours_of_a_confirmed_visit(login_as, bank):
    page = login_as("volunteer").get("/timebank").get_data(as_text=True)
    assert "2 hours" in page or "2 小时" in page
    assert "Care visit" in page or "护理探访" in page or "探访" in page


def test_the_home_page_leads_volunteers_to_their_hours(login_as, bank):
    page = login_as("volunteer").get("/").get_data(as_text=True)
    assert "/timebank" in page


def test_a_volunteer_gives_two_hours_to_an_elder_who_sees_them(app, login_as, bank):
    volunteer = login_as("volunteer")
    form = volunteer.get("/timebank/give").get_data(as_text=True)
    assert "吴奶奶" in form
    response = volunteer.post("/timebank/give", data={"to": str(bank["elderly"]), "hours": "2"})
    assert response.status_code == 302
    assert balance(app, bank["volunteer"]) == 0
    elder_page = login_as("elderly").get("/timebank", headers={"Accept-Language": "en"})
    text = elder_page.get_data(as_text=True)
    assert "Hours volunteers gave to you" in text
    assert "2 hours" in text


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"to": "pool", "hours": "3"}, 409),  # more than the 2 hours they have
        ({"to": "pool", "hours": "zwei"}, 422),
        ({"to": "pool", "hours": ""}, 422),
        ({"to": "somebody", "hours": "1"}, 422),
        ({"to": "999999", "hours": "1"}, 422),
        ({"to": "pool", "hours": "1" * 20}, 422),
    ],
)
def test_a_gift_that_cannot_be_made_is_refused_and_nothing_moves(app, login_as, bank, data, status):
    response = login_as("volunteer").post("/timebank/give", data=data)
    assert response.status_code == status
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert balance(app, bank["volunteer"]) == 120


def test_a_gift_to_someone_not_receiving_care_is_refused(app, login_as, bank):
    resident = user_id(app, "13800000005")
    response = login_as("volunteer").post(
        "/timebank/give", data={"to": str(resident), "hours": "1"}
    )
    assert response.status_code == 422
    assert balance(app, bank["volunteer"]) == 120


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("resident", "/timebank/give"),
        ("volunteer", "/operator/timebank"),
        ("staff", "/operator/timebank/month.csv"),
    ],
)
def test_pages_are_for_their_people_only(login_as, bank, role, path):
    assert login_as(role).get(path).status_code == 403


def test_the_statement_costs_the_same_queries_for_a_few_movements_or_many(app, login_as, bank):
    volunteer = login_as("volunteer")
    few = queries_for(app, volunteer, "/timebank")
    with app.app_context():
        operator = db.session.get(User, bank["operator"])
        for n in range(30):
            rules.record_work(db.session, operator, bank["volunteer"], 30 + n, f"看门 {n}")
        db.session.commit()
    many = queries_for(app, volunteer, "/timebank")
    assert many == few
    page = volunteer.get("/timebank").get_data(as_text=True)
    assert "看门 29" in page
    assert "看门 10" in page
    assert "看门 9" not in page
    older = volunteer.get("/timebank?before=999999999999999").status_code
    assert older == 200


def test_older_movements_come_a_page_at_a_time_and_as_a_partial(app, login_as, bank):
    with app.app_context():
        operator = db.session.get(User, bank["operator"])
        ids = [
            rules.record_work(db.session, operator, bank["volunteer"], 30, f"花园 {n}").id
            for n in range(25)
        ]
        db.session.commit()
    volunteer = login_as("volunteer")
    partial = volunteer.get(f"/timebank?before={ids[5]}", headers={"HX-Request": "true"})
    text = partial.get_data(as_text=True)
    assert "<html" not in text
    assert "花园 4" in text
    assert "花园 0" in text
    assert "花园 5" not in text


def test_the_office_records_work_and_reverses_it(app, login_as, bank):
    office = login_as("operator")
    page = office.get("/operator/timebank").get_data(as_text=True)
    assert "李志愿" in page
    response = office.post(
        "/operator/timebank/entries",
        data={"person": str(bank["volunteer"]), "hours": "1.5", "reason": "打扫花园"},
    )
    assert response.status_code == 302
    assert balance(app, bank["volunteer"]) == 210
    with app.app_context():
        entry_id = db.session.scalar(select(func.max(Transfer.id)))
    detail = office.get(f"/operator/timebank/entries/{entry_id}").get_data(as_text=True)
    assert "打扫花园" in detail
    response = office.post(
        f"/operator/timebank/entries/{entry_id}/reverse", data={"reason": "记错了"}
    )
    assert response.status_code == 302
    assert balance(app, bank["volunteer"]) == 120
    again = office.post(f"/operator/timebank/entries/{entry_id}/reverse", data={"reason": "再来"})
    assert again.status_code == 409
    with app.app_context():
        reversal_id = db.session.scalar(select(func.max(Transfer.id)))
    undo = office.post(f"/operator/timebank/entries/{reversal_id}/reverse", data={"reason": "x"})
    assert undo.status_code == 409
    assert balance(app, bank["volunteer"]) == 120
    # The ledger names both sides of each movement and marks the reversed entry.
    ledger = office.get("/operator/timebank").get_data(as_text=True)
    assert f"第 {entry_id} 笔" in ledger
    assert f"第 {reversal_id} 笔" in ledger
    assert "从社区时间银行到李志愿" in ledger
    assert "从李志愿到社区时间银行" in ledger
    assert ledger.count("已冲正") == 1


@pytest.mark.parametrize(
    "data",
    [
        {"person": "0", "hours": "1", "reason": "看门"},
        {"person": "abc", "hours": "1", "reason": "看门"},
        {"hours": "1", "reason": "看门"},
        {"person": "VOLUNTEER", "hours": "-1", "reason": "看门"},
        {"person": "VOLUNTEER", "hours": "1", "reason": ""},
        {"person": "VOLUNTEER", "hours": "1", "reason": "看\x07门"},
        {"person": "ELDER", "hours": "1", "reason": "看门"},
    ],
)
def test_a_bad_office_entry_is_refused_next_to_its_field(app, login_as, bank, data):
    data = {
        key: str(bank["volunteer"])
        if value == "VOLUNTEER"
        else str(bank["elderly"])
        if value == "ELDER"
        else value
        for key, value in data.items()
    }
    response = login_as("operator").post("/operator/timebank/entries", data=data)
    assert response.status_code in (400, 422)
    assert balance(app, bank["volunteer"]) == 120


def test_missing_entries_are_not_found(login_as, bank):
    office = login_as("operator")
    assert office.get("/operator/timebank/entries/999999").status_code == 404
    reverse = office.post("/operator/timebank/entries/999999/reverse", data={"reason": "x"})
    assert reverse.status_code == 404
    assert office.post("/operator/timebank/extra/999999/confirm").status_code == 404


def test_the_office_credits_or_refuses_a_visits_extra_time(app, login_as, bank, make_order):
    with app.app_context():
        elder = db.session.get(User, bank["elderly"])
        order = make_order(kind="care_visit", status="closed", requester=elder)
        send_confirmed(order, bank["volunteer"], bank["elderly"], 100, 60)
        other = make_order(kind="care_visit", status="closed", requester=elder)
        send_confirmed(other, bank["volunteer"], bank["elderly"], 90, 60)
        db.session.commit()
        first, second = (p.id for p in ledger.pending_credits(db.session))
    assert balance(app, bank["volunteer"]) == 120 + 60 + 60
    office = login_as("operator")
    assert "beyond the window" in office.get(
        "/operator/timebank", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert office.post(f"/operator/timebank/extra/{first}/confirm").status_code == 302
    assert office.post(f"/operator/timebank/extra/{second}/refuse").status_code == 302
    assert office.post(f"/operator/timebank/extra/{second}/confirm").status_code == 409
    assert balance(app, bank["volunteer"]) == 120 + 60 + 60 + 40


def test_the_monthly_statement_and_csv_are_safe_for_spreadsheets(app, login_as, bank):
    with app.app_context():
        operator = db.session.get(User, bank["operator"])
        rules.record_work(db.session, operator, bank["volunteer"], 60, '=HYPERLINK("x")')
        db.session.commit()
        month = db.session.scalar(select(func.max(Transfer.created_at)))
    office = login_as("operator")
    month_text = month.strftime("%Y-%m")
    statement = office.get(
        f"/operator/timebank/statement?person={bank['volunteer']}&month={month_text}",
        headers={"Accept-Language": "en"},
    ).get_data(as_text=True)
    assert "At the end of the month" in statement
    assert "3 hours" in statement
    response = office.get(f"/operator/timebank/month.csv?month={month_text}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 3
    reasons = [row[8] for row in rows[1:]]
    assert '\'=HYPERLINK("x")' in reasons
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)


@pytest.mark.parametrize("junk", ["", "2026-13", "abc", "9999-12", "1-2-3", "0-0"])
def test_a_junk_month_shows_this_month(login_as, bank, junk):
    office = login_as("operator")
    assert office.get(f"/operator/timebank/statement?month={junk}&person=abc").status_code == 200
    assert office.get(f"/operator/timebank/month.csv?month={junk}").status_code == 200


def test_the_office_ledger_costs_the_same_queries_for_a_few_movements_or_many(app, login_as, bank):
    office = login_as("operator")
    few = queries_for(app, office, "/operator/timebank")
    with app.app_context():
        operator = db.session.get(User, bank["operator"])
        for n in range(30):
            entry = rules.record_work(db.session, operator, bank["volunteer"], 30, f"看门 {n}")
            if n % 3 == 0:
                rules.reverse(db.session, operator, entry.id, "记错了")
        db.session.commit()
    assert queries_for(app, office, "/operator/timebank") == few
