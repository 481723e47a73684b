"""Prints the bytes a browser is actually sent for each page's first load (the HTML and the CSS
and JS it links) and for htmx partial swaps, against the budgets: 30 KB for a first load, 5 KB
for a partial.

Run: .venv/bin/python bench/page_weight.py [--accept-encoding "gzip, deflate, br, zstd"]

The requests carry the Accept-Encoding a browser sends, and the figures are the response bodies
as the app sends them (compressed or not, as it chose), so switching compression off
(COMMUNITY_COMPRESS_RESPONSES=0) shows what a proxy would have to make up for.
"""

import argparse
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from community import create_app
from community.core.db import Base
from community.core.extensions import db
from community.demo import DEMO_PASSWORD, load_demo

FIRST_LOAD_BUDGET, PARTIAL_BUDGET = 30 * 1024, 5 * 1024
# What Chromium sends over HTTPS (over plain HTTP it leaves out br and zstd).
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"
PAGES = [
    (None, "/"),
    (None, "/login"),
    ("13800000005", "/"),
    ("13800000005", "/repairs"),
    ("13800000005", "/repairs/new"),
    ("13800000005", "/repairs/1"),
    ("13800000006", "/"),
    ("13800000002", "/"),
    ("13800000002", "/operator/orders"),
    ("13800000002", "/repairs/2"),
    ("13800000003", "/work"),
]
PARTIALS = [
    ("13800000002", "/operator/people?q=周"),
    ("13800000002", "/operator/orders?status=submitted"),
    ("13800000005", "/repairs/new?place=2"),
]
ASSET_RE = re.compile(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"')


def client_for(app, login):
    client = app.test_client()
    if login:
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"login": login, "password": DEMO_PASSWORD, "csrf_token": token})
    return client


def sent(client, path: str, encodings: str, **headers) -> tuple[int, int, str, str]:
    """(status, bytes sent, bytes as HTML, encoding): the body on the wire, as sent."""
    headers = {"Accept-Encoding": encodings, **headers} if encodings else headers
    with client.get(path, headers=headers) as response:
        wire = response.get_data()
        encoding = response.headers.get("Content-Encoding", "")
    with client.get(
        path, headers={k: v for k, v in headers.items() if k != "Accept-Encoding"}
    ) as plain:
        text = plain.get_data(as_text=True)
    return response.status_code, len(wire), text, encoding


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accept-encoding", default=BROWSER_ENCODINGS)
    options = parser.parse_args()
    encodings = options.accept_encoding
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/weight.db", "SECRET_KEY": "bench"}
        )
        with app.app_context():
            Base.metadata.create_all(db.engine)
            load_demo(db.session)
            db.session.commit()
        print(f"Accept-Encoding: {encodings or '(none)'}")
        print(f"{'page':42} {'html':>7} {'assets':>7} {'total':>7} {'plain':>7}  (bytes sent)")
        worst = 0
        for login, path in PAGES:
            client = client_for(app, login)
            status, html_sent, html, encoding = sent(client, path, encodings)
            if status != 200:
                print(f"{path:42} status {status}")
                continue
            assets_sent = assets_plain = 0
            for url in ASSET_RE.findall(html):
                _status, size, text, _encoding = sent(client, url, encodings)
                assets_sent += size
                assets_plain += len(text.encode())
            label = f"{login or 'visitor'} {path}"
            total = html_sent + assets_sent
            plain = len(html.encode()) + assets_plain
            worst = max(worst, total)
            flag = "" if total <= FIRST_LOAD_BUDGET else "  OVER 30 KB"
            print(
                f"{label:42} {html_sent:7} {assets_sent:7} {total:7} {plain:7} "
                f"{encoding or 'identity'}{flag}"
            )
        print(f"heaviest first load: {worst} bytes (budget {FIRST_LOAD_BUDGET})")
        print()
        for login, path in PARTIALS:
            client = client_for(app, login)
            _status, size, html, encoding = sent(client, path, encodings, **{"HX-Request": "true"})
            flag = "" if size <= PARTIAL_BUDGET else "  OVER 5 KB"
            print(
                f"partial {login} {path:40} {size:7} {len(html.encode()):7} "
                f"{encoding or 'identity'}{flag}"
            )


if __name__ == "__main__":
    main()
