"""Issue 8, item 13: a device whose push key is not a point on P-256, or whose auth secret is not
16 bytes, is refused when it subscribes, instead of failing at every send."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from community.core.extensions import db
from community.notify.models import PushSubscription
from tests import conftest
from tests.push_sink import Device, b64url, push_settings, running_sink  # noqa: F401 - fixture

DEVICES_URL = "/settings/notifications/devices"
# x = 1 and y = 1 are not on P-256 (y^2 != x^3 - 3x + b): the right length and prefix, no key.
OFF_THE_CURVE = b"\x04" + (1).to_bytes(32, "big") + (1).to_bytes(32, "big")


@pytest.fixture
def app(make_app):
    return make_app(**push_settings())


def post_subscription(client, body):
    token = conftest.CSRF_RE.search(client.get("/settings").get_data(as_text=True)).group(1)
    return client.post(DEVICES_URL, json=body, headers={"X-CSRFToken": token}, csrf=False)


def compressed_point() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param({"p256dh": b64url(OFF_THE_CURVE)}, id="point-not-on-the-curve"),
        pytest.param({"p256dh": b64url(compressed_point())}, id="compressed-point"),
        pytest.param({"p256dh": b64url(b"\x04" + b"\xff" * 64)}, id="coordinates-out-of-range"),
        pytest.param({"auth": b64url(b"a" * 15)}, id="auth-15-bytes"),
        pytest.param({"auth": b64url(b"a" * 17)}, id="auth-17-bytes"),
        pytest.param({"auth": 12345}, id="auth-not-text"),
    ],
)
def test_a_device_with_a_key_that_cannot_encrypt_is_refused(app, demo, login_as, sink, keys):
    body = Device(sink, "phone").subscription()
    body["keys"] |= keys
    response = post_subscription(login_as("resident"), body)
    assert response.status_code == 422
    assert response.is_json
    assert response.get_json()["error"]
    with app.app_context():
        assert db.session.query(PushSubscription).count() == 0


def test_a_device_with_a_real_key_subscribes(app, demo, login_as, sink):
    response = post_subscription(login_as("resident"), Device(sink, "phone").subscription())
    assert response.status_code == 201
    with app.app_context():
        assert db.session.query(PushSubscription).count() == 1
