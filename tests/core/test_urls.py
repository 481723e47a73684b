"""A URL the app keeps is the URL Flask would build, in every mount and for every value."""

import pytest
from flask import Flask, url_for
from werkzeug.routing import BuildError

from community.core.urls import KEPT_URLS


def both(app, endpoint, **values):
    return url_for(endpoint, **values), Flask.url_for(app, endpoint, **values)


def test_kept_urls_are_the_urls_flask_builds(app):
    with app.test_request_context("/operator/orders"):
        for values in (
            {"order_id": 7},
            {"order_id": 7},  # the kept one, the second time
            {"order_id": 8, "note": "a b&c", "empty": None},
        ):
            kept, built = both(app, "workorders.detail", **values)
            assert kept == built
        assert url_for("workorders.detail", order_id=7) == "/repairs/7"
        # 1 and True are equal keys, but not the same path.
        assert url_for("people.directory", after=1) != url_for("people.directory", after=True)
        # A list is built every time, and right.
        assert both(app, "people.directory", q=["a", "b"])[0] == "/operator/people?q=a&q=b"
        # Relative to the request's blueprint.
        assert url_for(".index") == url_for("queue.index")
        # Anchors, schemes and external URLs are built, never kept.
        assert url_for("workorders.detail", order_id=7, _anchor="photos") == "/repairs/7#photos"
        assert url_for("workorders.detail", order_id=7, _external=True).startswith("http://")


def test_a_mount_point_builds_its_own_urls(app):
    with app.test_request_context("/"):
        plain = url_for("workorders.detail", order_id=7)
    with app.test_request_context("/", base_url="http://localhost/community/"):
        mounted = url_for("workorders.detail", order_id=7)
    assert (plain, mounted) == ("/repairs/7", "/community/repairs/7")


def test_an_unknown_endpoint_is_still_an_error(app):
    with app.test_request_context("/"), pytest.raises(BuildError):
        url_for("no.such.endpoint", order_id=7)


def test_the_kept_urls_stay_bounded(app):
    with app.test_request_context("/"):
        for number in range(1, KEPT_URLS + 50):
            url_for("workorders.detail", order_id=number)
        assert len(app._kept_urls) <= KEPT_URLS
        assert url_for("workorders.detail", order_id=3) == "/repairs/3"
