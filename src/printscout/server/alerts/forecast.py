"""Supply forecasts from level history: days until empty, replacements, pages per cartridge.

Pure functions over frozen dataclasses. The method, step by step:

1. Split the history at replacements: a level that rose by ``jump`` points or more, or a
   cartridge serial that changed.
2. In the newest cartridge's segment take the running minimum, so a shaken cartridge (a bump
   up smaller than ``jump`` that sinks back) reads as a plateau and moves nothing.
3. Keep only the moments the level *changed*, each at the middle of the old and new level
   (and of the two readings around the change):
   with coarse levels (10 % steps) the true level crossed that boundary then, whereas the
   readings in between only repeat the step and would flatten the fit.
4. Fit level = a + b·t with Theil–Sen (median of pairwise slopes): a few odd points cannot
   turn it. Empty is where the line reaches 0; the confidence is the fit's R² scaled down
   for few points or a short span.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

DAY_S: Final = 86_400.0


class ForecastStatus(StrEnum):
    """Whether a forecast could be made, and if not why."""

    OK = "ok"
    NOT_ENOUGH_HISTORY = "not_enough_history"
    NOT_CONSUMING = "not_consuming"
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class LevelPoint:
    """A supply's level (percent) at a moment, with the device's page counter and the
    cartridge's serial if known."""

    at: datetime
    percent: int
    pages: int | None = None
    serial: str | None = None


@dataclass(frozen=True, slots=True)
class ForecastRules:
    """How much history a forecast needs and what counts as a replacement."""

    jump: int = 20
    min_changes: int = 3
    min_span: timedelta = timedelta(days=2)
    full_confidence_changes: int = 8
    full_confidence_span: timedelta = timedelta(days=14)


DEFAULT_RULES: Final = ForecastRules()


@dataclass(frozen=True, slots=True)
class Forecast:
    """Days until a supply is empty, with how sure the fit is (0..1) and why not if no answer."""

    status: ForecastStatus
    level_percent: int | None
    days_left: float | None = None
    empty_at: datetime | None = None
    percent_per_day: float | None = None
    # Half the gauge's typical step, in days: a coarse gauge cannot say more precisely.
    margin_days: float | None = None
    confidence: float = 0.0
    points_used: int = 0
    installed_at: datetime | None = None
    pages_per_cartridge: int | None = None
    reason: str = ""


def segments(points: Sequence[LevelPoint], jump: int) -> list[list[LevelPoint]]:
    """The history split into one run per cartridge: a rise of ``jump`` points or another
    cartridge serial starts a new one."""
    runs: list[list[LevelPoint]] = []
    for point in sorted(points, key=lambda p: p.at):
        if runs and not _new_cartridge(runs[-1][-1], point, jump):
            runs[-1].append(point)
        else:
            runs.append([point])
    return runs


def _new_cartridge(before: LevelPoint, after: LevelPoint, jump: int) -> bool:
    swapped = bool(before.serial and after.serial and before.serial != after.serial)
    return swapped or after.percent - before.percent >= jump


def replacements(points: Sequence[LevelPoint], jump: int = 20) -> list[datetime]:
    """The moments a new cartridge was seen (each segment start but the first)."""
    return [run[0].at for run in segments(points, jump)[1:]]


def changes(run: Sequence[LevelPoint]) -> list[tuple[float, float]]:
    """(seconds, level) where the running minimum fell: at the middle of the old and new level,
    and of the reading before and the one that saw it (it fell somewhere in between)."""
    out: list[tuple[float, float]] = []
    low = run[0].percent
    origin = run[0].at
    for before, point in itertools.pairwise(run):
        if point.percent < low:
            seconds = ((before.at - origin) + (point.at - origin)).total_seconds() / 2
            out.append((seconds, (low + point.percent) / 2))
            low = point.percent
    return out


def theil_sen(xy: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Intercept and slope of the Theil–Sen line through ``xy`` (at least two distinct x)."""
    slopes = [
        (y2 - y1) / (x2 - x1) for i, (x1, y1) in enumerate(xy) for x2, y2 in xy[i + 1 :] if x2 != x1
    ]
    slope = statistics.median(slopes)
    intercept = statistics.median(y - slope * x for x, y in xy)
    return intercept, slope


def r_squared(xy: Sequence[tuple[float, float]], intercept: float, slope: float) -> float:
    """Share of the level's variance the line explains (0 when it explains nothing)."""
    mean = statistics.fmean(y for _, y in xy)
    total = sum((y - mean) ** 2 for _, y in xy)
    residual = sum((y - intercept - slope * x) ** 2 for x, y in xy)
    return max(0.0, 1.0 - residual / total) if total else 0.0


def forecast(
    points: Sequence[LevelPoint], now: datetime, rules: ForecastRules = DEFAULT_RULES
) -> Forecast:
    """The forecast for one supply from its level history (any order, any polling rate)."""
    if not points:
        return Forecast(ForecastStatus.NOT_ENOUGH_HISTORY, None, reason="no level readings")
    runs = segments(points, rules.jump)
    run = runs[-1]
    level = run[-1].percent
    installed = run[0].at if len(runs) > 1 else None
    per_cartridge = pages_per_cartridge(runs)
    base = Forecast(
        ForecastStatus.NOT_ENOUGH_HISTORY,
        level,
        installed_at=installed,
        pages_per_cartridge=per_cartridge,
    )
    if level <= 0:
        return _with(base, ForecastStatus.EMPTY, days_left=0.0, empty_at=run[-1].at, confidence=1.0)
    xy = changes(run)
    span = timedelta(seconds=xy[-1][0] - xy[0][0]) if xy else timedelta()
    if len(xy) < rules.min_changes or span < rules.min_span:
        reason = (
            f"{len(xy)} level changes over {span.total_seconds() / DAY_S:.1f} days since "
            f"{'the replacement' if installed else 'the first reading'}; a forecast needs "
            f"{rules.min_changes} over {rules.min_span.total_seconds() / DAY_S:g} days"
        )
        return _with(base, ForecastStatus.NOT_ENOUGH_HISTORY, reason=reason)
    return _fit(base, run[0].at, xy, now, rules)


def _fit(
    base: Forecast,
    origin: datetime,
    xy: list[tuple[float, float]],
    now: datetime,
    rules: ForecastRules,
) -> Forecast:
    intercept, slope = theil_sen(xy)
    per_day = -slope * DAY_S
    if per_day <= 0:
        return _with(base, ForecastStatus.NOT_CONSUMING, reason="the level is not falling")
    empty_at = origin + timedelta(seconds=-intercept / slope)
    step = -statistics.median(b[1] - a[1] for a, b in itertools.pairwise(xy))
    span = (xy[-1][0] - xy[0][0]) / rules.full_confidence_span.total_seconds()
    enough = min(1.0, len(xy) / rules.full_confidence_changes, span)
    return _with(
        base,
        ForecastStatus.OK,
        days_left=max(0.0, (empty_at - now).total_seconds() / DAY_S),
        empty_at=empty_at,
        percent_per_day=per_day,
        margin_days=max(step, 1.0) / 2 / per_day,
        confidence=round(r_squared(xy, intercept, slope) * enough, 3),
        points_used=len(xy),
    )


def _with(base: Forecast, status: ForecastStatus, **values: Any) -> Forecast:
    return replace(base, status=status, **values)


def pages_per_cartridge(runs: Sequence[Sequence[LevelPoint]]) -> int | None:
    """Pages printed per whole cartridge: the median of finished cartridges' page counts,
    else the current one's pages per point used, scaled to 100 points."""
    finished = [
        run_next[0].pages - run[0].pages
        for run, run_next in itertools.pairwise(runs)
        if run[0].pages is not None and run_next[0].pages is not None
    ]
    if len(runs) > 2 and finished[1:]:
        # The first run starts mid-cartridge: only runs that began with a replacement count.
        return int(statistics.median(finished[1:]))
    run = runs[-1]
    used = run[0].percent - run[-1].percent
    if run[0].pages is None or run[-1].pages is None or used < 10:
        return None
    return round((run[-1].pages - run[0].pages) * 100 / used)
