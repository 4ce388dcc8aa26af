"""Forecasts on simulated histories with known answers (see tests/support/histories.py)."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from printscout.server.alerts.forecast import (
    ForecastStatus,
    LevelPoint,
    forecast,
    replacements,
    theil_sen,
)
from tests.support.histories import T0, linear, replaced, shaken, steps


def test_it_forecasts_steady_use_to_within_a_day() -> None:
    history = linear(start=90, rate=1.5, days=20)
    found = forecast(history.points, history.now)
    assert found.status is ForecastStatus.OK
    assert found.days_left == pytest.approx(history.days_left, abs=0.5)
    assert found.percent_per_day == pytest.approx(1.5, rel=0.05)
    assert found.confidence > 0.9


@pytest.mark.parametrize("rounding", [math.ceil, math.floor, round])
def test_it_forecasts_coarse_ten_percent_levels_to_within_half_a_step(rounding: object) -> None:
    history = linear(start=95, rate=2.0, days=25, report=steps(10, rounding))  # type: ignore[arg-type]
    found = forecast(history.points, history.now)
    assert found.status is ForecastStatus.OK
    # Half a 10 % step at 2 %/day is 2.5 days: the most the gauge can tell apart.
    assert found.days_left == pytest.approx(history.days_left, abs=2.6)


def test_it_is_not_thrown_by_a_shaken_cartridge() -> None:
    plain = linear(start=80, rate=1.0, days=30)
    history = shaken(plain, on_day=22, bump=8, lasting=6)
    found = forecast(history.points, history.now)
    assert found.status is ForecastStatus.OK
    assert found.days_left == pytest.approx(history.days_left, abs=0.5)
    assert replacements(history.points) == []


def test_it_starts_again_after_a_replacement_mid_history() -> None:
    history = replaced(old_days=8, rate=2.0, days_after=12)
    found = forecast(history.points, history.now)
    swap = replacements(history.points)
    assert len(swap) == 1
    assert found.installed_at == swap[0]
    assert found.status is ForecastStatus.OK
    assert found.days_left == pytest.approx(history.days_left, abs=0.5)
    # 50 pages per percent: the current cartridge's rate scaled to a whole one.
    assert found.pages_per_cartridge == pytest.approx(5000, rel=0.02)


def test_it_says_when_there_is_not_enough_history() -> None:
    history = linear(start=90, rate=1.5, days=1)
    found = forecast(history.points, history.now)
    assert found.status is ForecastStatus.NOT_ENOUGH_HISTORY
    assert found.days_left is None
    assert "a forecast needs 3" in found.reason
    assert forecast([], T0).status is ForecastStatus.NOT_ENOUGH_HISTORY


def test_it_says_not_enough_history_just_after_a_replacement() -> None:
    history = replaced(old_days=10, rate=2.0, days_after=1)
    found = forecast(history.points, history.now)
    assert found.status is ForecastStatus.NOT_ENOUGH_HISTORY
    assert "since the replacement" in found.reason


def test_it_reports_a_supply_that_is_not_falling_and_one_that_is_empty() -> None:
    flat = [LevelPoint(T0 + timedelta(days=d), 50) for d in range(10)]
    assert forecast(flat, flat[-1].at).status is ForecastStatus.NOT_ENOUGH_HISTORY
    empty = linear(start=10, rate=2.0, days=6)
    found = forecast(empty.points, empty.now)
    assert (found.status, found.days_left) == (ForecastStatus.EMPTY, 0.0)


def test_it_counts_pages_per_cartridge_from_whole_cartridges() -> None:
    first = replaced(old_days=9, rate=2.0, days_after=49)  # the new one runs out too
    then = linear(start=100, rate=2.0, days=5, origin=first.now + timedelta(hours=6),
                  pages0=first.points[-1].pages or 0)  # fmt: skip
    found = forecast(first.points + then.points, then.now)
    assert found.pages_per_cartridge == pytest.approx(5000, rel=0.02)


def test_it_fits_a_line_that_ignores_an_outlier() -> None:
    xy = [(0.0, 10.0), (1.0, 9.0), (2.0, 8.0), (3.0, 50.0), (4.0, 6.0)]
    intercept, slope = theil_sen(xy)
    assert (intercept, slope) == pytest.approx((10.0, -1.0))


def test_it_gives_a_coarse_gauge_a_wider_margin() -> None:
    fine = linear(start=95, rate=2.0, days=25)
    coarse = linear(start=95, rate=2.0, days=25, report=steps(10))
    assert forecast(fine.points, fine.now).margin_days == pytest.approx(0.25)
    assert forecast(coarse.points, coarse.now).margin_days == pytest.approx(2.5)


def test_it_sees_a_swapped_cartridge_by_its_serial_without_a_level_jump() -> None:
    old = [LevelPoint(T0 + timedelta(days=d), 30 - d, serial="CRG-A") for d in range(6)]
    # A half-used cartridge from another printer: the level rises by only 15 points.
    new = [LevelPoint(T0 + timedelta(days=6 + d), 40 - 2 * d, serial="CRG-B") for d in range(6)]
    assert replacements(old + new) == [new[0].at]
    found = forecast(old + new, new[-1].at)
    assert found.installed_at == new[0].at
    assert found.percent_per_day == pytest.approx(2.0, rel=0.05)
