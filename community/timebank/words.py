"""How the ledger reads to people: the words of each kind of entry, hours as text, and the
other side of a movement."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from community.timebank.models import Account, AccountKind, Transfer, TransferKind
from community.timebank.rules import format_hours_number

KIND_LABELS = {
    TransferKind.VISIT: _l("Care visit"),
    TransferKind.VISIT_EXTRA: _l("Care visit, extra time"),
    TransferKind.DONATION: _l("Gift of hours"),
    TransferKind.OFFICE: _l("Volunteer work"),
    TransferKind.REVERSAL: _l("Correction"),
}


def hours(minutes: int) -> str:
    """ "1.5 hours", "1 hour", "50 minutes", "1 h 50 min", in the page's language: whole and
    half hours as hours, anything else to the minute (never "0.83 hours")."""
    if minutes % 30 == 0:
        count = 1 if abs(minutes) == 60 else 2
        return ngettext(
            "%(amount)s hour", "%(amount)s hours", count, amount=format_hours_number(minutes)
        )
    sign, whole, rest = "-" if minutes < 0 else "", abs(minutes) // 60, abs(minutes) % 60
    if not whole:
        return sign + ngettext("%(num)d minute", "%(num)d minutes", rest)
    return sign + _("%(hours)d h %(minutes)d min", hours=whole, minutes=rest)


def account_label(kind: str, person_name: str | None) -> str:
    """An account by its kind and, for a person's, the person's name."""
    if kind == AccountKind.BANK:
        return _("the community's time bank")
    if kind == AccountKind.POOL:
        return _("the community pool")
    return person_name or ""


def account_name(account: Account) -> str:
    return account_label(account.kind, account.user.name if account.user else None)


def signed_minutes(transfer: Transfer, account_id: int) -> int:
    return transfer.minutes if transfer.to_account_id == account_id else -transfer.minutes


def other_side(transfer: Transfer, account_id: int) -> str:
    """Who the minutes came from or went to, seen from one account."""
    if transfer.to_account_id == account_id:
        return account_name(transfer.from_account)
    return account_name(transfer.to_account)


def template_words() -> dict:
    return {
        "kind_labels": KIND_LABELS,
        "hours": hours,
        "account_name": account_name,
        "account_label": account_label,
        "signed_minutes": signed_minutes,
        "other_side": other_side,
    }
