"""The account forms. Rules beyond the shape of a field live in community.accounts."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from community.accounts.rules import MAX_STATUS_NOTE
from community.core.forms import Form, IdField

REQUIRED = _l("This field is required.")
AT_MOST = _l("At most %(max)d characters.")


class LoginForm(Form):
    login = StringField(
        _l("Mobile phone or email"),
        validators=[DataRequired(REQUIRED), Length(max=254, message=AT_MOST)],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])
    next = HiddenField()


class SignupForm(Form):
    name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=60, message=_l("At most %(max)d characters.")),
        ],
    )
    login = StringField(
        _l("Mobile phone or email"),
        validators=[DataRequired(REQUIRED), Length(max=254, message=AT_MOST)],
    )
    unit = IdField(_l("Your home"), validators=[InputRequired(REQUIRED)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(REQUIRED), Length(max=128, message=AT_MOST)]
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )


class NewPasswordForm(Form):
    """A new password, typed twice: changing it, or resetting it with the office's code."""

    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(REQUIRED), Length(max=128, message=AT_MOST)]
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("new_password", message=_l("The two passwords are not the same.")),
        ],
    )


class PasswordForm(NewPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])


class RejectForm(Form):
    note = StringField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Say why, so the person knows what to do.")),
            Length(max=MAX_STATUS_NOTE, message=AT_MOST),
        ],
    )


class NameForm(Form):
    name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=60, message=_l("At most %(max)d characters.")),
        ],
    )


class MoveForm(Form):
    unit = IdField(_l("Your new home"), validators=[InputRequired(REQUIRED)])


class ResetForm(NewPasswordForm):
    login = StringField(
        _l("Mobile phone or email"),
        validators=[DataRequired(REQUIRED), Length(max=254, message=AT_MOST)],
    )
    code = StringField(
        _l("Code from the office"),
        validators=[DataRequired(REQUIRED), Length(max=20, message=AT_MOST)],
    )


class FamilyLinkForm(Form):
    relative = StringField(
        _l("Their family member's phone or email"),
        validators=[DataRequired(REQUIRED), Length(max=254, message=AT_MOST)],
    )
