"""The community settings form."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from community.core.forms import Form

REQUIRED = _l("This field is required.")


class CommunityForm(Form):
    name = StringField(
        _l("Community name"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=120, message=_l("At most %(max)d characters.")),
        ],
    )
    address = StringField(
        _l("Address"), validators=[Length(max=240, message=_l("At most %(max)d characters."))]
    )
    operator_phone = StringField(
        _l("Operator's phone number"),
        validators=[
            Optional(),
            Regexp(r"^\+?[\d\- ]{3,20}$", message=_l("Enter a phone number: digits only.")),
        ],
    )
