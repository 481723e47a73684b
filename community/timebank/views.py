"""The time bank for volunteers and elders: my balance and statement, and giving hours to an
elder or to the community pool. Views parse, call timebank.rules, and render."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.accounts.access import ANY_ROLE, roles_required
from community.accounts.models import Role
from community.core import menus
from community.core.errors import DomainError, Invalid
from community.core.extensions import db
from community.core.input import id_or_none
from community.core.web import render_page, show_error
from community.timebank import ledger, rules, words
from community.timebank.forms import POOL, GiveForm

bp = Blueprint("timebank", __name__, url_prefix="/timebank")

menus.add_tiles(
    Role.VOLUNTEER,
    menus.Tile(
        "timebank",
        _l("My hours"),
        "heart",
        "timebank.mine",
        description=_l("Hours you earned, and hours to give"),
        order=40,
    ),
)
# Residents too: an elder sees here the hours volunteers gave them. The same key, so that a
# resident who volunteers sees one tile.
menus.add_tiles(
    Role.RESIDENT,
    menus.Tile("timebank", _l("My hours"), "heart", "timebank.mine", order=80),
)

PAGE_SIZE = 20


@bp.context_processor
def _words():
    return words.template_words()


@bp.get("")
@roles_required(*ANY_ROLE)
def mine():
    account = rules.find_account(db.session, current_user.id)
    account_id = account.id if account else None
    rows, next_before = ledger.statement_page(
        db.session, account_id, request.args.get("before", type=id_or_none), PAGE_SIZE
    )
    return render_page(
        "timebank/mine.html",
        "timebank/_statement.html",
        balance=ledger.balance(db.session, account_id),
        given_to_me=ledger.given_to(db.session, account_id) if current_user.receives_care else 0,
        account_id=account_id,
        rows=rows,
        next_before=next_before,
        older=bool(request.args.get("before")),
        is_volunteer=current_user.has_role(Role.VOLUNTEER),
        is_elder=current_user.receives_care,
    )


def parse_recipient(value: str | None) -> int | None:
    """None for the pool, else an elder's id; anything else is refused next to the field."""
    if value == POOL:
        return None
    elder_id = id_or_none(value)
    if elder_id is None:
        raise Invalid(_("Choose an elder from the list, or the community pool."), field="to")
    return elder_id


@bp.route("/give", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def give():
    form = GiveForm()
    elders = rules.elders(db.session, excluding=current_user.id)
    form.to.choices = [(POOL, _("The community pool"))] + [
        (str(elder.id), elder.name) for elder in elders
    ]
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                recipient = parse_recipient(form.to.data)
                minutes = rules.parse_hours(form.hours.data)
                rules.donate(db.session, current_user, recipient, minutes)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                show_error(form, error)
                status = error.status
            else:
                flash(_("Thank you: %(hours)s given.", hours=words.hours(minutes)), "success")
                return redirect(url_for("timebank.mine"))
    return render_page(
        "timebank/give.html",
        status=status,
        form=form,
        balance=ledger.balance_of(db.session, current_user.id),
    )


__all__ = ["bp"]
