"""The time bank's forms: giving hours, the office's entry, a reversal, and token-only buttons."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length

from community.core.forms import Form, IdField

POOL = "pool"


class GiveForm(Form):
    # "pool", or an elder's id: read by views.parse_recipient.
    to = SelectField(_l("Give to"), validate_choice=False)
    # Read by rules.parse_hours: a number, else a message next to the field.
    hours = StringField(
        _l("Hours"), validators=[Length(max=8, message=_l("Write the hours as a number."))]
    )


class EntryForm(Form):
    person = IdField(_l("Volunteer"))
    hours = StringField(
        _l("Hours"), validators=[Length(max=8, message=_l("Write the hours as a number."))]
    )
    reason = StringField(
        _l("What the work was"),
        validators=[Length(max=200, message=_l("Keep the reason under 200 characters."))],
    )


class ReverseForm(Form):
    reason = StringField(
        _l("Why it was wrong"),
        validators=[Length(max=200, message=_l("Keep the reason under 200 characters."))],
    )


class ActionForm(Form):
    """Confirm or refuse a visit's extra time: a button and its token."""
