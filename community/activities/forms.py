"""The activities' forms: signing up, the door's typed code, the operator's new activity, an
organiser, a payment, a session moved or called off. Lengths and choices are checked here; the rules
check the rest."""

from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FileField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from community.core import formfields
from community.core.formfields import A_DATE, AN_AMOUNT, WholeNumberField, YuanField
from community.core.forms import Form, IdField

REQUIRED = _l("This field is required.")
AT_MOST = _l("At most %(max)d characters.")
BETWEEN = _l("Enter a number from %(min)s to %(max)s.")
A_TIME = _l("Enter a time, such as 09:30.")


class DayField(formfields.DayField):
    """A date within this century: a year typed wrong is refused next to the field."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not 2000 <= self.data.year <= 2100:
            self.data = None
            raise ValueError(str(A_DATE))


class ClockField(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(A_TIME)) from None


class SignUpForm(Form):
    person = IdField(_l("Who is coming?"))
    companions = SelectField(
        _l("Companions (family coming along)"),
        choices=[SelectChoice(str(n), str(n)) for n in range(4)],
        default="0",
    )


class ActionForm(Form):
    """Cancel, accept, decline: a button and its token."""


class CodeForm(Form):
    code = StringField(
        _l("Ticket code"),
        validators=[DataRequired(REQUIRED), Length(max=80, message=AT_MOST)],
    )


class PaymentForm(Form):
    how = SelectField(_l("Paid by"), default="cash")


class OrganiserForm(Form):
    person = IdField(_l("Volunteer"))


class MoveSessionForm(Form):
    """The office moves one session to another time."""

    starts_on = DayField(_l("New date"), validators=[InputRequired(A_DATE)])
    starts_at = ClockField(_l("New start time"), validators=[InputRequired(A_TIME)])
    note = TextAreaField(
        _l("Why (optional, sent with the new time)"),
        validators=[Length(max=200, message=AT_MOST)],
    )

    def start(self, zone) -> datetime | None:
        if self.starts_on.data is None or self.starts_at.data is None:
            return None
        return datetime.combine(self.starts_on.data, self.starts_at.data, zone)


class CallOffForm(Form):
    """The office calls a session off, saying why (sent to everyone who signed up)."""

    reason = TextAreaField(
        _l("Why (sent to everyone who signed up)"),
        validators=[DataRequired(REQUIRED), Length(max=200, message=AT_MOST)],
    )
    later_too = BooleanField(_l("Also call off every later session of this activity"))


def _number(label, low, high, default, hint=""):
    return WholeNumberField(
        label,
        default=default,
        description=hint,
        validators=[InputRequired(REQUIRED), NumberRange(low, high, BETWEEN)],
    )


class ActivityDetailsForm(Form):
    """What the office may change once an activity is made (the edit page)."""

    title_zh = StringField(
        _l("Title in Chinese"),
        validators=[DataRequired(REQUIRED), Length(max=80, message=AT_MOST)],
    )
    title_en = StringField(
        _l("Title in English (optional)"), validators=[Length(max=80, message=AT_MOST)]
    )
    description_zh = TextAreaField(
        _l("Description in Chinese"), validators=[Length(max=2000, message=AT_MOST)]
    )
    description_en = TextAreaField(
        _l("Description in English (optional)"), validators=[Length(max=2000, message=AT_MOST)]
    )
    category = SelectField(_l("Category"))
    place = IdField(_l("Place"))
    address = StringField(_l("Or an address"), validators=[Length(max=200, message=AT_MOST)])
    capacity = WholeNumberField(
        _l("Places per session"),
        description=_l("Leave empty for no limit."),
        validators=[Optional(), NumberRange(1, 10_000, BETWEEN)],
    )


class ActivityForm(ActivityDetailsForm):
    cover = FileField(_l("Cover photo (optional)"))
    starts_on = DayField(_l("Date"), validators=[InputRequired(A_DATE)])
    starts_at = ClockField(_l("Starts at"), validators=[InputRequired(A_TIME)])
    duration_minutes = _number(_l("Length in minutes"), 10, 24 * 60, 90)
    weeks = _number(
        _l("Weeks"),
        1,
        52,
        1,
        _l("1 for a single session; 8 makes a session every week at this time for 8 weeks."),
    )
    audience = SelectField(_l("Who may join"))
    audience_building = IdField(_l("Building"))
    audience_role = SelectField(_l("Role"))
    signup_opens_on = DayField(_l("Sign-ups open on (optional)"), validators=[Optional()])
    signup_closes_on = DayField(_l("Sign-ups close on (optional)"), validators=[Optional()])
    waitlist = BooleanField(_l("Keep a waiting list when full"), default=True)
    hold_minutes = _number(_l("Minutes an offered place is held"), 10, 7 * 24 * 60, 120)
    price_yuan = YuanField(
        _l("Fee per person in yuan"),
        default=Decimal(0),
        description=_l("0 for a free, public-welfare activity."),
        validators=[InputRequired(AN_AMOUNT), NumberRange(0, 100_000, BETWEEN)],
    )

    def first_start(self, zone) -> datetime | None:
        day: date | None = self.starts_on.data
        clock: time | None = self.starts_at.data
        if day is None or clock is None:
            return None
        return datetime.combine(day, clock, zone)
