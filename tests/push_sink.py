"""A stand-in push service on 127.0.0.1: records every request it gets and answers with the
statuses (and delays) a test scripted for each endpoint, 201 Created otherwise.

    with PushSink() as sink:
        endpoint = sink.endpoint("phone-1")       # http://127.0.0.1:<port>/push/phone-1
        sink.script("phone-1", 500, 201)          # first a 500, then 201s
        sink.script("phone-2", (201, 3.0))        # answer after 3 seconds
        sink.script("phone-3", (429, 0, {"Retry-After": "60"}))
        ...
        sink.received("phone-1")                  # the requests, in order

`python -m tests.push_sink` runs one on its own (the benchmark does, so that the worker under
test does not share its process with the server).
"""

import base64
import json
import os
import sys
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from community.core import tasks
from community.notify import tasks as notify_tasks


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    status: int
    at: float = field(default_factory=time.monotonic)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real push services do
    server: "_Server"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        name = self.path.rsplit("/", 1)[-1]
        status, delay, headers = self.server.sink._next_answer(name)
        # Recorded on arrival: the push service has the message even if it answers late.
        self.server.sink._record(
            Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, status)
        )
        if delay:
            time.sleep(delay)
        reply = b"" if status < 300 else b'{"error": "scripted"}'
        try:
            self.send_response(status)
            self.send_header("Content-Length", str(len(reply)))
            if status == 201:
                self.send_header("Location", f"{self.path}/message")
            for header, value in headers.items():
                self.send_header(header, value)
            self.end_headers()
            self.wfile.write(reply)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)

    def log_message(self, format, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a scripted slow answer must not hold up stopping
    request_queue_size = 256

    def __init__(self, sink: "PushSink"):
        self.sink = sink
        super().__init__(("127.0.0.1", 0), _Handler)


class PushSink:
    def __init__(self, record_bodies: bool = True):
        self.record_bodies = record_bodies
        self._answers: dict[str, deque] = defaultdict(deque)
        self._received: list[Received] = []
        self._count = 0
        self._lock = threading.Lock()
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def endpoint(self, name: str) -> str:
        return f"{self.origin}/push/{name}"

    def script(self, name: str, *answers) -> None:
        """Answers for the next requests to this endpoint: a status, (status, delay), or
        (status, delay, headers)."""
        with self._lock:
            for answer in answers:
                answer = answer if isinstance(answer, tuple) else (answer,)
                delay = answer[1] if len(answer) > 1 else 0
                headers = answer[2] if len(answer) > 2 else {}
                self._answers[name].append((answer[0], delay, headers))

    def _next_answer(self, name: str) -> tuple[int, float, dict]:
        with self._lock:
            queue = self._answers.get(name)
            return queue.popleft() if queue else (201, 0, {})

    def _record(self, received: Received) -> None:
        with self._lock:
            self._count += 1
            if self.record_bodies:
                self._received.append(received)

    @property
    def count(self) -> int:
        with self._lock:
            return self._count

    def received(self, name: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self._received if name is None or r.name == name]

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count >= count:
                return True
            time.sleep(0.01)
        return self.count >= count

    def start(self) -> "PushSink":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "PushSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# ---- What the push tests share: a browser-like device, VAPID checks, fixtures ----------------

# One VAPID key for the whole test run (a real deployment makes its own into instance/).
TEST_VAPID_KEY = ec.generate_private_key(ec.SECP256R1())
TEST_VAPID_SUBJECT = "mailto:office@test.community.example"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def push_settings(**overrides) -> dict:
    """App settings for talking to the sink: 127.0.0.1 allowed, a known key, short timeouts."""
    raw = TEST_VAPID_KEY.private_numbers().private_value.to_bytes(32, "big")
    settings = {
        "PUSH_SERVICE_HOSTS": ["127.0.0.1"],
        "VAPID_PRIVATE_KEY": b64url(raw),
        "VAPID_SUBJECT": TEST_VAPID_SUBJECT,
        "PUSH_TIMEOUT": 1,
    }
    settings.update(overrides)
    return settings


class Device:
    """A browser's side of a push subscription: a P-256 key pair and an auth secret, as
    PushManager.subscribe() makes them, with an endpoint on the sink."""

    def __init__(self, sink: PushSink, name: str):
        self.name = name
        self.endpoint = sink.endpoint(name)
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)

    def subscription(self) -> dict:
        """What PushSubscription.toJSON() gives the page."""
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(point), "auth": b64url(self.auth_secret)},
        }

    def decrypt(self, received: Received) -> dict:
        """The payload, decrypted as the browser would (RFC 8291, aes128gcm)."""
        assert received.headers["content-encoding"] == "aes128gcm"
        body = received.body
        # RFC 8188 header: salt (16), record size (4), key id length (1), key id: for web push
        # the key id is the push server's one-time public key.
        id_length = body[20]
        server_key = body[21 : 21 + id_length]
        assert id_length == 65
        assert server_key[0] == 4  # an uncompressed P-256 point
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), server_key)
        # http_ece takes the server's key from that header itself when no dh is given; given
        # one, version 1.2.1 tries to read the binary key id as UTF-8 and fails.
        plain = http_ece.decrypt(
            body,
            private_key=self.private_key,
            auth_secret=self.auth_secret,
            version="aes128gcm",
        )
        return json.loads(plain)


def verify_vapid(received: Received) -> tuple[dict, str]:
    """Check the VAPID JWT of a push request (RFC 8292): "vapid t=<jwt>, k=<key>", ES256 with a
    raw r||s signature, made with the public key k. Returns (claims, k)."""
    scheme, _, params = received.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    parts = dict(part.strip().split("=", 1) for part in params.split(","))
    token, key = parts["t"], parts["k"]
    header_b64, claims_b64, signature_b64 = token.split(".")
    assert json.loads(b64url_decode(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    signature = b64url_decode(signature_b64)
    assert len(signature) == 64
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    public.verify(
        encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        ),
        f"{header_b64}.{claims_b64}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )  # raises InvalidSignature
    return json.loads(b64url_decode(claims_b64)), key


@pytest.fixture(name="sink")
def running_sink():
    with PushSink() as sink:
        yield sink


@pytest.fixture(name="inline_tasks")
def inline_tasks_fixture(app):
    """Huey in immediate mode, running its tasks in this test's app."""
    queue_storage = tasks.huey.storage
    tasks.huey.immediate = True
    tasks.use_app(app)
    yield notify_tasks
    tasks.use_app(None)
    tasks.huey.immediate = False
    tasks.huey.storage.close()
    tasks.huey.storage = queue_storage


@pytest.fixture(name="wakes")
def recorded_wakes(monkeypatch, inline_tasks):
    """Wake-up calls recorded instead of delivering at once: the test runs the worker itself."""
    calls = []
    monkeypatch.setattr(notify_tasks, "wake_worker", lambda: calls.append(1))
    return calls


if __name__ == "__main__":
    # Run alone: print the origin, then serve (counting only) until stdin closes.
    sink = PushSink(record_bodies=False).start()
    print(sink.origin, flush=True)
    for line in sys.stdin:
        if line.strip() == "count":
            print(sink.count, flush=True)
    sink.stop()
