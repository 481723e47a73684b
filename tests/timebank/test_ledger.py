"""The ledger's rules: a confirmed visit credits its time up to the window and once only, the
office decides the rest; gifts never exceed the balance; corrections are reversing entries,
once; entries are never changed; and all the accounts always sum to zero."""

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DatabaseError

from community.accounts.models import User
from community.core.errors import Conflict, Invalid
from community.core.extensions import db
from community.timebank import ledger, rules
from community.timebank.models import (
    LedgerIsWrittenOnce,
    PendingCredit,
    PendingStatus,
    Transfer,
    TransferKind,
)
from tests.timebank.conftest import send_confirmed


def user(person_id: int) -> User:
    return db.session.get(User, person_id)


def test_a_confirmed_visit_credits_the_volunteer_its_recorded_time(app, people, confirm_visit):
    with app.app_context():
        order = confirm_visit(people["volunteer"], people["elder"], minutes=75, window=90)
        assert ledger.balance_of(db.session, people["volunteer"]) == 75
        transfer = db.session.scalars(select(Transfer)).one()
        assert (transfer.kind, transfer.order_id, transfer.source) == (
            TransferKind.VISIT,
            order.id,
            f"visit:{order.id}",
        )
        assert ledger.balance(db.session, rules.bank(db.session).id) == -75
        assert db.session.scalar(select(func.count(PendingCredit.id))) == 0


def test_time_beyond_the_window_waits_for_the_office(app, people, confirm_visit):
    with app.app_context():
        operator = user(people["operator"])
        first = confirm_visit(people["volunteer"], people["elder"], minutes=150, window=120)
        second = confirm_visit(people["volunteer"], people["elder"], minutes=100, window=60)
        assert ledger.balance_of(db.session, people["volunteer"]) == 180
        waiting = {p.order_id: p for p in ledger.pending_credits(db.session)}
        assert (waiting[first.id].minutes, waiting[second.id].minutes) == (30, 40)

        rules.decide_pending(db.session, operator, waiting[first.id].id, confirm=True)
        rules.decide_pending(db.session, operator, waiting[second.id].id, confirm=False)
        assert ledger.balance_of(db.session, people["volunteer"]) == 210
        assert ledger.pending_credits(db.session) == []
        assert waiting[second.id].status == PendingStatus.REFUSED
        with pytest.raises(Conflict):
            rules.decide_pending(db.session, operator, waiting[first.id].id, confirm=True)
        assert ledger.balance_of(db.session, people["volunteer"]) == 210


def test_a_visit_confirmed_twice_is_credited_once(app, people, confirm_visit):
    with app.app_context():
        order = confirm_visit(people["volunteer"], people["elder"], minutes=200, window=60)
        send_confirmed(order, people["volunteer"], people["elder"], 200, 60)
        assert ledger.balance_of(db.session, people["volunteer"]) == 60
        assert db.session.scalar(select(func.count(Transfer.id))) == 1
        assert db.session.scalar(select(func.count(PendingCredit.id))) == 1


def test_a_volunteer_gives_hours_to_an_elder_or_the_pool_never_more_than_they_have(
    app, people, confirm_visit
):
    with app.app_context():
        confirm_visit(people["volunteer"], people["elder"], minutes=180, window=180)
        volunteer = user(people["volunteer"])
        rules.donate(db.session, volunteer, people["elder"], 120)
        rules.donate(db.session, volunteer, None, 30)
        assert ledger.balance_of(db.session, people["volunteer"]) == 30
        assert ledger.balance_of(db.session, people["elder"]) == 120
        assert ledger.balance(db.session, rules.pool(db.session).id) == 30
        with pytest.raises(Conflict):
            rules.donate(db.session, volunteer, people["elder"], 31)
        assert ledger.balance_of(db.session, people["volunteer"]) == 30


@pytest.mark.parametrize("to", ["resident", "volunteer", "missing"])
def test_hours_go_only_to_an_elder_receiving_care(app, people, confirm_visit, to):
    with app.app_context():
        confirm_visit(people["volunteer"], people["elder"])
        elder_id = people.get(to, 999_999)
        with pytest.raises(Invalid):
            rules.donate(db.session, user(people["volunteer"]), elder_id, 30)


def test_only_volunteers_give_hours(app, people):
    with app.app_context(), pytest.raises(Invalid):
        rules.donate(db.session, user(people["resident"]), None, 30)


@pytest.mark.parametrize(
    ("typed", "minutes"), [("2", 120), ("1.5", 90), (" 0.25 ", 15), ("1，5", 90)]
)
def test_hours_are_read_as_people_type_them(app, typed, minutes):
    with app.test_request_context():
        assert rules.parse_hours(typed) == minutes


@pytest.mark.parametrize("typed", ["", "abc", "0", "-1", "1000", "0.001", "nan", "inf", "1e3"])
def test_hours_that_make_no_sense_are_refused(app, typed):
    with app.test_request_context(), pytest.raises(Invalid):
        rules.parse_hours(typed)


def test_the_office_records_work_and_corrects_it_only_by_a_reversal(app, people):
    with app.app_context():
        operator = user(people["operator"])
        entry = rules.record_work(db.session, operator, people["volunteer"], 120, "打扫花园")
        assert ledger.balance_of(db.session, people["volunteer"]) == 120
        reversal = rules.reverse(db.session, operator, entry.id, "记错了人")
        assert (reversal.kind, reversal.reverses_id, reversal.minutes) == (
            TransferKind.REVERSAL,
            entry.id,
            120,
        )
        assert ledger.balance_of(db.session, people["volunteer"]) == 0
        assert db.session.get(Transfer, entry.id).minutes == 120  # the original stays
        with pytest.raises(Conflict):
            rules.reverse(db.session, operator, entry.id, "again")
        with pytest.raises(Conflict):
            rules.reverse(db.session, operator, reversal.id, "undo the undo")
        assert ledger.balance_of(db.session, people["volunteer"]) == 0


@pytest.mark.parametrize(
    ("person", "reason"), [("resident", "看门"), ("volunteer", ""), ("volunteer", "x" * 201)]
)
def test_the_office_records_work_only_for_a_volunteer_with_a_reason(app, people, person, reason):
    with app.app_context(), app.test_request_context(), pytest.raises(Invalid):
        rules.record_work(db.session, user(people["operator"]), people[person], 60, reason)


def test_an_entry_is_never_changed_or_removed(app, people):
    with app.app_context():
        entry = rules.record_work(
            db.session, user(people["operator"]), people["volunteer"], 60, "看门"
        )
        db.session.commit()
        entry.minutes = 600
        with pytest.raises(LedgerIsWrittenOnce):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(Transfer, entry.id))
        with pytest.raises(LedgerIsWrittenOnce):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(LedgerIsWrittenOnce):
            db.session.execute(update(Transfer).values(minutes=1))
        with pytest.raises(LedgerIsWrittenOnce):
            db.session.execute(delete(Transfer))
        db.session.rollback()
        # And the database itself refuses, whoever sends the UPDATE.
        with pytest.raises(DatabaseError, match="written once"):
            db.session.execute(text("UPDATE timebank_transfer SET minutes = 1"))
        db.session.rollback()
        assert db.session.get(Transfer, entry.id).minutes == 60


def test_balances_are_the_sum_of_movements(app, people, confirm_visit):
    with app.app_context():
        operator = user(people["operator"])
        confirm_visit(people["volunteer"], people["elder"], minutes=90, window=60)
        rules.record_work(db.session, operator, people["other_volunteer"], 45, "看门")
        rules.donate(db.session, user(people["volunteer"]), people["elder"], 30)
        balances = ledger.all_balances(db.session)
        assert sum(balances.values()) == 0
        for account_id, minutes in balances.items():
            assert ledger.balance(db.session, account_id) == minutes
        assert ledger.balance_of(db.session, people["volunteer"]) == 30
        assert ledger.given_to(db.session, rules.find_account(db.session, people["elder"]).id) == 30
