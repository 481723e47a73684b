"""The help button's forms: the press itself, an answer, closing an alert, and the duty roster."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length

from community.core.forms import Form


class PressForm(Form):
    """Only the CSRF token: the press is the whole message."""


class ResolveForm(Form):
    note = TextAreaField(
        _l("What happened (optional)"),
        validators=[Length(max=300, message=_l("Keep the note under 300 characters."))],
    )
