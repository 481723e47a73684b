"""The base every form builds on: single-line fields refuse line breaks and other control
characters, and IdField is the one way a form takes a row id."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import Select

from community.core.input import has_control, parse_id

ONE_LINE = _l("Keep this on one line, without special characters.")
FROM_THE_LIST = _l("Choose one from the list.")


def single_line(form, field) -> None:
    if isinstance(field.data, str) and has_control(field.data):
        raise ValidationError(ONE_LINE)


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            # A text box that is not a textarea (passwords too) holds one line. Multi-line
            # boxes may carry tab, CR and LF; the edge (core.input) refused everything else.
            # Hidden fields are left to their readers: nobody could see an error next to them.
            if isinstance(field, StringField) and not isinstance(
                field, TextAreaField | HiddenField
            ):
                field.validators = [*field.validators, single_line]
            return field

        def render_field(self, field, render_kw):
            # WTForms writes maxlength from a Length validator, and a browser then cuts a long
            # paste without a word. The server says what the limit is, next to the field.
            return super().render_field(field, {"maxlength": False, **render_kw})


def _id_or_zero(value) -> int:
    """0 for "none chosen" (an empty value or 0), else an id in range, else ValueError."""
    if value in (None, "", "0", 0):
        return 0
    return parse_id(value)


class QuickSelect(Select):
    """WTForms' Select, with the plain option (a value, a label, maybe selected) written
    straight out: the same HTML, a fifth of the time. A list of every home has hundreds of
    options, and html_params() for each was a third of the account page."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{escape(choice.value)}">{label}</option>')


class IdField(SelectField):
    """A choice of a row by its id: data is the id, 0 when none is chosen (the "choose…" or
    "my home" entry), and anything out of range is an error next to the field, never a 500."""

    widget = QuickSelect()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(label, validators, coerce=_id_or_zero, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = _id_or_zero(valuelist[0])
            except ValueError:
                self.data = None
                raise ValueError(str(FROM_THE_LIST)) from None
