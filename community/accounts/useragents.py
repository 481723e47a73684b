"""A device named from its browser's user agent, for the list of logged-in devices: enough for
a person to recognise their phone, not a fingerprint."""

from flask_babel import gettext as _

# First match wins: in-app browsers and Edge before the Chrome they are built on, and
# Chrome before the Safari every WebKit browser also claims to be.
BROWSERS = [
    ("MicroMessenger", "WeChat"),
    ("EdgA/", "Edge"),
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
]
SYSTEMS = [
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("HarmonyOS", "HarmonyOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("Macintosh", "Mac"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
]


def _first(user_agent: str, table: list[tuple[str, str]]) -> str | None:
    return next((name for marker, name in table if marker in user_agent), None)


def describe_device(user_agent: str) -> str:
    browser = _first(user_agent or "", BROWSERS)
    system = _first(user_agent or "", SYSTEMS)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown device")
