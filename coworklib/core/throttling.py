"""Fixed-window allowances counted in the Django cache: "at most N of these per hour".

The counters live in the cache shared by every process (docs/decisions/0001-shared-cache.md).
Each window starts with the first use counted in it. The read-modify-write is not atomic:
concurrent requests can each get one past the limit, an overshoot bounded by the number of
workers, which every caller accepts. Call it outside any transaction: with the database
cache, a counter written inside one would be rolled back with the refused request.
"""

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import ngettext

from coworklib.core.errors import DomainError


@dataclass(frozen=True)
class Allowance:
    """``uses`` per ``seconds``, counted under ``key`` (one key per person, address or IP digest)."""

    key: str
    uses: int
    seconds: int


def consume(allowances: Sequence[Allowance]) -> int | None:
    """Count one use in each allowance and return None; or, when one is used up, count nothing and
    return how many seconds until the last used-up one starts again (for ``Retry-After``)."""
    now = time.time()
    windows = []
    for allowance in allowances:
        window = cache.get(allowance.key)
        if not isinstance(window, dict) or window.get("ends_at", 0) <= now:
            window = {"ends_at": now + allowance.seconds, "used": 0}
        windows.append((allowance, window))
    used_up = [window for allowance, window in windows if window.get("used", 0) >= allowance.uses]
    if used_up:
        return max(max(1, math.ceil(window["ends_at"] - now)) for window in used_up)
    for allowance, window in windows:
        window["used"] = window.get("used", 0) + 1
        cache.set(allowance.key, window, timeout=max(1, math.ceil(window["ends_at"] - now)))
    return None


class Throttled(DomainError):
    """An allowance is used up: 429, with ``retry_after`` seconds and a message saying when to try again."""

    status = 429
    code = "throttled"

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(self.explain(minutes=max(1, math.ceil(retry_after / 60))))
        self.retry_after = retry_after

    def explain(self, *, minutes: int) -> str:
        """What happened and when to try again, translated; each kind says it in its own words."""
        return ngettext(
            "Trop de demandes en peu de temps. Réessayez dans %(minutes)d minute.",
            "Trop de demandes en peu de temps. Réessayez dans %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
