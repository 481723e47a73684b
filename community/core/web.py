"""Small helpers the views share: htmx-aware rendering, safe redirects, errors next to fields."""

from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for

from community.core.errors import DomainError


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


def show_error(form, error: DomainError) -> None:
    """Put a rule's refusal next to the form field it is about, or above the form."""
    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
