"""The office's time bank: every movement (newest first, each reversible once), a visit's
extra time to confirm or refuse, hours recorded for other volunteer work, and a person's
monthly statement with the month's CSV. For the office only."""

from collections.abc import Iterator
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.accounts import rules as accounts
from community.accounts.access import OFFICE, add_office_tiles, roles_required
from community.accounts.models import Role, User
from community.core import menus
from community.core.csvexport import csv_download, plain_cell
from community.core.db import utcnow
from community.core.errors import DomainError, NotFound
from community.core.extensions import db
from community.core.input import id_or_none
from community.core.web import render_page, show_error
from community.timebank import ledger, rules, words
from community.timebank.forms import ActionForm, EntryForm, ReverseForm

bp = Blueprint("timebank_office", __name__, url_prefix="/operator/timebank")

add_office_tiles(
    menus.Tile(
        "timebank-office",
        _l("Time bank"),
        "heart",
        "timebank_office.index",
        description=_l("Volunteers' hours: entries, corrections, statements"),
        order=45,
    ),
)

PAGE_SIZE = 20


@bp.context_processor
def _words():
    return words.template_words()


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["COMMUNITY_TIMEZONE"])


def volunteers():
    """(id, name) of every active volunteer, by name."""
    return accounts.active_holders(db.session, Role.VOLUNTEER)


def entry_form() -> EntryForm:
    form = EntryForm()
    form.person.choices = [(0, _("Choose…"))] + [(v.id, v.name) for v in volunteers()]
    return form


def render_index(entry: EntryForm | None = None, status: int = 200, error: str | None = None):
    before = request.args.get("before", type=id_or_none)
    rows, reversed_ids, next_before = ledger.ledger_page(db.session, before, PAGE_SIZE)
    return render_page(
        "timebank/office/index.html",
        "timebank/office/_ledger.html",
        status=status,
        rows=rows,
        reversed_ids=reversed_ids,
        next_before=next_before,
        older=bool(before),
        pending=ledger.pending_credits(db.session),
        entry=entry or entry_form(),
        action=ActionForm(),
        error=error,
        this_month=utcnow().astimezone(zone()).strftime("%Y-%m"),
    )


@bp.get("")
@roles_required(*OFFICE)
def index():
    return render_index()


@bp.post("/entries")
@roles_required(*OFFICE)
def record():
    form = entry_form()
    if form.validate_on_submit():
        try:
            minutes = rules.parse_hours(form.hours.data)
            transfer = rules.record_work(
                db.session, current_user, form.person.data, minutes, form.reason.data
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            return render_index(form, error.status)
        flash(
            _(
                "Recorded: %(hours)s for %(name)s.",
                hours=words.hours(minutes),
                name=transfer.to_account.user.name,
            ),
            "success",
        )
        return redirect(url_for("timebank_office.index"))
    return render_index(form, 422)


def render_transfer(transfer_id: int, form: ReverseForm | None = None, status: int = 200):
    transfer = rules.transfer_by_id(db.session, transfer_id)
    return render_page(
        "timebank/office/transfer.html",
        status=status,
        transfer=transfer,
        reversal=rules.reversal_of(db.session, transfer.id),
        form=form or ReverseForm(),
    )


@bp.get("/entries/<id:transfer_id>")
@roles_required(*OFFICE)
def transfer(transfer_id: int):
    return render_transfer(transfer_id)


@bp.post("/entries/<id:transfer_id>/reverse")
@roles_required(*OFFICE)
def reverse(transfer_id: int):
    rules.transfer_by_id(db.session, transfer_id)  # 404 before anything else
    form = ReverseForm()
    if not form.validate_on_submit():
        return render_transfer(transfer_id, form, 422)
    try:
        rules.reverse(db.session, current_user, transfer_id, form.reason.data)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return render_transfer(transfer_id, form, error.status)
    flash(_("The entry is reversed."), "success")
    return redirect(url_for("timebank_office.transfer", transfer_id=transfer_id))


def decide(pending_id: int, confirm: bool, done: str):
    form = ActionForm()
    if not form.validate_on_submit():
        return render_index(status=400, error=_("This form has expired. Please reload the page."))
    try:
        rules.decide_pending(db.session, current_user, pending_id, confirm)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return render_index(status=error.status, error=error.message)
    flash(done, "success")
    return redirect(url_for("timebank_office.index"))


@bp.post("/extra/<id:pending_id>/confirm")
@roles_required(*OFFICE)
def confirm_extra(pending_id: int):
    return decide(pending_id, True, _("The extra time is credited."))


@bp.post("/extra/<id:pending_id>/refuse")
@roles_required(*OFFICE)
def refuse_extra(pending_id: int):
    return decide(pending_id, False, _("The extra time is refused."))


def parse_month(value: str | None) -> date:
    """?month=YYYY-MM; anything else means this month."""
    try:
        year, month = (int(part) for part in (value or "").strip().split("-"))
        if 2000 <= year <= 2100:
            return date(year, month, 1)
    except ValueError:
        pass
    return utcnow().astimezone(zone()).date().replace(day=1)


def month_bounds(first: date) -> tuple[datetime, datetime]:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    here = zone()
    return datetime.combine(first, time(), here), datetime.combine(following, time(), here)


@bp.get("/statement")
@roles_required(*OFFICE)
def statement():
    first = parse_month(request.args.get("month"))
    start, end = month_bounds(first)
    people = volunteers()
    person_id = request.args.get("person", type=id_or_none)
    person = db.session.get(User, person_id) if person_id else None
    if person_id and person is None:
        raise NotFound(_("No such person."))
    account = rules.find_account(db.session, person.id) if person else None
    account_id = account.id if account else None
    return render_page(
        "timebank/office/statement.html",
        people=people,
        person=person,
        account_id=account_id,
        month=first,
        statement=ledger.month_statement(db.session, account_id, start, end),
    )


@bp.get("/month.csv")
@roles_required(*OFFICE)
def export():
    """Every movement of a month, with who gave and who received, for the office's books."""
    first = parse_month(request.args.get("month"))
    start, end = month_bounds(first)
    found = ledger.month_transfers(db.session, start, end)
    here = zone()

    def rows() -> Iterator[list]:
        yield [
            _("Number"),
            _("Date"),
            _("Time"),
            _("Kind"),
            _("From"),
            _("To"),
            _("Hours"),
            _("Minutes"),
            _("Reason"),
            _("Reverses"),
        ]
        for transfer in found:
            when = transfer.created_at.astimezone(here)
            yield [
                transfer.id,
                when.date().isoformat(),
                when.strftime("%H:%M"),
                words.KIND_LABELS.get(transfer.kind, transfer.kind),
                plain_cell(words.account_name(transfer.from_account)),
                plain_cell(words.account_name(transfer.to_account)),
                rules.format_hours_number(transfer.minutes),
                transfer.minutes,
                plain_cell(transfer.reason),
                transfer.reverses_id or "",
            ]

    return csv_download(rows(), f"timebank-{first:%Y-%m}.csv")


__all__ = ["bp"]
