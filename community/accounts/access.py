"""Who may open a page: the role guard every view uses, and the office's home-page tiles."""

from functools import wraps

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.accounts.models import Role
from community.core import menus
from community.core.errors import NotAllowed

# Anyone with a role (so an approved account), or the office.
ANY_ROLE = tuple(Role)
OFFICE = (Role.OPERATOR, Role.ADMIN)


def add_office_tiles(*tiles: menus.Tile) -> None:
    """Tiles on the home page of every office role (operators and admins)."""
    for role in OFFICE:
        menus.add_tiles(role, *tiles)


def roles_required(*roles: str):
    """The person must be logged in, approved, and hold one of the roles; else 403 (one that
    says the home is waiting for approval, to a person whose sign-up is not confirmed yet)."""

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not current_user.has_role(*roles):
                if current_user.is_pending:
                    # Not a refusal but a wait: say what they are waiting for (still a 403).
                    raise NotAllowed(
                        _(
                            "Your home is waiting for approval. The community office will "
                            "confirm where you live; then you can use this page."
                        )
                    )
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorator
