"""The demo's time bank: the volunteer has hours from past visits, a gift, an office entry and
a reversal, written through the ledger, and the books balance."""

from sqlalchemy import select

from community.core.extensions import db
from community.demo import load_demo
from community.timebank import ledger
from community.timebank.models import Transfer, TransferKind
from tests.conftest import DEMO_LOGINS, user_id


def test_the_demo_volunteer_has_hours_a_gift_an_entry_and_a_reversal(app):
    with app.app_context():
        assert load_demo(db.session)
        db.session.commit()
    volunteer, elder = (user_id(app, DEMO_LOGINS[role]) for role in ("volunteer", "elderly"))
    with app.app_context():
        kinds = set(db.session.scalars(select(Transfer.kind)))
        assert {TransferKind.DONATION, TransferKind.OFFICE, TransferKind.REVERSAL} <= kinds
        assert ledger.balance_of(db.session, volunteer) > 0
        assert ledger.balance_of(db.session, elder) == 120
        assert sum(ledger.all_balances(db.session).values()) == 0
