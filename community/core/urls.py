"""The app's Flask class: the same as Flask, except that a URL built in a request is kept.

A page of 25 work orders, or of 20 people each with a form per role, builds a few hundred
URLs, and werkzeug builds each one anew (about 25 µs on the development machine, a millisecond
or more of a list page). The same endpoint with the same values in the same mount gives the
same path, so the path is kept, keyed by everything that goes into it: the mount point
(SCRIPT_NAME), the host, the endpoint after a leading "." is resolved, and each value with its
type (1 and True are equal keys but build different paths). Only paths relative to the site
are kept: a URL with a scheme, a host, a method or an anchor is built every time, and so is
one whose values cannot be a key (a list for a repeated argument). The app registers no
url_defaults; if one ever is, nothing is kept.
"""

from flask import Flask
from flask.globals import _cv_request

KEPT_URLS = 8192


class CommunityFlask(Flask):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept_urls: dict[tuple, str] = {}

    def url_for(
        self,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values,
    ) -> str:
        context = _cv_request.get(None)
        if (
            context is None
            or _anchor is not None
            or _method is not None
            or _scheme is not None
            or _external
            or self.url_default_functions
        ):
            return super().url_for(
                endpoint,
                _anchor=_anchor,
                _method=_method,
                _scheme=_scheme,
                _external=_external,
                **values,
            )
        if endpoint[:1] == ".":
            blueprint = context.request.blueprint
            endpoint = f"{blueprint}{endpoint}" if blueprint is not None else endpoint[1:]
        adapter = context.url_adapter
        key = (
            adapter.script_name,
            adapter.server_name,
            adapter.subdomain,
            endpoint,
            *[(name, value.__class__, value) for name, value in values.items()],
        )
        try:
            return self._kept_urls[key]
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key
            return super().url_for(endpoint, **values)
        url = super().url_for(endpoint, **values)
        if len(self._kept_urls) >= KEPT_URLS:
            self._kept_urls.clear()
        self._kept_urls[key] = url
        return url
