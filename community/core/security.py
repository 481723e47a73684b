"""Response headers every page carries: a strict CSP and friends, Vary for htmx, and no-store
for anything that depends on who is asking."""

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
    # One URL, two renderings: a full page, or its partial for htmx.
    response.vary.add("HX-Request")
    return response


def same_for_everyone(view):
    """Mark a view whose response never depends on who asks (the service worker script): it
    keeps the caching it sets itself."""
    view.same_for_everyone = True
    return view


def keep_personal_responses_out_of_caches(response):
    """Every page is no-store unless it is a static file or marked same_for_everyone: Back
    after logout would otherwise show the last person's inbox from the browser's cache.

    Why not only the pages of a logged-in person: the anonymous pages carry the session's CSRF
    token and flashes, and whether a response read the session cannot be told here (Flask marks
    every request's session as read, and Flask-Login reads it after every request), so the safe
    default is to store nothing dynamic. Static files keep their caching."""
    if request.endpoint == "static":
        return response
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "same_for_everyone", False):
        return response
    response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Expires", None)
    return response


def init_app(app: Flask) -> None:
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.after_request(add_security_headers)
    app.after_request(keep_personal_responses_out_of_caches)
