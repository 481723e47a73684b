"""Passwords too easy to guess: the common ones, and those made of the person's phone number.

The common ones are zxcvbn's list (the PyPI package `zxcvbn`, Dropbox's estimator): the 30,000
passwords seen most often in leaks, lower-cased. Only the list is used, as a frozenset built
once, so a check is one set lookup."""

import re
from functools import cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

# Spaces, dashes, dots and brackets people type between the digits of a number.
_SEPARATORS = re.compile(r"[\s\-.()+]")


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """On the list, whatever its letter case: "Password" is as weak as "password"."""
    return password.lower() in common_passwords()


def contains_phone(password: str, phone: str | None) -> bool:
    """The password holds the phone number, also when typed with spaces or dashes, or
    without the country code."""
    if not phone:
        return False
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 6:
        return False
    return digits in _SEPARATORS.sub("", password)
