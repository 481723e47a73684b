"""The office's page of one activity session, on the activity office's blueprint: who signed
up (places, the waiting list, offers), the desk's "paid", and calling the session off, saying
why (everyone who signed up is told)."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from community.accounts.access import OFFICE, roles_required
from community.accounts.models import User
from community.activities import cancelling, editing, rules, tickets
from community.activities.forms import CallOffForm, MoveSessionForm, PaymentForm
from community.activities.models import ActivitySession, SignUp
from community.activities.office import bp
from community.capacity.models import Reservation
from community.core.db import utcnow
from community.core.errors import Conflict, DomainError
from community.core.extensions import db
from community.core.web import render_page, show_error


def _payment_ways() -> list[SelectChoice]:
    return [SelectChoice(key, str(label)) for key, label in tickets.PAYMENT_WAYS.items()]


def _roster(row: ActivitySession, failed=None, status: int = 200, call_off=None, move=None):
    signups = list(
        db.session.scalars(
            select(SignUp)
            .join(Reservation, Reservation.id == SignUp.reservation_id)
            .options(joinedload(SignUp.reservation).joinedload(Reservation.person))
            .where(SignUp.session_id == row.id)
            .order_by(Reservation.status, Reservation.priority.desc(), Reservation.id)
        ).unique()
    )
    present, expected = tickets.door_counts(db.session, row.id)
    forms = {}
    for signup in signups:
        form = PaymentForm(formdata=None)
        form.how.choices = _payment_ways()
        forms[signup.id] = form
    if failed:
        failed[1].how.choices = _payment_ways()
        forms[failed[0]] = failed[1]
    return render_page(
        "activities/office/session.html",
        status=status,
        row=row,
        activity=row.activity,
        signups=signups,
        present=present,
        expected=expected,
        forms=forms,
        call_off=call_off or CallOffForm(formdata=None),
        move=move or _move_form(row),
        later=len(cancelling.later_sessions(db.session, row)),
        cancelled_by=db.session.get(User, row.cancelled_by_id) if row.cancelled_by_id else None,
        now=utcnow(),
    )


@bp.get("/sessions/<id:session_id>")
@roles_required(*OFFICE)
def session(session_id: int):
    row = db.session.get(ActivitySession, session_id)
    if row is None:
        abort(404)
    return _roster(row)


def _move_form(row: ActivitySession) -> MoveSessionForm:
    """Filled in with the session's own date and time, for the office to change."""
    local = row.starts_at.astimezone(rules.community_zone())
    return MoveSessionForm(formdata=None, starts_on=local.date(), starts_at=local.time())


def _change_session(session_id: int, form, key: str, check, act):
    """What moving and calling off share: the session; check(row, now), the rule's own check
    that it may still change, run before anything typed is checked (the form is gone from a
    session called off or begun, so its field errors would have nowhere to show); the form
    checked, act(row) run and committed (it returns the message to flash); else the session's
    page again with the error."""
    row = db.session.get(ActivitySession, session_id)
    if row is None:
        abort(404)
    try:
        check(row, utcnow())
    except Conflict as error:
        form.form_errors.append(error.message)
        return _roster(row, status=error.status, **{key: form})
    status = 422
    if form.validate_on_submit():
        try:
            message = act(row)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            status = error.status if error.field is None else 422
        else:
            flash(message, "success")
            return redirect(url_for(".session", session_id=session_id))
    return _roster(db.session.get(ActivitySession, session_id), status=status, **{key: form})


@bp.post("/sessions/<id:session_id>/move")
@roles_required(*OFFICE)
def move(session_id: int):
    """Move the session to another date and time; everyone who signed up is told."""
    form = MoveSessionForm()

    def act(row):
        told = editing.move_session(
            db.session, current_user, row.id, form.start(rules.community_zone()), form.note.data
        )
        return ngettext(
            "Moved; %(num)d sign-up was told the new time.",
            "Moved; %(num)d sign-ups were told the new time.",
            told,
        )

    return _change_session(session_id, form, "move", editing.check_can_move, act)


@bp.post("/sessions/<id:session_id>/call-off")
@roles_required(*OFFICE)
def call_off(session_id: int):
    """Call the session off (and, when ticked, every later one), saying why: everyone who
    signed up is told."""
    form = CallOffForm()

    def act(row):
        done = cancelling.call_off(
            db.session, current_user, row.id, form.reason.data, form.later_too.data
        )
        if done.sessions == 1:
            return ngettext(
                "Called off; %(num)d sign-up was cancelled and told why.",
                "Called off; %(num)d sign-ups were cancelled and told why.",
                done.signups,
            )
        return ngettext(
            "%(sessions)d sessions called off; %(num)d sign-up was cancelled and told why.",
            "%(sessions)d sessions called off; %(num)d sign-ups were cancelled and told why.",
            done.signups,
            sessions=done.sessions,
        )

    return _change_session(session_id, form, "call_off", cancelling.check_can_call_off, act)


@bp.post("/signups/<id:signup_id>/paid")
@roles_required(*OFFICE)
def paid(signup_id: int):
    found = db.session.get(SignUp, signup_id)
    if found is None:
        abort(404)
    session_id = found.session_id
    form = PaymentForm()
    form.how.choices = _payment_ways()
    status = 422
    if form.validate_on_submit():
        try:
            tickets.mark_paid(db.session, current_user, signup_id, form.how.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            status = error.status if error.field is None else 422
        else:
            flash(_("Payment recorded."), "success")
            return redirect(url_for(".session", session_id=session_id))
    return _roster(db.session.get(ActivitySession, session_id), (signup_id, form), status)
