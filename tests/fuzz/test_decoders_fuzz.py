"""The fuzz harness at a small count: each decoder meets seeded, mutated inputs and raises
nothing but its declared error (bench/fuzz.py runs the same harness for a million per target).
"""

from __future__ import annotations

import pytest

from tests.support.fuzz.runner import run
from tests.support.fuzz.targets import TARGETS

INPUTS = {"snmp": 4000, "ipp": 4000, "ingest": 2000}
SEED = 8


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_it_raises_only_the_declared_error(name: str) -> None:
    report = run(TARGETS[name], INPUTS[name], SEED)
    assert report.inputs == INPUTS[name]
    assert [(c.error, c.where, c.data[:64].hex()) for c in report.crashes] == []
    rejected = sum(report.exceptions.values())
    # the inputs reach both sides: some decode, some are refused, for many different reasons
    assert 0 < rejected < report.inputs
    assert len(report.outcomes) >= 20


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_a_run_is_reproduced_by_its_seed(name: str) -> None:
    first, second = run(TARGETS[name], 150, SEED), run(TARGETS[name], 150, SEED)
    assert first.outcomes == second.outcomes
    assert run(TARGETS[name], 150, SEED + 1).outcomes != first.outcomes
