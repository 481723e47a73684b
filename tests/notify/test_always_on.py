"""Kinds declared always-on (a call for help) are pushed whatever the person chose, and an
urgent notification is pushed in quiet hours: the outbox's urgent path, for any feature."""

from datetime import UTC, datetime

import pytest
from flask_babel import lazy_gettext as _l

from community.core.extensions import db
from community.notify import kinds, outbox, preferences
from community.notify.models import (
    Delivery,
    NotificationSettings,
    PushPreference,
    PushSubscription,
)
from tests.workorder_helpers import RESIDENT, person

NIGHT = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
ALWAYS = kinds.declare("test_always", _l("A test kind always pushed"), always=True)


@pytest.fixture
def night_owl(app, demo):
    """The resident, with a phone, quiet hours 22:00 to 07:00, and every kind refused."""
    with app.app_context():
        user = person(RESIDENT)
        db.session.add(
            PushSubscription(
                user_id=user.id, endpoint="https://push.example/1", p256dh="k", auth="a"
            )
        )
        db.session.add(NotificationSettings(user_id=user.id, quiet_from=22 * 60, quiet_until=420))
        for kind in ["notice", ALWAYS]:
            db.session.add(PushPreference(user_id=user.id, kind=kind, wanted=False))
        db.session.commit()
        return user.id


@pytest.mark.parametrize(
    ("kind", "urgent", "pushed"),
    [
        (ALWAYS, True, True),  # always-on and urgent: through quiet hours and the refusal
        (ALWAYS, False, False),  # always-on but not urgent: quiet hours still hold it
        ("notice", True, False),  # urgent, but the person refused the kind
        ("workorder", True, True),  # urgent and wanted: through quiet hours
        ("workorder", False, False),  # neither: held till morning
    ],
)
def test_urgent_skips_quiet_hours_and_always_on_skips_the_refusal(
    app, night_owl, kind, urgent, pushed
):
    with app.app_context():
        targets = outbox.push_targets(db.session, [night_owl], kind, urgent, NIGHT)
    assert bool(targets) is pushed


def test_an_urgent_always_on_notification_is_queued_for_delivery_at_night(app, night_owl):
    with app.app_context():
        user = person(RESIDENT)
        outbox.queue(db.session, [user], ALWAYS, lambda: ("帮帮我", ""), urgent=True)
        db.session.commit()
        assert db.session.query(Delivery).count() == 1


def test_an_always_on_kind_is_no_choice_and_counts_as_pushed(app, night_owl):
    assert ALWAYS not in kinds.choosable()
    assert kinds.always_on(ALWAYS)
    with app.app_context():
        assert ALWAYS in preferences.preferences_for(db.session, person(RESIDENT)).pushed
