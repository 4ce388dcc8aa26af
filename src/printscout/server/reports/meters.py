"""Pure rules for counters and levels over a period: deltas across resets, supply usage.

Counter rule (billing). The values of one counter, oldest first, begin with the last value
before the period (when there is one). Pages are the sum of the increases between consecutive
values; a value that went down is either

- a glitch, when the next value is back at or above the last good one: that value is skipped
  (one bad read must neither lose nor invent pages), or
- a reset (new board, firmware reset): a new segment begins at the value after the drop, and
  the pages of each segment are added. Pages printed between the last read before the reset and
  the first read after it are not counted: the counter may have restarted at any value, so
  counting from zero could bill pages that were never printed.

So a delta is never negative, and equals ``end - start`` when nothing went down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise


@dataclass(frozen=True, slots=True)
class CounterChange:
    """What one counter did over a period."""

    start: int | None
    end: int | None
    delta: int | None
    resets: int = 0
    glitches: int = 0


def counter_change(values: Sequence[int | None]) -> CounterChange:
    """Start, end and pages of one counter from its values oldest first (None: not given)."""
    known = [v for v in values if v is not None]
    if not known:
        return CounterChange(None, None, None)
    base, delta, resets, glitches = known[0], 0, 0, 0
    for i, value in enumerate(known[1:], start=1):
        if value >= base:
            delta += value - base
            base = value
            continue
        following = known[i + 1] if i + 1 < len(known) else None
        if following is not None and following >= base:
            glitches += 1
            continue
        resets += 1
        base = value
    return CounterChange(known[0], known[-1], delta, resets, glitches)


def level_usage(levels: Sequence[int | None]) -> int | None:
    """Percentage points a supply used: the sum of its level's falls (refills are not usage)."""
    known = [v for v in levels if v is not None]
    if not known:
        return None
    return sum(max(0, a - b) for a, b in pairwise(known))
