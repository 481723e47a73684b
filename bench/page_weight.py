"""Prints the compressed weight of each page's first load (HTML + the CSS and JS it links) and
of htmx partial swaps, against the budgets: 60 KB for a first load, 5 KB for a partial.

Run: .venv/bin/python bench/page_weight.py
"""

import gzip
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from community import create_app
from community.core.db import Base
from community.core.extensions import db
from community.demo import DEMO_PASSWORD, load_demo

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


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def client_for(app, login):
    client = app.test_client()
    if login:
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"login": login, "password": DEMO_PASSWORD, "csrf_token": token})
    return client


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/weight.db", "SECRET_KEY": "bench"}
        )
        with app.app_context():
            Base.metadata.create_all(db.engine)
            load_demo(db.session)
            db.session.commit()
        print(f"{'page':42} {'html':>7} {'assets':>7} {'total':>7}  (bytes, gzip -6)")
        for login, path in PAGES:
            client = client_for(app, login)
            response = client.get(path)
            if response.status_code != 200:
                print(f"{path:42} status {response.status_code}")
                continue
            html = response.get_data()
            assets = 0
            for url in ASSET_RE.findall(html.decode()):
                with client.get(url) as asset:
                    assets += gz(asset.get_data())
            label = f"{login or 'visitor'} {path}"
            total = gz(html) + assets
            flag = "" if total <= 60 * 1024 else "  OVER 60 KB"
            print(f"{label:42} {gz(html):7} {assets:7} {total:7}{flag}")
        print()
        for login, path in PARTIALS:
            client = client_for(app, login)
            response = client.get(path, headers={"HX-Request": "true"})
            size = gz(response.get_data())
            flag = "" if size <= 5 * 1024 else "  OVER 5 KB"
            print(f"partial {login} {path:40} {size:7}{flag}")


if __name__ == "__main__":
    main()
