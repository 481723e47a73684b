"""The notification settings form: a checkbox per declared kind (named push_<kind>), and quiet
hours. The rules live in community.notify.preferences."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from community.core.forms import Form
from community.notify.kinds import choosable
from community.notify.preferences import Preferences

HOURS = [SelectChoice(hour * 60, f"{hour:02d}:00") for hour in range(24)]


class QuietHoursForm(Form):
    quiet = BooleanField(_l("Quiet hours: only urgent notifications are pushed"))
    quiet_from = SelectField(_l("From"), choices=HOURS, coerce=int, default=22 * 60)
    quiet_until = SelectField(_l("Until"), choices=HOURS, coerce=int, default=7 * 60)

    def kind_fields(self):
        return [getattr(self, f"push_{name}") for name in self.kind_names]

    def chosen_kinds(self) -> list[str]:
        return [name for name in self.kind_names if getattr(self, f"push_{name}").data]


def settings_form(formdata=None, preferences: Preferences | None = None) -> QuietHoursForm:
    """The form with a checkbox for every kind the features declared, filled from the person's
    preferences (a GET) or from the request (a POST)."""
    kinds = choosable()
    fields = {f"push_{name}": BooleanField(kind.label) for name, kind in kinds.items()}
    fields["kind_names"] = list(kinds)
    form_class = type("NotificationSettingsForm", (QuietHoursForm,), fields)
    if preferences is None:
        return form_class() if formdata is None else form_class(formdata=formdata)
    form = form_class(formdata=None)
    for name in kinds:
        getattr(form, f"push_{name}").data = name in preferences.pushed
    form.quiet.data = preferences.quiet_from is not None
    if preferences.quiet_from is not None:
        form.quiet_from.data = preferences.quiet_from
        form.quiet_until.data = preferences.quiet_until
    return form
