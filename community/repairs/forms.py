"""The repair report form. The rules live in community.workorders."""

from flask_babel import lazy_gettext as _l
from wtforms import MultipleFileField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from community.core.forms import Form, IdField
from community.repairs.kind import REPAIR

REQUIRED = _l("This field is required.")
AT_MOST = _l("At most %(max)d characters.")
URGENCIES = ("normal", "urgent")


class ReportForm(Form):
    category = RadioField(
        _l("What is wrong?"),
        choices=[SelectChoice(key, label) for key, label in REPAIR.categories.items()],
        validators=[DataRequired(_l("Choose what kind of problem it is."))],
    )
    place = IdField(_l("Where?"))
    description = TextAreaField(
        _l("Describe the problem"),
        validators=[
            DataRequired(_l("Describe the problem in a few words.")),
            Length(max=2000, message=_l("At most %(max)d characters.")),
        ],
    )
    urgency = RadioField(
        _l("How urgent is it?"),
        choices=[
            SelectChoice("normal", _l("It can wait a day or two")),
            SelectChoice("urgent", _l("Urgent: danger, water running, no power, someone stuck")),
        ],
        default="normal",
        validate_choice=False,
        validators=[AnyOf(URGENCIES, message=_l("Choose how urgent it is."))],
    )
    photos = MultipleFileField(_l("Photos (up to 3)"))
    on_behalf_of = StringField(
        _l("Reporting for another resident? Their phone or email"),
        validators=[Optional(), Length(max=254, message=AT_MOST)],
    )
