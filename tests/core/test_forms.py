"""The quick select widget writes exactly what WTForms' own Select writes."""

from wtforms import Form
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select

from community.core.forms import IdField, QuickSelect


class HomeForm(Form):
    home = IdField("Home")


def rendered(widget, data: int, choices) -> str:
    form = HomeForm(data={"home": data})
    form.home.choices = choices
    return str(widget(form.home))


def test_quick_select_writes_what_wtforms_writes():
    choices = [
        SelectChoice(0, "Choose…"),
        SelectChoice(7, '1号楼 <101> & "A"', optgroup="1号楼 & co"),
        SelectChoice(8, "1号楼 102", optgroup="1号楼 & co"),
        SelectChoice(9, "", optgroup="2号楼"),
        SelectChoice(10, "2号楼 201", optgroup="2号楼", render_kw={"disabled": True}),
    ]
    for data in (0, 7, 9, 10):
        assert rendered(QuickSelect(), data, choices) == rendered(Select(), data, choices)
    quick = rendered(QuickSelect(), 7, choices)
    assert '<option selected value="7">1号楼 &lt;101&gt; &amp; &#34;A&#34;</option>' in quick
    assert '<option value="9">9</option>' in quick


def test_plain_choices_without_groups_match_too():
    choices = [(1, "one"), (2, "two <b>")]
    for data in (1, 2, 3):
        assert rendered(QuickSelect(), data, choices) == rendered(Select(), data, choices)


def test_id_fields_use_the_quick_select():
    assert isinstance(HomeForm().home.widget, QuickSelect)
