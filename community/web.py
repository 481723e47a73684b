"""Small helpers the views share: htmx-aware rendering, safe redirects, role guards."""

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from community.errors import DomainError
from community.models import Role

# Who may open a page: anyone with a role (so an approved account), or the office.
ANY_ROLE = tuple(Role)
OFFICE = (Role.OPERATOR, Role.ADMIN)


def wants_partial() -> bool:
    """An htmx request for a piece of a page (a boosted navigation wants the whole page)."""
    headers = request.headers
    # A history restore after a cache miss asks for the whole page, though it is htmx asking.
    return (
        "HX-Request" in headers
        and "HX-Boosted" not in headers
        and "HX-History-Restore-Request" not in headers
    )


def render_page(template: str, partial: str | None = None, status: int = 200, **context):
    """The full page, or only its partial when htmx asks for it."""
    name = partial if partial and wants_partial() else template
    return render_template(name, **context), status


def safe_next(target: str | None, default: str = "main.home") -> str:
    """Only same-site paths: never send someone to another host after they log in."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for(default)


def redirect_back(default: str = "main.home"):
    return redirect(safe_next(request.form.get("next") or request.args.get("next"), default))


def roles_required(*roles: str):
    """The person must be logged in, approved, and hold one of the roles; else 403."""

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorator


def show_error(form, error: DomainError) -> None:
    """Put a rule's refusal next to the form field it is about, or above the form."""
    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
