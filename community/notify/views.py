"""Inbox pages: the list (a page, or its items for htmx), opening and marking read, the
notification settings with the devices, subscribing a browser, and failed pushes."""

from flask import Blueprint, current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from community.accounts.access import ANY_ROLE, OFFICE, roles_required
from community.core import menus
from community.core.errors import Invalid
from community.core.extensions import db
from community.core.input import parse_id
from community.core.web import render_page, safe_next, show_error
from community.notify import devices, inbox, outbox, preferences, vapid
from community.notify.forms import QuietHoursForm, settings_form
from community.notify.nav import InboxLabel

bp = Blueprint("inbox", __name__)

menus.add_nav(menus.NavEntry("inbox.index", InboxLabel, "bell", frozenset(ANY_ROLE), 90))


@bp.get("/inbox")
@roles_required(*ANY_ROLE)
def index():
    items, next_before = inbox.inbox_page(
        db.session, current_user, request.args.get("before", type=parse_id)
    )
    return render_page(
        "notify/index.html",
        "notify/_items.html",
        items=items,
        next_before=next_before,
        older=bool(request.args.get("before")),
    )


@bp.post("/inbox/<id:notification_id>/open")
@roles_required(*ANY_ROLE)
def open_item(notification_id: int):
    row = inbox.mark_read(db.session, current_user, notification_id)
    db.session.commit()
    return redirect(safe_next(row.link, "inbox.index"), 303)


@bp.post("/inbox/read")
@roles_required(*ANY_ROLE)
def read_all():
    inbox.mark_all_read(db.session, current_user)
    db.session.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("inbox.index"), 303)


def render_settings(form: QuietHoursForm, status: int = 200):
    return render_page(
        "notify/settings.html",
        status=status,
        form=form,
        devices=devices.devices(db.session, current_user),
        public_key=vapid.public_key(current_app),
    )


@bp.get("/settings/notifications")
@roles_required(*ANY_ROLE)
def settings():
    saved = preferences.preferences_for(db.session, current_user)
    return render_settings(settings_form(preferences=saved))


@bp.post("/settings/notifications")
@roles_required(*ANY_ROLE)
def save_settings():
    form = settings_form()
    if form.validate_on_submit():
        quiet = form.quiet.data
        try:
            preferences.save_preferences(
                db.session,
                current_user,
                form.chosen_kinds(),
                form.quiet_from.data if quiet else None,
                form.quiet_until.data if quiet else None,
            )
        except Invalid as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("inbox.settings"), 303)
    return render_settings(form, 422)


@bp.post("/settings/notifications/devices")
@roles_required(*ANY_ROLE)
def subscribe():
    """The browser's PushSubscription as JSON, posted by static/js/push.js."""
    try:
        subscription = devices.subscribe(
            db.session,
            current_user,
            request.get_json(silent=True),
            request.headers.get("User-Agent", ""),
        )
    except Invalid as error:
        db.session.rollback()
        return jsonify(error=error.message), 422
    db.session.commit()
    return jsonify(id=subscription.id), 201


@bp.post("/settings/notifications/devices/forget")
@roles_required(*ANY_ROLE)
def forget():
    """This browser unsubscribed itself (push.js, "turn off on this device")."""
    body = request.get_json(silent=True) or {}
    devices.forget_endpoint(db.session, current_user, body.get("endpoint", ""))
    db.session.commit()
    return "", 204


@bp.post("/settings/notifications/devices/<id:subscription_id>/remove")
@roles_required(*ANY_ROLE)
def remove_device(subscription_id: int):
    devices.remove_device(db.session, current_user, subscription_id)
    db.session.commit()
    flash(_("That device gets no more notifications."), "success")
    return redirect(url_for("inbox.settings"), 303)


@bp.get("/operator/deliveries")
@roles_required(*OFFICE)
def failed():
    rows, next_before = outbox.failed_deliveries(
        db.session, request.args.get("before", type=parse_id)
    )
    return render_page("notify/failed.html", rows=rows, next_before=next_before)


@bp.post("/operator/deliveries/retry")
@roles_required(*OFFICE)
def retry_failed():
    count = outbox.retry_failed(db.session)
    db.session.commit()
    flash(
        ngettext("%(num)d push will be tried again.", "%(num)d pushes will be tried again.", count),
        "success",
    )
    return redirect(url_for("inbox.failed"), 303)


BROWSERS = [
    ("MicroMessenger", "WeChat"),
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
]
SYSTEMS = [
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("Linux", "Linux"),
]


@bp.app_template_filter("device_name")
def device_name(user_agent: str) -> str:
    """ "Chrome on Android" from a User-Agent: enough to tell one's devices apart."""
    browser = next((name for key, name in BROWSERS if key in (user_agent or "")), None)
    system = next((name for key, name in SYSTEMS if key in (user_agent or "")), None)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("A browser")
