"""The notification settings form. The rules live in community.notifications."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from community.notifications import KIND_LABELS, PUSH_KINDS

HOURS = [SelectChoice(hour * 60, f"{hour:02d}:00") for hour in range(24)]


class NotificationSettingsForm(FlaskForm):
    push_workorder = BooleanField(KIND_LABELS["workorder"])
    push_activity = BooleanField(KIND_LABELS["activity"])
    push_care = BooleanField(KIND_LABELS["care"])
    push_notice = BooleanField(KIND_LABELS["notice"])
    quiet = BooleanField(_l("Quiet hours: only urgent notifications are pushed"))
    quiet_from = SelectField(_l("From"), choices=HOURS, coerce=int, default=22 * 60)
    quiet_until = SelectField(_l("Until"), choices=HOURS, coerce=int, default=7 * 60)

    def kind_fields(self):
        return [getattr(self, column) for column in PUSH_KINDS.values()]

    def chosen_kinds(self) -> list[str]:
        return [kind for kind, column in PUSH_KINDS.items() if getattr(self, column).data]

    @classmethod
    def from_settings(cls, settings) -> "NotificationSettingsForm":
        form = cls(formdata=None)
        for column in PUSH_KINDS.values():
            getattr(form, column).data = getattr(settings, column) is not False
        form.quiet.data = settings.quiet_from is not None
        if settings.quiet_from is not None:
            form.quiet_from.data = settings.quiet_from
            form.quiet_until.data = settings.quiet_until
        return form
