"""Forecast error on simulated histories: ``python -m bench.forecast_accuracy``.

For each kind of history (steady use, coarse 10 % steps, a shaken cartridge, a replacement
mid-history) it varies the rate, starting level and history length, forecasts, and prints the
mean and largest absolute error in days against the known answer.
"""

from __future__ import annotations

import itertools
import math
import random
import statistics
from collections.abc import Callable, Iterator

from printscout.server.alerts.forecast import ForecastStatus, forecast
from tests.support.histories import History, linear, replaced, shaken, steps

RATES = (0.5, 1.0, 2.0, 4.0)
STARTS = (60.0, 80.0, 100.0)
SHARES = (0.3, 0.5, 0.7)  # share of the cartridge's life already seen


def _linear(report: Callable[[float], int]) -> Iterator[History]:
    for rate, start, share in itertools.product(RATES, STARTS, SHARES):
        yield linear(start=start, rate=rate, days=start / rate * share, report=report)


def _noisy() -> Iterator[History]:
    rng = random.Random(7)  # fixed seed: the same histories every run

    def jitter(level: float) -> int:
        return max(0, round(level + rng.uniform(-1.0, 1.0)))

    return _linear(jitter)


def _shaken() -> Iterator[History]:
    for h in _linear(round):
        yield shaken(h, on_day=(h.now - h.points[0].at).total_seconds() / 86_400 * 0.6)


def _replaced() -> Iterator[History]:
    for rate, share in itertools.product(RATES, SHARES):
        yield replaced(old_days=8 / rate, rate=rate, days_after=100 / rate * share)


CASES: dict[str, Callable[[], Iterator[History]]] = {
    "steady use, whole percent": lambda: _linear(round),
    "coarse 10 % steps (rounded up)": lambda: _linear(steps(10)),
    "coarse 10 % steps (rounded down)": lambda: _linear(steps(10, math.floor)),
    "whole percent, ±1 point read noise": _noisy,
    "shaken cartridge (+8 for 6 reads)": _shaken,
    "replacement mid-history": _replaced,
}


def main() -> None:
    """Print one line per kind of history."""
    print(
        f"{'history':36} {'n':>3} {'short':>5} {'mean |err| d':>12} {'max |err| d':>11} "
        f"{'mean rel':>8} {'mean conf':>9} {'in margin':>9}"
    )
    for name, make in CASES.items():
        errors, relative, confidence, short, inside = [], [], [], 0, 0
        for history in make():
            found = forecast(history.points, history.now)
            if found.status is ForecastStatus.NOT_ENOUGH_HISTORY:
                short += 1  # a coarse gauge changed too seldom yet: said so, not guessed
                continue
            if found.days_left is None:
                raise SystemExit(f"{name}: no forecast ({found.reason})")
            errors.append(abs(found.days_left - history.days_left))
            relative.append(errors[-1] / history.days_left)
            confidence.append(found.confidence)
            inside += errors[-1] <= (found.margin_days or 0) + 0.25
        print(
            f"{name:36} {len(errors):3} {short:5} {statistics.fmean(errors):12.2f} "
            f"{max(errors):11.2f} {statistics.fmean(relative):8.1%} "
            f"{statistics.fmean(confidence):9.2f} {inside / len(errors):9.0%}"
        )


if __name__ == "__main__":
    main()
