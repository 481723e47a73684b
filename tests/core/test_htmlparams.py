"""The quick html_params writes what WTForms' own writes, and it is the one in use."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from wtforms import widgets
from wtforms.widgets import core

from community.core import htmlparams

names = st.sampled_from(
    ["id", "name", "class_", "for_", "data_hx_post", "aria_describedby", "value", "x<y", "a&b"]
)
values = st.one_of(
    st.booleans(),
    st.integers(),
    st.text(),
    st.text().map(Markup),
    st.just(Markup('<b title="x">')),
    st.none(),
)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.dictionaries(names, values, max_size=6))
def test_it_writes_what_wtforms_writes(attributes):
    quick = htmlparams.html_params(**attributes)
    assert isinstance(quick, Markup)
    assert quick == htmlparams.original(**attributes)


def test_the_quick_one_is_in_use(app):
    assert core.html_params is htmlparams.html_params
    assert widgets.html_params is htmlparams.html_params
    assert core.Input.html_params is htmlparams.html_params
    assert core.Button.html_params is htmlparams.html_params
