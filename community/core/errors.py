"""Domain errors: raised by the rules, mapped to an HTTP status and a translated message."""


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        # The form field the message belongs next to, when there is one.
        self.field = field


class NotAllowed(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The thing changed under you, or the action does not fit its current state."""

    status = 409


class Full(Conflict):
    """No capacity left."""


class Invalid(DomainError):
    status = 422
