"""The forms of the operator's service catalogue: a service, an opening of its weekly plan, a
closed date, a provider. Each checks what a person could get wrong and says so next to the
field; what needs the database (an overlap, a date already closed) is checked in office.py."""

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from community.core.formfields import A_DATE, DayField, WholeNumberField, YuanField
from community.core.forms import Form, IdField
from community.directory.scenarios import SCENARIOS

REQUIRED = _l("This field is required.")
AT_MOST = _l("At most %(max)d characters.")
BETWEEN = _l("Enter a number from %(min)s to %(max)s.")

WEEKDAYS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
MAX_PRICE_YUAN = Decimal("100000")


class TimeOfDayField(TimeField):
    """A time such as 09:00, with our own words when it is not one."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(self.description)) from None


def _offered(field) -> bool:
    """Whether a choice's value is among the field's options (a forged id is not)."""
    return field.data in {choice.value for choice in field.choices}


def _number(label, low: int, high: int, default: int, hint=None):
    return WholeNumberField(
        label,
        default=default,
        description=hint or "",
        validators=[InputRequired(REQUIRED), NumberRange(low, high, BETWEEN)],
    )


class ServiceForm(Form):
    name_zh = StringField(
        _l("Name in Chinese"), validators=[DataRequired(REQUIRED), Length(max=80, message=AT_MOST)]
    )
    name_en = StringField(
        _l("Name in English"), validators=[DataRequired(REQUIRED), Length(max=80, message=AT_MOST)]
    )
    description_zh = TextAreaField(
        _l("Description in Chinese"), validators=[Length(max=2000, message=AT_MOST)]
    )
    description_en = TextAreaField(
        _l("Description in English"), validators=[Length(max=2000, message=AT_MOST)]
    )
    scenario = SelectField(
        _l("Category"),
        choices=[SelectChoice(key, label) for key, label in SCENARIOS.items()],
        validate_choice=False,
    )
    # 0: at the person's home; else the id of a place of the community.
    place = IdField(_l("Where"))
    duration_minutes = _number(_l("How long (minutes)"), 5, 720, 60)
    price_yuan = YuanField(
        _l("Price (yuan)"),
        default=Decimal("0"),
        places=2,
        description=_l("0 for a free public-welfare service."),
        validators=[InputRequired(REQUIRED), NumberRange(Decimal("0"), MAX_PRICE_YUAN, BETWEEN)],
    )
    provider = IdField(_l("Provider"))
    staff = IdField(_l("Or a member of staff"))
    per_slot = _number(_l("People per slot"), 1, 500, 1)
    notice_hours = _number(
        _l("Minimum notice (hours)"), 0, 720, 2, _l("How long before the start it can be booked.")
    )
    horizon_days = _number(
        _l("How far ahead (days)"), 1, 365, 14, _l("How many days ahead it can be booked.")
    )
    buffer_minutes = _number(
        _l("Buffer between bookings (minutes)"), 0, 240, 0, _l("Time to tidy up or to travel.")
    )
    cancel_hours = _number(
        _l("Cancel until (hours before)"), 0, 720, 2, _l("Residents cancel or move until then.")
    )
    active = BooleanField(_l("Residents can book it"), default=True)

    def set_choices(self, places, providers, staff) -> None:
        self.place.choices = [SelectChoice(0, _l("At the person's home"))] + [
            SelectChoice(place.id, place.name) for place in places
        ]
        self.provider.choices = [SelectChoice(0, _l("Not chosen yet"))] + [
            SelectChoice(provider.id, provider.name) for provider in providers
        ]
        self.staff.choices = [SelectChoice(0, _l("None"))] + [
            SelectChoice(person.id, person.name) for person in staff
        ]

    def validate_scenario(self, field) -> None:
        if field.data not in SCENARIOS:
            raise ValidationError(str(_l("Choose one from the list.")))

    def validate_place(self, field) -> None:
        if field.data and not _offered(field):
            raise ValidationError(str(_l("Choose one from the list.")))

    def validate_provider(self, field) -> None:
        if field.data and not _offered(field):
            raise ValidationError(str(_l("Choose one from the list.")))
        if field.data and self.staff.data:
            raise ValidationError(str(_l("Choose a provider or a member of staff, not both.")))

    def validate_staff(self, field) -> None:
        if field.data and not _offered(field):
            raise ValidationError(str(_l("Choose one from the list.")))

    @property
    def price_cents(self) -> int:
        return int((self.price_yuan.data * 100).quantize(Decimal("1"), ROUND_HALF_UP))


class OpeningForm(Form):
    weekday = SelectField(
        _l("Day"),
        choices=[SelectChoice(str(number), label) for number, label in enumerate(WEEKDAYS)],
        validate_choice=False,
    )
    opens = TimeOfDayField(
        _l("From"),
        description=_l("Enter a time, such as 09:00."),
        validators=[InputRequired(_l("Enter a time, such as 09:00."))],
    )
    closes = TimeOfDayField(
        _l("To"),
        description=_l("Enter a time, such as 17:30."),
        validators=[InputRequired(_l("Enter a time, such as 17:30."))],
    )

    def validate_weekday(self, field) -> None:
        if field.data not in {str(number) for number in range(7)}:
            raise ValidationError(str(_l("Choose one from the list.")))

    def validate_closes(self, field) -> None:
        if self.opens.data and field.data and field.data <= self.opens.data:
            raise ValidationError(str(_l("Close after it opens.")))

    def minutes(self) -> tuple[int, int, int]:
        """(weekday, opens, closes) in minutes after midnight."""
        opens, closes = self.opens.data, self.closes.data
        return (
            int(self.weekday.data),
            opens.hour * 60 + opens.minute,
            closes.hour * 60 + closes.minute,
        )


class ClosureForm(Form):
    day = DayField(_l("Closed on"), validators=[InputRequired(A_DATE)])
    reason = StringField(
        _l("Why"),
        description=_l("Residents see it, such as “staff training”."),
        validators=[Length(max=120, message=AT_MOST)],
    )
    every_service = BooleanField(_l("Every service is closed that day"))


class OutsideProviderForm(Form):
    name = StringField(
        _l("Name"), validators=[DataRequired(REQUIRED), Length(max=80, message=AT_MOST)]
    )
    phone = StringField(
        _l("Phone number"),
        validators=[
            Optional(),
            Regexp(r"^\+?[\d\- ]{3,20}$", message=_l("Enter a phone number: digits only.")),
        ],
    )
    note = StringField(_l("Note"), validators=[Length(max=200, message=AT_MOST)])


class StaffProviderForm(Form):
    person = IdField(_l("Member of staff"))

    def set_choices(self, staff) -> None:
        self.person.choices = [SelectChoice(0, _l("Choose…"))] + [
            SelectChoice(person.id, person.name) for person in staff
        ]

    def validate_person(self, field) -> None:
        if not field.data:
            raise ValidationError(str(_l("Choose a member of staff.")))
        if not _offered(field):
            raise ValidationError(str(_l("Choose one from the list.")))
