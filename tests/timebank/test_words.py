"""Hours read as people say them: whole and half hours as hours, the rest to the minute."""

import pytest
from flask_babel import force_locale

from community.timebank.words import hours


@pytest.mark.parametrize(
    ("minutes", "en", "zh"),
    [
        (60, "1 hour", "1 小时"),
        (90, "1.5 hours", "1.5 小时"),
        (50, "50 minutes", "50 分钟"),
        (110, "1 h 50 min", "1 小时 50 分钟"),
        (-20, "-20 minutes", "-20 分钟"),
        (-30, "-0.5 hours", "-0.5 小时"),
    ],
)
def test_hours_read_without_fractions_nobody_says(app, minutes, en, zh):
    with app.test_request_context():
        with force_locale("en"):
            assert hours(minutes) == en
        with force_locale("zh_Hans_CN"):
            assert hours(minutes) == zh
