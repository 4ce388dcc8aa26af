"""What a walk asks for and what it brought back: spans of columns, plans, results, and the
state of one walk in progress (cursors per span, what is still to ask), which files each answer.
Pure bookkeeping; the requests are :mod:`walk`'s."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.ber import Oid, Value, VarBindException
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.pdu import Pdu, VarBinds
from printscout.protocols.snmp.target import Target

Column = dict[Oid, Value]  # instance suffix -> value


@dataclass(frozen=True, slots=True)
class Span:
    """Adjacent columns ``first..last`` of one table, walked with a single varbind.

    One varbind walks the columns one after the other, so the request names one OID and
    the answer overshoots only once, at the end of the last column.
    """

    entry: Oid
    first: int
    last: int
    start: Oid = field(init=False, repr=False, compare=False)
    stop: Oid = field(init=False, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", (*self.entry, self.first))
        object.__setattr__(self, "stop", (*self.entry, self.last + 1))
        object.__setattr__(self, "_hash", hash((self.entry, self.first, self.last)))

    def __hash__(self) -> int:
        return self._hash  # spans key the walk's dictionaries on every answer

    @classmethod
    def column(cls, column: Oid) -> Span:
        """A span of one column."""
        return cls(column[:-1], column[-1], column[-1])

    @property
    def width(self) -> int:
        """How many columns the span covers."""
        return self.last - self.first + 1


@dataclass(slots=True)
class WalkResult:
    """Rows read per column, plus what went wrong along the way."""

    columns: dict[Oid, Column]
    looped: bool = False
    truncated: bool = False
    first: dict[Oid, Value] = field(default_factory=dict)

    def copy(self) -> WalkResult:
        """A copy whose dictionaries can be changed without touching this one."""
        columns = {column: dict(cells) for column, cells in self.columns.items()}
        return WalkResult(columns, self.looped, self.truncated, dict(self.first))

    def rows(self) -> dict[Oid, dict[Oid, Value]]:
        """Pivot to suffix -> {column -> value}, suffixes in walk order."""
        out: dict[Oid, dict[Oid, Value]] = {}
        for column, cells in self.columns.items():
            for suffix, value in cells.items():
                out.setdefault(suffix, {})[column] = value
        return out


@dataclass(frozen=True, slots=True)
class WalkPlan:
    """What one walk reads (see :meth:`Walker.walk` for the meaning of each part)."""

    spans: tuple[Span | Oid, ...]
    max_repetitions: int = 10
    first_rows: tuple[Oid, ...] = ()
    sparse: tuple[Span, ...] = ()
    once: tuple[Span, ...] = ()
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields = (self.spans, self.max_repetitions, self.first_rows, self.sparse, self.once)
        object.__setattr__(self, "_hash", hash(fields))

    def __hash__(self) -> int:
        return self._hash  # plans key the walker's memo of answers


@dataclass(slots=True)
class WalkState:
    """The state of one walk: cursors per span, what is still to ask, what came back."""

    engine: SnmpEngine
    max_rows: int
    target: Target
    active: list[Span]
    first: list[Oid] = field(default_factory=list)
    sparse: list[Span] = field(default_factory=list)
    once: list[Span] = field(default_factory=list)
    result: WalkResult = field(default_factory=lambda: WalkResult({}))
    position: dict[Span, Oid] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.position.update({s: s.start for s in self.active})

    def pending(self) -> bool:
        """Whether anything is left to ask."""
        return bool(self.active or self.first or self.sparse or self.once)

    def _bulk_request(self, max_repetitions: int) -> tuple[tuple[Oid, ...], int, int]:
        """One GETBULK: first rows and sparse spans as non-repeaters, active spans repeated."""
        asked = (
            *(next_of(o) for o in self.first),
            *(s.start for s in self.once),
            *(self.position[s] for s in self.sparse),
            *(self.position[s] for s in self.active),
        )
        lead = len(self.first) + len(self.once) + len(self.sparse)
        return asked, lead, max_repetitions if self.active else 0

    async def bulk(self, max_repetitions: int) -> VarBinds:
        """Ask the next GETBULK and wait for its varbinds."""
        asked, lead, reps = self._bulk_request(max_repetitions)
        return await self.engine.get_bulk(self.target, asked, reps, non_repeaters=lead)

    def send_bulk(self, max_repetitions: int) -> asyncio.Future[Pdu]:
        """Send the next GETBULK now; the future gives its answer (see ``raise_for_status``)."""
        asked, lead, reps = self._bulk_request(max_repetitions)
        return self.engine.submit(self.target, pdus.GET_BULK, asked, lead, reps)

    def absorb_bulk(self, varbinds: VarBinds) -> None:
        """Take a GETBULK answer, which the agent may have cut short anywhere."""
        n_first, n_once, n_sparse = len(self.first), len(self.once), len(self.sparse)
        got_first = varbinds[:n_first]
        absorb_first(self.result, self.first, got_first)
        self.first = self.first[len(got_first) :]
        got_once = varbinds[n_first : n_first + n_once]
        for span, (oid, value) in zip(self.once, got_once, strict=False):
            if span.start <= oid < span.stop and not isinstance(value, VarBindException):
                depth = len(span.entry) + 1
                self.result.columns.setdefault(oid[:depth], {})[oid[depth:]] = value
        self.once = self.once[len(got_once) :]
        lead = n_first + n_once
        got_sparse = varbinds[lead : lead + n_sparse]
        answered = self.sparse[: len(got_sparse)]
        woke = self.absorb(answered, got_sparse) if answered else []
        self.sparse = self.sparse[len(got_sparse) :]
        repeated = varbinds[lead + n_sparse :]
        if self.active and repeated:
            self.active = self.absorb(self.active, repeated)
        self.active.extend(woke)  # sparse spans that had rows after all are walked on

    def absorb(self, spans: list[Span], varbinds: VarBinds) -> list[Span]:
        """Add one answer's entries for ``spans``; return the spans still to walk.

        A column that loops or exceeds max_rows ends, and the span goes on with its next
        column; an answer that moves no cursor at all ends every span (a broken agent).
        """
        width = len(spans)
        moved = False
        still: list[Span] = []
        for k, span in enumerate(spans):
            # the answer repeats the spans in turn: span k's entries are every width-th
            entries = varbinds[k::width] if width > 1 else varbinds
            if entries:
                done, went = self._absorb_span(span, entries)
                moved = moved or went
            else:
                done = False
            if not done:
                still.append(span)
        return still if moved else []

    def _absorb_span(self, span: Span, entries: VarBinds) -> tuple[bool, bool]:
        """File one span's entries; return (span finished, cursor moved)."""
        start, stop, depth = span.start, span.stop, len(span.entry) + 1
        arc_at = depth - 1
        columns = self.result.columns
        max_rows = self.max_rows
        last = self.position[span]
        arc = -1
        cells: Column = {}
        done = False
        for oid, value in entries:
            if not start <= oid < stop or value.__class__ is VarBindException:
                done = True
                break
            if oid[arc_at] != arc:
                column = oid[:depth]
                found = columns.get(column)
                if found is None:
                    found = columns[column] = {}
                cells, arc = found, oid[arc_at]
            if oid <= last or len(cells) >= max_rows:
                if oid <= last:
                    self.result.looped = True
                else:
                    self.result.truncated = True
                # give up on this column, go on with the next one in a fresh request
                last = (*span.entry, last[arc_at] + 1)
                done = last >= stop
                break
            cells[oid[depth:]] = value
            last = oid
        self.position[span] = last
        return done, True


def next_of(oid: Oid) -> Oid:
    """What to GETNEXT to read ``oid``: a scalar x.0 is asked as x, a column as itself."""
    return oid[:-1] if oid[-1] == 0 else oid


def absorb_first(result: WalkResult, asked: Sequence[Oid], varbinds: VarBinds) -> None:
    """File the answers to first-row requests: each must lie under what it asked for."""
    for key, (oid, value) in zip(asked, varbinds, strict=False):
        base = next_of(key)
        if oid[: len(base)] == base and not isinstance(value, VarBindException):
            result.first[key] = value
