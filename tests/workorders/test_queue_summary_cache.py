"""Issue 13: the queue's counts per status and the staff's open loads may be a few seconds old,
kept per app and per filter, and the page says when they were counted."""

import re

import pytest

from community.core import shortcache
from community.core.extensions import db
from community.demo import load_demo
from tests.workorder_helpers import RESIDENT, report

EN = {"Accept-Language": "en"}
COUNT_RE = re.compile(r"([A-Za-z ]+) <span class=\"status-count\">(\d+)</span>")
FRESHNESS = "Counts and open loads as of"


def counts(page: str) -> dict[str, int]:
    return {label.strip(): int(number) for label, number in COUNT_RE.findall(page)}


class Clock:
    """time.monotonic as the cache sees it, moved by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(shortcache.time, "monotonic", clock)
    return clock


@pytest.fixture
def app(make_app):
    """The app as deployed: summaries kept 15 seconds (the other tests count every time)."""
    return make_app(QUEUE_SUMMARY_SECONDS=15)


def new_report(app, category: str = "plumbing") -> None:
    with app.app_context():
        report(RESIDENT, category=category)
        db.session.commit()


def test_counts_a_few_seconds_old_say_so_and_are_counted_again_after(app, login_as, clock):
    operator = login_as("operator")
    first = operator.get("/operator/orders", headers=EN).get_data(as_text=True)
    assert FRESHNESS in first
    assert "at most every 15 seconds" in first
    submitted = counts(first)["Submitted"]

    new_report(app)
    clock.now += 5
    page = operator.get("/operator/orders", headers=EN).get_data(as_text=True)
    assert counts(page)["Submitted"] == submitted  # as the page says: counted 5 seconds ago

    clock.now += 11
    page = operator.get("/operator/orders", headers=EN).get_data(as_text=True)
    assert counts(page)["Submitted"] == submitted + 1


def test_each_filter_has_counts_of_its_own(app, login_as, clock):
    new_report(app, "elevator")
    new_report(app, "plumbing")
    operator = login_as("operator")
    everything = counts(operator.get("/operator/orders", headers=EN).get_data(as_text=True))
    lifts = counts(
        operator.get("/operator/orders?category=elevator", headers=EN).get_data(as_text=True)
    )
    assert sum(lifts.values()) < sum(everything.values())
    # The status shown and the sort do not change the counts: the same entry serves them.
    sorted_page = operator.get("/operator/orders?category=elevator&sort=urgent", headers=EN)
    assert counts(sorted_page.get_data(as_text=True)) == lifts


def test_two_communities_never_share_their_counts(make_app, clock):
    first, second = make_app(QUEUE_SUMMARY_SECONDS=15), make_app(QUEUE_SUMMARY_SECONDS=15)
    assert shortcache.short_cache(first) is not shortcache.short_cache(second)
    assert shortcache.short_cache(first) is shortcache.short_cache(first)


def test_only_the_office_sees_the_counts(login_as, clock):
    assert login_as("operator").get("/operator/orders").status_code == 200
    refused = login_as("resident").get("/operator/orders")
    assert refused.status_code == 403
    assert "status-count" not in refused.get_data(as_text=True)


def test_without_a_period_nothing_is_kept_and_nothing_is_said(make_app):
    app = make_app(QUEUE_SUMMARY_SECONDS=0)
    with app.app_context():
        load_demo(db.session, with_repairs=False)
        db.session.commit()
    operator = app.test_client()
    assert operator.login("13800000002").status_code == 302
    page = operator.get("/operator/orders", headers=EN).get_data(as_text=True)
    assert "status-count" in page
    assert FRESHNESS not in page
