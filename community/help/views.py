"""The help button's pages: the press (a confirmation page without JavaScript), the family's
call for help for an elder they look after, the elder's "help is coming" page, and the alert
page where the family and the office answer it."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.accounts import relations
from community.accounts.access import ANY_ROLE, roles_required
from community.accounts.models import Role, User
from community.core.errors import DomainError, NotFound
from community.core.extensions import db
from community.core.web import render_page
from community.help import rules
from community.help.forms import PressForm, ResolveForm

bp = Blueprint("help", __name__, url_prefix="/help")


@bp.get("/")
@roles_required(Role.RESIDENT)
def confirm():
    """The second step of a press without JavaScript: "Send for help now?"."""
    alert = rules.open_alert_of(db.session, current_user)
    if alert is not None:
        return redirect(url_for("help.alert", alert_id=alert.id))
    return render_template("help/confirm.html", form=PressForm())


@bp.post("/")
@roles_required(Role.RESIDENT)
def press():
    form = PressForm()
    if not form.validate_on_submit():
        return render_template(
            "help/confirm.html",
            form=form,
            error=_("This form has expired. Please press the button again."),
        ), 400
    alert, _new = rules.raise_alert(db.session, current_user, current_user)
    db.session.commit()
    return redirect(url_for("help.alert", alert_id=alert.id))


def _family_member(person_id: int) -> User:
    """A resident the viewer may act for, other than themself; the same 404 for anyone else
    (a stranger learns nothing about who lives here)."""
    person = db.session.get(User, person_id)
    if (
        person is None
        or person.id == current_user.id
        or not relations.may_act_for(db.session, current_user, person)
    ):
        raise NotFound(_("No such person."))
    return person


@bp.get("/for/<id:person_id>")
@roles_required(Role.RESIDENT)
def confirm_for(person_id: int):
    """Family send for help for an elder they look after: "Send for help for her now?"."""
    person = _family_member(person_id)
    alert = rules.open_alert_of(db.session, person)
    if alert is not None:
        return redirect(url_for("help.alert", alert_id=alert.id))
    return render_template("help/confirm.html", form=PressForm(), elder=person)


@bp.post("/for/<id:person_id>")
@roles_required(Role.RESIDENT)
def press_for(person_id: int):
    person = _family_member(person_id)
    form = PressForm()
    if not form.validate_on_submit():
        return render_template(
            "help/confirm.html",
            form=form,
            elder=person,
            error=_("This form has expired. Please press the button again."),
        ), 400
    alert, _new = rules.raise_alert(db.session, person, current_user)
    db.session.commit()
    return redirect(url_for("help.alert", alert_id=alert.id))


def render_alert(alert_id: int, status: int = 200, error: str = "", form=None):
    alert, is_elder = rules.alert_for(db.session, current_user, alert_id)
    if is_elder:
        return render_page(
            "help/mine.html",
            "help/_status.html",
            status=status,
            alert=alert,
            form=form or ResolveForm(),
        )
    contacts = rules.contacts_of(db.session, alert.elder)
    return render_page(
        "help/alert.html",
        status=status,
        alert=alert,
        events=rules.events_of(db.session, alert),
        contacts=contacts,
        registered=rules.registered_contacts(db.session, contacts),
        normalise_phone=rules.normalise_phone,
        form=form or ResolveForm(),
        error=error,
    )


@bp.get("/alerts/<id:alert_id>")
@roles_required(*ANY_ROLE)
def alert(alert_id: int):
    return render_alert(alert_id)


@bp.post("/alerts/<id:alert_id>/acknowledge")
@roles_required(*ANY_ROLE)
def acknowledge(alert_id: int):
    alert, _is_elder = rules.alert_for(db.session, current_user, alert_id)
    if not PressForm().validate_on_submit():
        return render_alert(alert_id, 400, _("This form has expired. Please reload the page."))
    try:
        rules.acknowledge(db.session, alert, current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return render_alert(alert_id, error.status, error.message)
    flash(_("Thank you. The elder sees that you are on the way."), "success")
    return redirect(url_for("help.alert", alert_id=alert_id))


@bp.post("/alerts/<id:alert_id>/resolve")
@roles_required(*ANY_ROLE)
def resolve(alert_id: int):
    alert, is_elder = rules.alert_for(db.session, current_user, alert_id)
    form = ResolveForm()
    if not form.validate_on_submit():
        return render_alert(alert_id, 422, form=form)
    try:
        rules.resolve(db.session, alert, current_user, form.note.data or "")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return render_alert(alert_id, error.status, error.message)
    if is_elder:
        flash(_("Glad you are all right."), "success")
    else:
        flash(_("The call for help is closed."), "success")
    return redirect(url_for("help.alert", alert_id=alert_id))
