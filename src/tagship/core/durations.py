"""Durations given by people (options, environment variables): checked before any wait."""

from __future__ import annotations

import math

# a year: more than any release waits for, and far below what sleep() and socket timeouts
# accept (a huge finite value would crash them, not wait)
MAX_SECONDS = 365 * 24 * 3600.0


def seconds(value: str | float, *, positive: bool = False) -> float:
    """`value` as a number of seconds, >= 0 (> 0 when `positive`) and at most a year.

    ValueError names the value and the range: `nan` would never compare as expired and `inf`
    would never expire, so a wait on either would hang.
    """
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    low_ok = number > 0 if positive else number >= 0
    if not (low_ok and number <= MAX_SECONDS):  # also refuses nan, which compares False
        low = "> 0" if positive else ">= 0"
        raise ValueError(
            f"{value!r} is not a number of seconds {low} and <= {MAX_SECONDS:.0f} (a year)"
        )
    return number
