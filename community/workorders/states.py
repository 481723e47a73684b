"""The words of the work-order engine, below the machine: statuses, who someone is to an order,
actions and what the timeline says of them, priorities. Plain data, no rules."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l

# Statuses, in the order an order usually lives through them.
SUBMITTED, ACCEPTED, ASSIGNED, IN_PROGRESS = "submitted", "accepted", "assigned", "in_progress"
RESOLVED, CLOSED, REOPENED = "resolved", "closed", "reopened"
REJECTED, CANCELLED, DUPLICATE = "rejected", "cancelled", "duplicate"
STATUSES = [SUBMITTED, ACCEPTED, ASSIGNED, IN_PROGRESS, REOPENED, RESOLVED, CLOSED]
STATUSES += [REJECTED, CANCELLED, DUPLICATE]
OPEN_STATUSES = [SUBMITTED, ACCEPTED, ASSIGNED, IN_PROGRESS, REOPENED]
# Orders someone still has to act on (the requester, for resolved ones).
ACTIVE_STATUSES = [*OPEN_STATUSES, RESOLVED]

STATUS_LABELS = {
    SUBMITTED: _l("Submitted"),
    ACCEPTED: _l("Accepted"),
    ASSIGNED: _l("Assigned"),
    IN_PROGRESS: _l("In progress"),
    REOPENED: _l("Reopened"),
    RESOLVED: _l("Resolved"),
    CLOSED: _l("Closed"),
    REJECTED: _l("Rejected"),
    CANCELLED: _l("Cancelled"),
    DUPLICATE: _l("Duplicate"),
}

# Who someone is to an order.
REQUESTER, ASSIGNEE, OPERATOR, SYSTEM = "requester", "assignee", "operator", "system"
# Someone who may take an unassigned order of a claimable kind from the open board.
CLAIMANT = "claimant"

ACTION_LABELS = {
    "accept": _l("Accept"),
    "reject": _l("Reject"),
    "duplicate": _l("Mark as duplicate"),
    "assign": _l("Assign"),
    "start": _l("Start work"),
    "resolve": _l("Mark as fixed"),
    "confirm": _l("Confirm it is fixed"),
    "reopen": _l("Not fixed: reopen"),
    "cancel": _l("Cancel the report"),
    "claim": _l("I will do it"),
    "release": _l("Hand it back"),
    "schedule": _l("Scheduled"),
    "dispatch": _l("Scheduled and assigned"),
    "comment": _l("Comment"),
    "rate": _l("Rate"),
    "auto_close": _l("Closed automatically"),
    "report": _l("Reported"),
    "follow": _l("Me too"),
}

# What the timeline says happened.
EVENT_TEXTS = {
    "report": _l("Reported"),
    "accept": _l("Accepted by the office"),
    "reject": _l("Rejected"),
    "duplicate": _l("Marked as a duplicate"),
    "assign": _l("Assigned"),
    "start": _l("Work started"),
    "resolve": _l("Fixed"),
    "confirm": _l("Confirmed fixed"),
    "reopen": _l("Reopened"),
    "cancel": _l("Cancelled"),
    "claim": _l("Taken on from the open board"),
    "release": _l("Handed back to the open board"),
    "schedule": _l("Booked for an agreed time"),
    "dispatch": _l("Booked for an agreed time and given to the provider"),
    "comment": _l("Comment"),
    "rate": _l("Rated"),
    "auto_close": _l("Closed automatically"),
    "follow": _l("Another resident reported the same"),
}


REOPEN_WINDOW = timedelta(days=7)
AUTO_CLOSE_AFTER = timedelta(days=7)

PRIORITIES = ["low", "normal", "high", "urgent"]
PRIORITY_LABELS = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "urgent": _l("Urgent"),
}
