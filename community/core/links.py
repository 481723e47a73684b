"""Paths to pages, built from the URL map, also where there is no request (workers)."""

from flask import current_app


def path_for(endpoint: str, **values) -> str:
    adapter = current_app.url_map.bind("", script_name=current_app.config["APPLICATION_ROOT"])
    return adapter.build(endpoint, values)
