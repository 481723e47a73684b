"""Fields for numbers, money and dates that say in our own words what is wrong when the typed
text is not one (wtforms' own messages are in English only)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, IntegerField

WHOLE_NUMBER = _l("Enter a whole number.")
AN_AMOUNT = _l("Enter an amount in yuan, such as 25 or 12.50.")
A_DATE = _l("Enter a date.")


class WholeNumberField(IntegerField):
    """A whole number, with our own words when it is not one."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(WHOLE_NUMBER)) from None


class YuanField(DecimalField):
    """An amount of yuan, at most two decimals; anything else (NaN, 1e9999) is an error."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(AN_AMOUNT)) from None
        if self.data is not None and (
            not self.data.is_finite() or self.data.as_tuple().exponent < -2
        ):
            self.data = None
            raise ValueError(str(AN_AMOUNT))


class DayField(DateField):
    """A date, with our own words when it is not one (2026-02-30 is not)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(A_DATE)) from None
