"""The load bench's batch comparison: server against outbox, id by id."""

from __future__ import annotations

from bench.load_check import compare_batches


def test_batches_acked_by_the_collector_and_stored_by_the_server_match() -> None:
    got = compare_batches({"a": 20, "b": 20}, {"a": ("acked", 20), "b": ("acked", 20)})
    assert got == {"in_flight_at_stop": 0, "batches_match": True}


def test_a_batch_answered_while_the_collector_stopped_is_in_flight_not_a_mismatch() -> None:
    got = compare_batches({"a": 20, "b": 20}, {"a": ("acked", 20), "b": ("pending", 20)})
    assert got == {"in_flight_at_stop": 1, "batches_match": True}


def test_an_acked_batch_missing_on_the_server_is_a_mismatch() -> None:
    got = compare_batches({"a": 20}, {"a": ("acked", 20), "b": ("acked", 20)})
    assert got["batches_match"] is False


def test_a_server_batch_the_collector_never_sealed_is_a_mismatch_not_in_flight() -> None:
    got = compare_batches({"a": 20, "x": 5}, {"a": ("acked", 20)})
    assert got == {"in_flight_at_stop": 0, "batches_match": False}


def test_a_batch_stored_with_other_readings_than_sealed_is_a_mismatch() -> None:
    got = compare_batches({"a": 19}, {"a": ("acked", 20)})
    assert got["batches_match"] is False
