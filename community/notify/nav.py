"""The inbox's entry in the bottom navigation, with its unread badge."""

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from community.core.extensions import db
from community.notify import inbox


class InboxLabel:
    """Counts the unread notifications (one query) only when the navigation is rendered, so
    that partials and pages without the navigation pay nothing."""

    def __init__(self, user):
        self.user = user
        self._html: str | None = None

    def __html__(self) -> str:
        if self._html is None:
            count = inbox.unread_badge(db.session, self.user)
            label = escape(_("Inbox"))
            cap = inbox.UNREAD_CAP
            if count:
                shown = f"{cap}+" if count > cap else str(count)
                spoken = (
                    _("more than %(num)d unread", num=cap)
                    if count > cap
                    else ngettext("%(num)d unread", "%(num)d unread", count)
                )
                label += Markup(
                    '<span class="nav-badge"><span aria-hidden="true">{}</span>'
                    '<span class="notify-sr-only">{}</span></span>'
                ).format(shown, spoken)
            self._html = str(label)
        return self._html

    __str__ = __html__
