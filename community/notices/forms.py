"""The form the office posts a notice with. The rules live in community.notices.rules."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from community.core.forms import Form, IdField
from community.notices.rules import (
    AUDIENCE_LABELS,
    AUDIENCES,
    MAX_BODY,
    MAX_TITLE,
    ROLE_AUDIENCE_LABELS,
)


class NoticeForm(Form):
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Give the notice a title.")),
            Length(max=MAX_TITLE, message=_l("At most %(max)d characters.")),
        ],
    )
    body = TextAreaField(
        _l("What the notice says"),
        validators=[
            DataRequired(_l("Write what the notice says.")),
            Length(max=MAX_BODY, message=_l("At most %(max)d characters.")),
        ],
    )
    audience = RadioField(
        _l("Who is it for?"),
        choices=[SelectChoice(key, AUDIENCE_LABELS[key]) for key in AUDIENCES],
        default=AUDIENCES[0],
        validators=[DataRequired(_l("Choose who the notice is for."))],
    )
    building = IdField(_l("Building"))
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(key, label) for key, label in ROLE_AUDIENCE_LABELS.items()],
        validate_choice=False,
    )
    urgent = BooleanField(
        _l("Urgent (water cut, elevator stopped): pushed at once, even in quiet hours")
    )
