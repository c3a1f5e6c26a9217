"""Exponential backoff with jitter: one rule for every wait between attempts.

Restarts of a crashed child, retries of a failed job and attempts to open a resource that is
not up yet all wait by this rule, so one setting pair (initial, cap) reads the same everywhere.
"""

from __future__ import annotations

import random


def backoff_delay(attempt: int, initial: float, cap: float) -> float:
    """Exponential backoff with equal jitter: half fixed, half random, never above `cap`.

    Args:
        attempt: 1 for the first retry, 2 for the second, and so on.
        initial: the base delay of the first attempt.
        cap: the largest delay before jitter.
    """
    delay = min(cap, initial * 2.0 ** max(0, attempt - 1))
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not cryptography
