"""Readings the outbox could not store because its disk is full, kept in memory until it can.

The collector goes on polling while the disk is full: each new group of readings waits here,
and every later store first moves the oldest groups into the outbox, in order, as soon as a
write succeeds again. Memory is bounded by ``limit`` readings: beyond it the oldest routine
readings are dropped first, then the oldest of any kind; each drop is logged and counted
(check-in ``dropped_readings``; written to the outbox's counters once it can write again).
What waits here is lost if the process dies; the outbox on disk is what survives a crash.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field

from printscout.collector.errors import OutboxFull
from printscout.collector.outbox import Outbox

log = logging.getLogger("printscout.collector.spill")


@dataclass(slots=True)
class Spill:
    """A bounded queue of reading groups (identity flag, encoded readings), oldest first."""

    limit: int
    groups: deque[tuple[bool, list[bytes]]] = field(default_factory=deque)
    count: int = 0
    dropped: int = 0

    def keep(self, readings: Sequence[bytes], *, identity: bool) -> int:
        """Queue readings the outbox refused; returns how many the bound dropped."""
        if readings:
            self.groups.append((identity, list(readings)))
            self.count += len(readings)
        dropped = self._enforce_limit()
        if dropped:
            log.error(
                "outbox disk full and memory bound reached: readings dropped",
                extra={"dropped": dropped, "limit": self.limit},
            )
        return dropped

    def store(self, outbox: Outbox, readings: Sequence[bytes], *, identity: bool) -> int:
        """Store what waits here and then ``readings`` in the outbox, oldest first; whatever
        the full disk refuses stays queued. Returns how many readings the outbox cap dropped."""
        dropped = self.flush(outbox)
        if self.groups:
            self.keep(readings, identity=identity)
            return dropped
        try:
            return dropped + outbox.add(readings, identity=identity)
        except OutboxFull as exc:
            log.error(
                "outbox cannot write: readings kept in memory",
                extra={"error": str(exc), "readings": len(readings)},
            )
            self.keep(readings, identity=identity)
            return dropped

    def flush(self, outbox: Outbox) -> int:
        """Move queued groups into the outbox until one does not fit; the cap's drop count."""
        dropped, waiting = 0, self.count
        while self.groups:
            identity, readings = self.groups[0]
            try:
                dropped += outbox.add(readings, identity=identity)
            except OutboxFull:
                return dropped
            self.groups.popleft()
            self.count -= len(readings)
        if self.dropped:
            with suppress(OutboxFull):
                outbox.record_dropped(self.dropped)
                self.dropped = 0
        if waiting:
            log.warning("outbox writable again: %d readings moved from memory", waiting)
        return dropped

    def _enforce_limit(self) -> int:
        excess = self.count - self.limit
        if excess <= 0:
            return 0
        dropped = self._drop(excess, routine_only=True)
        dropped += self._drop(excess - dropped, routine_only=False)
        self.count -= dropped
        self.dropped += dropped
        return dropped

    def _drop(self, wanted: int, *, routine_only: bool) -> int:
        """Drop up to ``wanted`` readings from the oldest groups (routine ones only, or any)."""
        dropped = 0
        kept: deque[tuple[bool, list[bytes]]] = deque()
        for identity, readings in self.groups:
            take = 0
            if dropped < wanted and not (routine_only and identity):
                take = min(wanted - dropped, len(readings))
                dropped += take
            if take < len(readings):
                kept.append((identity, readings[take:]))
        self.groups = kept
        return dropped
