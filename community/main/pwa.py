"""The installable-app shell: manifest, service worker and the offline page."""

import hashlib
from functools import cache
from pathlib import Path

from flask import current_app, render_template, url_for
from flask_babel import gettext as _

from community.core.extensions import limiter
from community.core.security import same_for_everyone
from community.directory.current import community_card
from community.main.views import bp

# What the service worker keeps for offline use: the look of the app and the offline page.
SHELL_STATIC = [
    "css/app.css",
    "vendor/htmx.min.js",
    "js/app.js",
    "css/help.css",
    "js/help.js",
    "js/read-aloud.js",
    "icons/sprite.svg",
    "icons/icon-192.png",
    "icons/icon-512.png",
]
THEME_COLOR = "#0b5f4a"


@cache
def shell_version(static_folder: str) -> str:
    """Changes whenever a shell file changes, so that the worker re-caches it."""
    digest = hashlib.sha256()
    for name in SHELL_STATIC:
        digest.update((Path(static_folder) / name).read_bytes())
    return digest.hexdigest()[:12]


@bp.get("/manifest.webmanifest")
@limiter.exempt
def manifest():
    community = community_card()
    name = community.name if community else _("Smart Community")
    icon = lambda size, purpose: {  # noqa: E731
        "src": url_for("static", filename=f"icons/icon-{size}.png"),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": purpose,
    }
    body = {
        "name": name,
        "short_name": _("Community"),
        "description": _("Repairs, services, activities and care for our community."),
        "start_url": url_for("main.home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            icon(192, "any"),
            icon(512, "any"),
            {**icon(512, "maskable"), "src": url_for("static", filename="icons/maskable-512.png")},
        ],
    }
    response = current_app.response_class(
        current_app.json.dumps(body), mimetype="application/manifest+json"
    )
    return response


@bp.get("/sw.js")
@limiter.exempt
@same_for_everyone
def service_worker():
    shell = [url_for("static", filename=name) for name in SHELL_STATIC]
    shell.append(url_for("main.offline"))
    body = render_template(
        "pwa/sw.js",
        version=shell_version(current_app.static_folder),
        shell=shell,
        offline_url=url_for("main.offline"),
    )
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
@limiter.exempt
def offline():
    return render_template("pwa/offline.html")
