"""Simulated supply level histories with known answers, for forecast tests and the bench.

A cartridge loses ``rate`` percent a day from ``start``; the printer is read every ``poll``
and reports the true level through ``report`` (whole percent, or coarse steps). The answer is
exact: the true level reaches 0 at ``start / rate`` days after the first reading.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from printscout.server.alerts.forecast import LevelPoint

T0 = datetime(2026, 10, 1, tzinfo=UTC)
PAGES_PER_PERCENT = 50  # a 5,000-page cartridge


def whole(level: float) -> int:
    """What most printers report: the level rounded to a whole percent."""
    return max(0, round(level))


def steps(size: int, how: Callable[[float], float] = math.ceil) -> Callable[[float], int]:
    """A coarse gauge: the level in steps of ``size`` percent (rounded up by default)."""
    return lambda level: max(0, int(how(level / size)) * size)


@dataclass(frozen=True, slots=True)
class History:
    """A simulated history and the moment its cartridge is truly empty."""

    points: list[LevelPoint]
    now: datetime
    empty_at: datetime

    @property
    def days_left(self) -> float:
        """The true days from ``now`` until empty."""
        return (self.empty_at - self.now).total_seconds() / 86_400


def linear(
    start: float = 90.0,
    rate: float = 1.5,
    days: float = 20.0,
    poll: timedelta = timedelta(hours=6),
    report: Callable[[float], int] = whole,
    origin: datetime = T0,
    pages0: int = 100_000,
) -> History:
    """One cartridge used at a steady rate, read for ``days`` days."""
    points = []
    at = origin
    while at <= origin + timedelta(days=days):
        elapsed = (at - origin).total_seconds() / 86_400
        level = start - rate * elapsed
        pages = pages0 + int(rate * elapsed * PAGES_PER_PERCENT)
        points.append(LevelPoint(at, report(level), pages))
        at += poll
    return History(points, points[-1].at, origin + timedelta(days=start / rate))


def shaken(history: History, on_day: float, bump: int = 8, lasting: int = 6) -> History:
    """The same history with the cartridge shaken on ``on_day``: ``lasting`` readings show
    ``bump`` points more, then it reads true again."""
    start = history.points[0].at + timedelta(days=on_day)
    points = list(history.points)
    first = next(i for i, p in enumerate(points) if p.at >= start)
    for i in range(first, min(first + lasting, len(points))):
        p = points[i]
        points[i] = LevelPoint(p.at, min(100, p.percent + bump), p.pages)
    return History(points, history.now, history.empty_at)


def replaced(old_days: float = 8.0, rate: float = 2.0, days_after: float = 12.0) -> History:
    """A nearly empty cartridge read for ``old_days``, then a full one read for ``days_after``."""
    old = linear(start=20.0, rate=rate, days=old_days)
    swap = old.points[-1].at + timedelta(hours=6)
    pages = old.points[-1].pages or 0
    new = linear(start=100.0, rate=rate, days=days_after, origin=swap, pages0=pages)
    return History(old.points + new.points, new.now, new.empty_at)
