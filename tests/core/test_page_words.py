"""Templates read the reader's catalog, locale and time zone once per render (PageWords): the
words and times must come out exactly as Flask-Babel's own functions would write them."""

from datetime import UTC, date, datetime

import pytest
from flask import render_template_string
from flask_babel import force_locale, format_date, format_datetime, format_time, gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community.core.i18n import STYLES, PageWords

MOMENTS = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2080, 12, 31), timezones=st.just(UTC)
)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
# The app is only read here, so one per test serves every example.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moment=MOMENTS)
def test_times_come_out_as_babel_writes_them(app, language, moment):
    with app.test_request_context(headers={"Accept-Language": language}):
        words = PageWords()
        for style in STYLES:
            assert words.datetime(moment, style) == format_datetime(moment, style)
            assert words.date(moment, style) == format_date(moment, style)
            assert words.time(moment, style) == format_time(moment, style)
        # A time without a zone is a UTC one, as Flask-Babel takes it.
        naive = moment.replace(tzinfo=None)
        assert words.datetime(naive, "short") == format_datetime(naive, "short")
        assert words.date(moment.date(), "full") == format_date(moment.date(), "full")


def test_the_filters_write_what_babel_writes_in_each_language(app):
    moment = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)  # 00:30 next day in Shanghai
    page = (
        "{{ m|datetime('short') }}|{{ m|datetime }}|{{ m|date('full') }}|{{ d|date }}|"
        "{{ m|clock }}|{{ m|appointment }}|{{ none|datetime('short') }}|{{ m|datetime('y') }}"
    )
    for language in ("en", "zh-CN"):
        with app.test_request_context(headers={"Accept-Language": language}):
            shown = render_template_string(page, m=moment, d=date(2026, 11, 26), none=None)
            expected = "|".join(
                [
                    format_datetime(moment, "short"),
                    format_datetime(moment, "medium"),
                    format_date(moment, "full"),
                    format_date(date(2026, 11, 26), "medium"),
                    format_time(moment, "medium"),
                    f"{format_date(moment, 'full')} {format_time(moment, 'short')}",
                    "",
                    format_datetime(moment, "y"),  # a pattern rather than a style: Babel's own
                ]
            )
            assert shown == expected
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert "2026年11月26日" in shown


def test_a_template_rendered_in_someone_elses_language_speaks_it(app):
    """A notification rendered during a Chinese request, for an English reader."""
    moment = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)
    page = "{{ _('Overdue') }} {{ m|datetime('medium') }} {{ wf.STATUS_LABELS['resolved'] }}"
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        chinese = render_template_string(page, m=moment)
        with force_locale("en"):
            english = render_template_string(page, m=moment)
            assert english == f"Overdue {format_datetime(moment, 'medium')} {gettext('Resolved')}"
        assert render_template_string(page, m=moment) == chinese
        assert (
            chinese
            == f"{gettext('Overdue')} {format_datetime(moment, 'medium')} {gettext('Resolved')}"
        )
    assert chinese != english


def test_macros_imported_without_the_page_still_translate(app):
    """A macro imported without context has no PageWords: it asks Flask-Babel instead."""
    macro = app.jinja_env.from_string(
        "{% macro late(m) %}{{ _('Overdue') }} {{ m|datetime('short') }}{% endmacro %}"
    )
    moment = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        expected = f"{gettext('Overdue')} {format_datetime(moment, 'short')}"
        assert str(macro.module.late(moment)) == expected


def test_order_links_are_the_ones_url_for_builds(app):
    from flask import url_for

    with app.test_request_context():
        page = "{{ wf.order_url(7) }} {{ wf.order_url(123456) }}"
        assert render_template_string(page) == (
            f"{url_for('workorders.detail', order_id=7)} "
            f"{url_for('workorders.detail', order_id=123456)}"
        )
    with app.test_request_context(base_url="http://example.test/community/"):
        assert render_template_string("{{ wf.order_url(9) }}") == url_for(
            "workorders.detail", order_id=9
        )
