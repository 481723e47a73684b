"""Responses compressed by the app (brotli, else gzip) when no proxy does it: Flask-Compress,
on unless COMPRESS_RESPONSES is off."""

from flask import Flask, request

from community.core.extensions import compress


def read_static_file_whole(response):
    """A static file is sent from an open file, as a stream; read it (ours are a few dozen KB)
    so that it is compressed like a page, with a Content-Length, gzip for browsers that ask
    only for it, its ETag made distinct and a 304 for a matching If-None-Match. Flask-Compress
    would compress the stream but never close the file under it."""
    if request.endpoint == "static" and response.status_code == 200:
        response.direct_passthrough = False
        response.make_sequence()
    return response


def init_app(app: Flask) -> None:
    if not app.config["COMPRESS_RESPONSES"]:
        return
    compress.init_app(app)
    # Registered after Flask-Compress's hook, so that it runs before it.
    app.after_request(read_static_file_whole)
