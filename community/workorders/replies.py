"""Ready-made replies the operator can send on a work order, per category."""

from flask_babel import lazy_gettext as _l

GENERAL = [
    ("received", _l("We have your report and will send someone as soon as we can.")),
    ("need_access", _l("Our staff need to come into your home. When are you in?")),
    ("more_info", _l("Could you tell us a little more, or add a photo?")),
]
BY_CATEGORY = {
    "plumbing": [
        ("water_off", _l("Please close the water valve under the sink until our plumber arrives.")),
    ],
    "electrical": [
        ("breaker", _l("Please switch off the breaker for that room and do not touch the wires.")),
    ],
    "elevator": [
        ("elevator_company", _l("The elevator company has been called and is on the way.")),
    ],
    "noise": [
        ("noise_visit", _l("We will talk to the neighbours concerned today.")),
    ],
}


def replies_for(category: str) -> list[tuple[str, str]]:
    return BY_CATEGORY.get(category, []) + GENERAL


def reply_text(category: str, key: str) -> str:
    return str(dict(replies_for(category)).get(key, ""))
