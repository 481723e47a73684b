"""The repair report form. The rules live in community.workorders."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from community.repairs.kind import REPAIR

REQUIRED = _l("This field is required.")


class ReportForm(FlaskForm):
    category = RadioField(
        _l("What is wrong?"),
        choices=[SelectChoice(key, label) for key, label in REPAIR.categories.items()],
        validators=[DataRequired(_l("Choose what kind of problem it is."))],
    )
    place = SelectField(_l("Where?"), coerce=int, validate_choice=False)
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
    )
    photos = MultipleFileField(_l("Photos (up to 3)"))
    on_behalf_of = StringField(
        _l("Reporting for another resident? Their phone or email"),
        validators=[Optional(), Length(max=254)],
    )
