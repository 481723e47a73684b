"""Paths to pages, built from the URL map, also where there is no request (workers)."""

from collections.abc import Callable

from flask import current_app, url_for

from community.core.input import MAX_ID


def path_for(endpoint: str, **values) -> str:
    adapter = current_app.url_map.bind("", script_name=current_app.config["APPLICATION_ROOT"])
    return adapter.build(endpoint, values)


def id_paths(endpoint: str, key: str, **values) -> Callable[[int], str]:
    """url_for(endpoint, **values, key=n) for every n, from one url_for: a list page links
    each of its rows, and building a URL costs more than the rest of a row. The row's id goes
    where a placeholder went (the largest id, which nothing else in a path spells)."""
    head, _sep, tail = url_for(endpoint, **values, **{key: MAX_ID}).partition(str(MAX_ID))
    return lambda number: f"{head}{number}{tail}"
