"""Time bank fixtures: people with a role, and a care visit confirmed the way the care feature
will confirm it (the visit_confirmed signal, inside the caller's transaction)."""

from datetime import UTC, datetime, timedelta

import pytest

from community.core.events import visit_confirmed
from community.core.extensions import db

STARTED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def send_confirmed(order, volunteer_id, elder_id, minutes, window_minutes):
    """What the care feature sends once a visit is confirmed: the receivers run here."""
    visit_confirmed.send(
        db.session,
        order=order,
        volunteer_id=volunteer_id,
        elder_id=elder_id,
        started_at=STARTED,
        finished_at=STARTED + timedelta(minutes=minutes),
        window_minutes=window_minutes,
    )


@pytest.fixture
def people(app, make_user):
    """A volunteer, a second volunteer, an elder receiving care, a resident and an operator,
    committed; returns their ids by name."""
    with app.app_context():
        found = {
            "volunteer": make_user(roles=["resident", "volunteer"], name="李志愿"),
            "other_volunteer": make_user(roles=["volunteer"], name="王志愿"),
            "elder": make_user(roles=["resident"], name="吴奶奶"),
            "resident": make_user(roles=["resident"], name="周小梅"),
            "operator": make_user(roles=["operator"], name="钱运营"),
        }
        found["elder"].receives_care = True
        db.session.commit()
        return {name: person.id for name, person in found.items()}


@pytest.fixture
def confirm_visit(make_order):
    """Confirm a care visit of `minutes` in a window of `window` minutes (call in an app
    context; flushed, not committed). Returns the order."""

    def confirm(volunteer_id, elder_id, minutes=60, window=60):
        order = make_order(kind="care_visit", status="closed", category="chat")
        send_confirmed(order, volunteer_id, elder_id, minutes, window)
        return order

    return confirm
