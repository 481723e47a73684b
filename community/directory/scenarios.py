"""The nine scenarios of the community model: what services, activities and work fall under."""

from flask_babel import lazy_gettext as _l

SCENARIOS = {
    "neighborhood": _l("Neighbourhood"),
    "education": _l("Education"),
    "health": _l("Health"),
    "entrepreneurship": _l("Starting a business"),
    "construction": _l("Building and upkeep"),
    "transport": _l("Transport"),
    "low_carbon": _l("Low carbon"),
    "service": _l("Services"),
    "governance": _l("Community affairs"),
}
