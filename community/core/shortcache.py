"""Figures kept for a few seconds in this process: summaries a busy page shows on every
request (the queue's counts per status, the staff's open loads) that may be a little old, as
long as the page says how old. Never for anything personal: a key names everything the value
depends on, and the values are plain data, never database rows bound to a session."""

import threading
import time
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app

MAX_ENTRIES = 512


class ShortCache:
    def __init__(self):
        self._values: dict[Hashable, tuple[float, datetime, Any]] = {}
        self._lock = threading.Lock()

    def get(
        self, key: Hashable, seconds: float, compute: Callable[[], Any]
    ) -> tuple[Any, datetime]:
        """The value for key and when it was computed: kept up to `seconds`, computed afresh
        after that (or every time when seconds is 0)."""
        now = time.monotonic()
        if seconds > 0:
            kept = self._values.get(key)
            if kept is not None and now - kept[0] < seconds:
                return kept[2], kept[1]
        value, computed_at = compute(), datetime.now(UTC)
        if seconds > 0:
            with self._lock:
                if len(self._values) >= MAX_ENTRIES:  # many filter combinations: start over
                    self._values.clear()
                self._values[key] = (now, computed_at, value)
        return value, computed_at

    def forget(self, key: Hashable) -> None:
        """Drop the kept value: the next get computes it afresh."""
        with self._lock:
            self._values.pop(key, None)


def short_cache(app: Flask | None = None) -> ShortCache:
    """The app's own cache: one app serves one community from one database."""
    app = app or current_app._get_current_object()
    return app.extensions.setdefault("short_cache", ShortCache())
