"""WTForms' html_params(), written for speed: the same attributes, in the same order, escaped
the same way.

Every form field a page renders goes through html_params(), and WTForms builds each attribute
with Markup.format(), which runs Python's string.Formatter: on the report form (a dozen
category buttons, a picker of places) it was a quarter of the page's CPU. `install()` puts this
version where WTForms looks for it (the module function, its re-export, and the two widget
classes that keep their own reference); tests/core/test_htmlparams.py checks, on generated
input, that it writes exactly what WTForms' own does, and that it is the one in use.
"""

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.widgets import core

original = core.html_params


def html_params(**kwargs) -> Markup:
    params = []
    for key, value in sorted(kwargs.items()):
        key = key.rstrip("_")
        if key.startswith(("data_", "aria_")):
            key = key.replace("_", "-")
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            value = str(escape(value))
            if '"' in value:  # markup given as a value keeps its own quotes: not in an attribute
                value = value.replace('"', "&quot;")
            params.append(f'{escape(key)}="{value}"')
    return Markup(" ".join(params))


def install() -> None:
    core.html_params = html_params
    widgets.html_params = html_params
    core.Input.html_params = staticmethod(html_params)
    core.Button.html_params = staticmethod(html_params)
