"""The VAPID key pair that signs our pushes: from VAPID_PRIVATE_KEY, or made once into
instance/."""

import base64
import contextlib
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask

KEY_FILE = "vapid_private_key.pem"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key as PEM, as the raw 32-byte number (base64url), or as DER."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
    else:
        raw = b64url_decode(text)
        if len(raw) == 32:
            key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
        else:
            key = serialization.load_der_private_key(raw, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("a VAPID key must be a P-256 (prime256v1) EC key")
    return key


def _instance_key(app: Flask) -> ec.EllipticCurvePrivateKey:
    """The key kept in instance/, made once on first run. Two processes starting at once (the
    web app and the worker) agree on one: the file appears atomically, and the loser reads it."""
    path = Path(app.instance_path) / KEY_FILE
    if not path.exists():
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        handle, temporary = tempfile.mkstemp(dir=app.instance_path, prefix=".vapid-")
        try:
            os.write(handle, pem)
            os.close(handle)
            os.chmod(temporary, 0o600)
            with contextlib.suppress(FileExistsError):  # the other process was first
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return parse_private_key(path.read_text())


def private_key(app: Flask) -> ec.EllipticCurvePrivateKey:
    """From VAPID_PRIVATE_KEY (the app's config or the environment), else from instance/."""
    cached = app.extensions.get("vapid_key")
    if cached is None:
        configured = app.config.get("VAPID_PRIVATE_KEY") or os.environ.get("VAPID_PRIVATE_KEY")
        cached = parse_private_key(configured) if configured else _instance_key(app)
        app.extensions["vapid_key"] = cached
    return cached


def public_key(app: Flask) -> str:
    """The applicationServerKey the page subscribes with: the uncompressed point, base64url."""
    point = (
        private_key(app)
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return b64url(point)


def private_key_text(app: Flask) -> str:
    """The private key as one line (the raw number, base64url), for VAPID_PRIVATE_KEY."""
    return b64url(private_key(app).private_numbers().private_value.to_bytes(32, "big"))
