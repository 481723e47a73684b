"""Whatever happens, in whatever order (visits credited, some twice and some beyond their
window, extra time confirmed or refused, gifts, the office's entries, reversals), every account
is the sum of its movements, no gift overdraws, and all the accounts together sum to zero."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from community.accounts.models import User
from community.core.errors import Conflict
from community.core.extensions import db
from community.timebank import ledger, rules
from community.timebank.models import Transfer, TransferKind
from tests.timebank.conftest import send_confirmed

VOLUNTEERS = ("volunteer", "other_volunteer")

minutes = st.integers(min_value=1, max_value=300)
step = st.one_of(
    st.tuples(st.just("visit"), st.sampled_from(VOLUNTEERS), minutes, minutes),
    st.tuples(st.just("visit_again"), st.integers(0, 50)),
    st.tuples(st.just("decide"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("give"), st.sampled_from(VOLUNTEERS), st.booleans(), minutes),
    st.tuples(st.just("office"), st.sampled_from(VOLUNTEERS), minutes),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
)


def check_the_books() -> None:
    balances = ledger.all_balances(db.session)
    assert sum(balances.values()) == 0
    for account_id, balance in balances.items():
        assert ledger.balance(db.session, account_id) == balance


def test_the_ledger_sums_to_zero_after_every_kind_of_movement(app, people, make_order):
    with app.app_context():
        operator = db.session.get(User, people["operator"])
        volunteers = {name: db.session.get(User, people[name]) for name in VOLUNTEERS}

        @settings(
            max_examples=40,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(st.lists(step, min_size=1, max_size=12))
        def run(steps):
            visits = []
            try:
                for move in steps:
                    kind = move[0]
                    if kind == "visit":
                        _, name, recorded, window = move
                        order = make_order(kind="care_visit", status="closed")
                        visits.append((order, people[name], recorded, window))
                        send_confirmed(order, people[name], people["elder"], recorded, window)
                    elif kind == "visit_again" and visits:
                        order, volunteer_id, recorded, window = visits[move[1] % len(visits)]
                        send_confirmed(order, volunteer_id, people["elder"], recorded, window)
                    elif kind == "decide":
                        waiting = ledger.pending_credits(db.session)
                        if waiting:
                            pending = waiting[move[1] % len(waiting)]
                            rules.decide_pending(db.session, operator, pending.id, move[2])
                    elif kind == "give":
                        _, name, to_elder, amount = move
                        before = ledger.balance_of(db.session, people[name])
                        try:
                            rules.donate(
                                db.session,
                                volunteers[name],
                                people["elder"] if to_elder else None,
                                amount,
                            )
                        except Conflict:
                            assert amount > before
                        else:
                            assert amount <= before
                    elif kind == "office":
                        _, name, amount = move
                        rules.record_work(db.session, operator, people[name], amount, "看门")
                    elif kind == "reverse":
                        entries = db.session.scalars(select(Transfer).order_by(Transfer.id)).all()
                        if entries:
                            entry = entries[move[1] % len(entries)]
                            already = rules.reversal_of(db.session, entry.id) is not None
                            try:
                                rules.reverse(db.session, operator, entry.id, "记错了")
                            except Conflict:
                                assert already or entry.kind == TransferKind.REVERSAL
                    check_the_books()
                credited = db.session.scalars(
                    select(Transfer.order_id).where(Transfer.kind == TransferKind.VISIT)
                ).all()
                assert len(credited) == len(set(credited))  # each visit credited once
            finally:
                db.session.rollback()

        run()
