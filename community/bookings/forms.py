"""The booking forms: for whom and how many, a new time, and the buttons that only need a token."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import Length

from community.core.forms import Form, IdField


class BookForm(Form):
    slot = HiddenField()  # the chosen start, ISO 8601 in UTC; read by views.parse_start
    person = IdField(_l("Who is it for?"))
    # Read by views.parse_party: a number, else a message next to the field.
    party_size = StringField(
        _l("How many people?"),
        default="1",
        validators=[Length(max=4, message=_l("Say how many people are coming."))],
    )


class ActionForm(Form):
    """Cancel, accept, decline, leave: a button and its token."""


class MoveForm(Form):
    slot = HiddenField()
