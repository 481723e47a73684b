"""Account pages: thin views over community.accounts."""

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from community.accounts import resets
from community.accounts import rules as accounts
from community.accounts.forms import LoginForm, PasswordForm, ResetForm, SignupForm
from community.accounts.models import AccountStatus
from community.accounts.sessions import LARGE_TEXT_COOKIE
from community.core.errors import Invalid
from community.core.extensions import db, limiter
from community.core.i18n import browser_locale, switched_locale
from community.core.web import safe_next, show_error
from community.directory.models import Building, Unit

bp = Blueprint("auth", __name__)


def login_failed(response) -> bool:
    return g.get("login_failed", False)


def account_key() -> str:
    """Throttle per account: the normalized login, whatever way it was typed."""
    raw = request.form.get("login", "")
    try:
        return "account:" + accounts.normalize_login(raw)[1]
    except Invalid:
        return "account:" + raw.strip().lower()[:254]


def begin_session(user) -> None:
    """A fresh cookie session bound to a new server-side login session."""
    session.clear()
    accounts.start_login_session(db.session, user, request.user_agent.string or "")
    db.session.commit()
    login_user(user)
    session.permanent = True


def form_error(form, error: Invalid, template: str, **context):
    show_error(form, error)
    return render_template(template, form=form, **context), 422


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_ADDRESS"],
    methods=["POST"],
    deduct_when=login_failed,
    scope="login-address",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"],
    methods=["POST"],
    key_func=account_key,
    deduct_when=login_failed,
    scope="login-account",
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/login.html", form=form), status
    user = accounts.authenticate(db.session, form.login.data, form.password.data)
    if user is None:
        g.login_failed = True
        db.session.rollback()
        form.form_errors.append(_("Wrong phone, email or password."))
        return render_template("accounts/login.html", form=form), 422
    if user.status == AccountStatus.REJECTED:
        form.form_errors.append(
            _("Your sign-up was not approved: %(reason)s", reason=user.status_note)
        )
        return render_template("accounts/login.html", form=form), 403
    # The language the login page was read in becomes the person's, unless they have one
    # already and did not switch on this browser: notifications are rendered in it.
    user.locale = switched_locale() or user.locale or browser_locale()
    begin_session(user)
    flash(_("Welcome, %(name)s.", name=user.name), "success")
    return redirect(safe_next(form.next.data))


_HOMES = (
    select(Unit.id, Unit.label, Building.name)
    .join(Building, Building.id == Unit.building_id)
    .order_by(Building.sort_key, Building.name, Unit.floor, Unit.label)
)


def unit_choices() -> list[SelectChoice]:
    """Every home, grouped by building in the building's order."""
    # Plain rows rather than entities: a community has hundreds of homes. The label is what
    # Unit.full_label says: "<building> <unit>".
    units = db.session.execute(_HOMES)
    return [
        SelectChoice(unit_id, f"{building} {label}", optgroup=building)
        for unit_id, label, building in units
    ]


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_LIMIT_ADDRESS"], methods=["POST"], scope="signup")
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignupForm()
    form.unit.choices = [SelectChoice(0, _("Choose…")), *unit_choices()]
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/signup.html", form=form), status
    try:
        user = accounts.sign_up(
            db.session,
            name=form.name.data,
            login=form.login.data,
            password=form.password.data,
            unit_id=form.unit.data,
            locale=browser_locale(),
            large_text=request.cookies.get(LARGE_TEXT_COOKIE) == "1",
        )
    except Invalid as error:
        db.session.rollback()
        return form_error(form, error, "accounts/signup.html")
    begin_session(user)
    return redirect(url_for("main.home"))


@bp.post("/logout")
@login_required
def logout():
    accounts.end_login_session(db.session, current_user.session_token)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/password.html", form=form), status
    try:
        accounts.change_password(
            db.session, current_user, form.current_password.data, form.new_password.data
        )
    except Invalid as error:
        db.session.rollback()
        return form_error(form, error, "accounts/password.html")
    db.session.commit()
    flash(_("Your password is changed. Your other devices have been logged out."), "success")
    return redirect(url_for("main.settings"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RESET_LIMIT_ADDRESS"],
    methods=["POST"],
    deduct_when=login_failed,
    scope="reset-address",
)
@limiter.limit(
    lambda: current_app.config["RESET_LIMIT_ACCOUNT"],
    methods=["POST"],
    key_func=account_key,
    deduct_when=login_failed,
    scope="reset-account",
)
def reset_password():
    """A new password with the one-time code the office handed over. Wrong codes count
    against the address and the account, as failed logins do."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.change_password"))
    form = ResetForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/reset.html", form=form), status
    try:
        resets.reset_password(
            db.session,
            form.login.data,
            form.code.data,
            form.new_password.data,
            key=current_app.config["SECRET_KEY"],
        )
    except Invalid as error:
        g.login_failed = error.field == "code"
        db.session.rollback()
        return form_error(form, error, "accounts/reset.html")
    db.session.commit()
    flash(_("Your password is changed. Log in with it now."), "success")
    return redirect(url_for("auth.login"), 303)
