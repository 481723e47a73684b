"""Error pages in the person's language, with the right status, as a page or an htmx partial."""

import math

from flask import Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from community.core.errors import DomainError
from community.core.extensions import db
from community.core.web import wants_partial

TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Not possible here"),
    409: _l("Conflict"),
    413: _l("Too large"),
    422: _l("Please check your input"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
    503: _l("Busy right now"),
}
MESSAGES = {
    400: _l("The request could not be understood. Please go back and try again."),
    403: _l("You are not allowed to see this page."),
    404: _l("We could not find this page. It may have been removed, or you may not see it."),
    405: _l("That action is not possible on this page."),
    413: _l("What you sent is too large. Photos may be at most 10 MB each."),
    500: _l("Something went wrong on our side. Please try again in a moment."),
    503: _l(
        "Many people are doing this at the same moment. Nothing was saved. "
        "Please try again in a few seconds."
    ),
}
# How the databases say another transaction held what this one needed for too long: SQLite's
# busy timeout ran out, or PostgreSQL gave up on a lock, found a deadlock or could not
# serialize. The request did nothing (it is rolled back); trying again a little later works.
BUSY_MESSAGES = ("database is locked", "database table is locked")
BUSY_SQLSTATES = {"55P03", "40P01", "40001"}
RETRY_AFTER_SECONDS = 3


def is_busy(error: OperationalError) -> bool:
    original = error.orig
    if getattr(original, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    return any(text in str(original) for text in BUSY_MESSAGES)


def render_error(status: int, message: str):
    template = "errors/_error.html" if wants_partial() else "errors/error.html"
    title = TITLES.get(status, TITLES[400])
    return render_template(template, status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return render_error(error.status, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, _l("This form has expired. Please reload the page and try again."))

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        minutes = max(1, math.ceil(error.limit.limit.get_expiry() / 60))
        response, status = render_error(
            429,
            _l(
                "Too many attempts. Please wait %(minutes)d minutes and try again.",
                minutes=minutes,
            ),
        )
        return response, status, {"Retry-After": str(minutes * 60)}

    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError):
        db.session.rollback()
        if not is_busy(error):
            current_app.logger.error("Database error", exc_info=error)
            return render_error(500, MESSAGES[500])
        response, status = render_error(503, MESSAGES[503])
        return response, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        return render_error(status, MESSAGES.get(status, MESSAGES[400]))

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500, MESSAGES[500])
