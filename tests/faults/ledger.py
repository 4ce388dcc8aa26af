"""What the fault tests read from a collector's log, and how they report their figures."""

from __future__ import annotations

import re

from tests.support.collector_service import CollectorProcess, Delivery


def log_text(collector: CollectorProcess) -> str:
    """Everything the collector logged so far (all its runs)."""
    assert collector.stderr is not None
    return collector.stderr.read_text(errors="replace") if collector.stderr.exists() else ""


def polls(collector: CollectorProcess) -> int:
    """Polls (and discoveries) that produced readings."""
    return len(re.findall(r" (\d+) readings read", log_text(collector)))


def readings_read(collector: CollectorProcess) -> int:
    """Readings the collector produced, as it logged them (before any storage)."""
    return sum(int(n) for n in re.findall(r" (\d+) readings read", log_text(collector)))


def already_stored(collector: CollectorProcess) -> int:
    """Batches the server answered as stored before (an acknowledgement lost on the way)."""
    return sum(int(n) for n in re.findall(r"\((\d+) already stored\)", log_text(collector)))


def failed_uploads(collector: CollectorProcess) -> int:
    """Upload attempts that failed (each followed by a backoff delay)."""
    return log_text(collector).count("upload failed")


def backoff_delays(collector: CollectorProcess) -> list[float]:
    """The delays the collector chose after each failed upload, in order."""
    return [
        float(d) for d in re.findall(r"upload failed; next try in ([\d.]+) s", log_text(collector))
    ]


def report(scenario: str, found: Delivery, **extra: object) -> None:
    """One line of figures (``pytest -s`` shows it; docs/faults.md quotes a run)."""
    figures = {
        "produced": found.produced, "stored": found.stored, "lost": found.lost,
        "doubled": found.doubled, "batches": len(found.stored_batches), **extra,
    }  # fmt: skip
    print(f"\nFAULTS {scenario}: " + " ".join(f"{k}={v}" for k, v in figures.items()))
