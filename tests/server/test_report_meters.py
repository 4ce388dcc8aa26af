"""The counter rule of billing reports (glitches, resets) and supply usage, without a database."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from printscout.server.reports.meters import CounterChange, counter_change, level_usage


def test_it_takes_the_difference_when_the_counter_only_rises() -> None:
    assert counter_change([100, 150, 150, 400]) == CounterChange(100, 400, 300)


def test_it_ignores_values_the_device_did_not_give() -> None:
    assert counter_change([None, 100, None, 130]) == CounterChange(100, 130, 30)
    assert counter_change([None, None]) == CounterChange(None, None, None)
    assert counter_change([]) == CounterChange(None, None, None)


def test_it_adds_the_segments_around_a_reset() -> None:
    # 1000 → 1200, reset, 10 → 60 → 90: 200 + 80 pages.
    assert counter_change([1000, 1200, 10, 60, 90]) == CounterChange(1000, 90, 280, resets=1)


def test_it_treats_a_drop_at_the_last_value_as_a_reset() -> None:
    assert counter_change([1000, 1200, 30]) == CounterChange(1000, 30, 200, resets=1)


def test_it_skips_a_single_bad_read_that_the_next_value_contradicts() -> None:
    assert counter_change([1000, 3, 1100]) == CounterChange(1000, 1100, 100, glitches=1)


def test_it_counts_two_resets() -> None:
    assert counter_change([500, 700, 0, 50, 20, 25]) == CounterChange(500, 25, 255, resets=2)


@given(st.lists(st.one_of(st.none(), st.integers(0, 10**9)), max_size=30))
def test_it_never_reports_negative_pages(values: list[int | None]) -> None:
    delta = counter_change(values).delta
    assert delta is None or delta >= 0


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=30))
def test_it_equals_end_minus_start_without_a_drop(steps: list[int]) -> None:
    values = [sum(steps[: i + 1]) for i in range(len(steps))]
    change = counter_change(values)
    assert change.delta == values[-1] - values[0]
    assert (change.resets, change.glitches) == (0, 0)


def test_it_sums_the_falls_of_a_supply_level_and_not_its_refills() -> None:
    assert level_usage([50, 30, 95, 90]) == 25
    assert level_usage([None, 40, None, 40]) == 0
    assert level_usage([None]) is None
