"""Devices: the push subscriptions a person's browsers register, unique per endpoint, only
for known push services."""

import base64
import binascii
from collections.abc import Iterable
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from community.accounts.models import User
from community.core.errors import Invalid, NotFound
from community.notify.models import PushSubscription

MAX_DEVICES = 10
P256DH_LENGTH = 65  # an uncompressed P-256 point: 0x04, x, y
AUTH_LENGTH = 16  # RFC 8291's authentication secret


def _decode(value) -> bytes:
    text = str(value)
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return b""


def on_p256(raw: bytes) -> bool:
    """An uncompressed point that lies on P-256: a key anything else is refused at every send
    (RFC 8291 needs ECDH with it), so it is refused here, once."""
    if len(raw) != P256DH_LENGTH or raw[0] != 4:
        return False
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        return False
    return True


def _keys(keys: dict) -> tuple[str, str]:
    """The subscription's (p256dh, auth), unpadded base64url, or Invalid."""
    p256dh, auth = keys.get("p256dh", ""), keys.get("auth", "")
    if not on_p256(_decode(p256dh)):
        raise Invalid(_("This browser sent a push key that is not valid."), field="keys")
    if len(_decode(auth)) != AUTH_LENGTH:
        raise Invalid(_("This browser sent a push secret that is not valid."), field="keys")
    return str(p256dh).rstrip("="), str(auth).rstrip("=")


def endpoint_allowed(endpoint: str, hosts: Iterable[str]) -> bool:
    """https to a known push service; plain http only to this machine, when it is listed (the
    tests' push-service stand-in)."""
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return False
    if not host or parts.username or parts.password:
        return False
    if parts.scheme != "https" and not (
        parts.scheme == "http" and host in ("127.0.0.1", "localhost", "::1")
    ):
        return False
    return any(
        allowed == "*" or host == allowed or host.endswith("." + allowed) for allowed in hosts
    )


def subscribe(session: Session, user: User, info: dict, user_agent: str = "") -> PushSubscription:
    """Keep the PushSubscription a browser gave us (its toJSON()). The same endpoint again
    updates the row; one that belonged to someone else is replaced by a new one for this
    person (whatever was still queued for the other person is dropped, not shown here)."""
    if not isinstance(info, dict) or not isinstance(info.get("keys"), dict):
        raise Invalid(_("This browser sent an incomplete subscription."), field="endpoint")
    endpoint = str(info.get("endpoint") or "")
    if len(endpoint) > 1000 or not endpoint_allowed(
        endpoint, current_app.config["PUSH_SERVICE_HOSTS"]
    ):
        raise Invalid(_("This browser's push service is not supported."), field="endpoint")
    p256dh, auth = _keys(info["keys"])
    values = {
        "user_id": user.id,
        "p256dh": p256dh,
        "auth": auth,
        "user_agent": (user_agent or "")[:200],
    }
    # A browser that changed hands starts afresh: the last person's pushes stay with them.
    session.execute(
        delete(PushSubscription)
        .where(PushSubscription.endpoint == endpoint, PushSubscription.user_id != user.id)
        .execution_options(synchronize_session=False)
    )
    statement = (
        update(PushSubscription)
        .where(PushSubscription.endpoint == endpoint)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not session.execute(statement).rowcount:
        try:
            with session.begin_nested():
                session.add(PushSubscription(endpoint=endpoint, **values))
        except IntegrityError:  # the same browser subscribing twice at once
            session.execute(statement)
    subscription = session.scalar(
        select(PushSubscription)
        .where(PushSubscription.endpoint == endpoint)
        .execution_options(populate_existing=True)
    )
    # A person has a handful of devices; more is a browser resubscribing over and over.
    keep = (
        select(PushSubscription.id)
        .where(PushSubscription.user_id == user.id)
        .order_by(PushSubscription.id.desc())
        .limit(MAX_DEVICES)
    )
    session.execute(
        delete(PushSubscription)
        .where(PushSubscription.user_id == user.id, PushSubscription.id.not_in(keep))
        .execution_options(synchronize_session=False)
    )
    return subscription


def devices(session: Session, user: User) -> list[PushSubscription]:
    return list(
        session.scalars(
            select(PushSubscription)
            .where(PushSubscription.user_id == user.id)
            .order_by(PushSubscription.id)
        )
    )


def remove_device(session: Session, user: User, subscription_id: int) -> None:
    removed = session.execute(
        delete(PushSubscription)
        .where(PushSubscription.id == subscription_id, PushSubscription.user_id == user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not removed:
        raise NotFound(_("No such device."))


def forget_endpoint(session: Session, user: User, endpoint: str) -> None:
    """The browser unsubscribed itself (turned off on this device)."""
    session.execute(
        delete(PushSubscription)
        .where(PushSubscription.endpoint == str(endpoint), PushSubscription.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
