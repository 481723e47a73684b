"""The account forms. Rules beyond the shape of a field live in community.accounts."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    login = StringField(
        _l("Mobile phone or email"), validators=[DataRequired(REQUIRED), Length(max=254)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])
    next = HiddenField()


class SignupForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=60, message=_l("At most %(max)d characters.")),
        ],
    )
    login = StringField(
        _l("Mobile phone or email"), validators=[DataRequired(REQUIRED), Length(max=254)]
    )
    unit = SelectField(
        _l("Your home"), coerce=int, validate_choice=False, validators=[InputRequired(REQUIRED)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=128)])
    confirm = PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(REQUIRED), Length(max=128)]
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("new_password", message=_l("The two passwords are not the same.")),
        ],
    )


class RejectForm(FlaskForm):
    note = StringField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Say why, so the person knows what to do.")),
            Length(max=200, message=_l("At most %(max)d characters.")),
        ],
    )


class NameForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=60, message=_l("At most %(max)d characters.")),
        ],
    )


class MoveForm(FlaskForm):
    unit = SelectField(
        _l("Your new home"), coerce=int, validate_choice=False, validators=[InputRequired(REQUIRED)]
    )


class ResetForm(FlaskForm):
    login = StringField(
        _l("Mobile phone or email"), validators=[DataRequired(REQUIRED), Length(max=254)]
    )
    code = StringField(
        _l("Code from the office"), validators=[DataRequired(REQUIRED), Length(max=20)]
    )
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(REQUIRED), Length(max=128)]
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("new_password", message=_l("The two passwords are not the same.")),
        ],
    )


class FamilyLinkForm(FlaskForm):
    relative = StringField(
        _l("Their family member's phone or email"),
        validators=[DataRequired(REQUIRED), Length(max=254)],
    )
