"""Table walks over several columns at once, with GETBULK and a GETNEXT fallback.

A walk stops a column at the end of its subtree, at endOfMibView, or when the agent returns an
OID that does not increase (a looping agent), and never reads more than ``max_rows`` rows.
Agents whose GETBULK is broken (silent, erroring or empty) are remembered and walked with
GETNEXT from then on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from printscout.domain.errors import SnmpError, SnmpErrorStatus
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.ber import Oid, Value, VarBindException
from printscout.protocols.snmp.client import SnmpEngine, Target
from printscout.protocols.snmp.pdu import VarBinds

DEFAULT_MAX_ROWS: Final = 2048
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", (*self.entry, self.first))
        object.__setattr__(self, "stop", (*self.entry, self.last + 1))

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

    def rows(self) -> dict[Oid, dict[Oid, Value]]:
        """Pivot to suffix -> {column -> value}, suffixes in walk order."""
        out: dict[Oid, dict[Oid, Value]] = {}
        for column, cells in self.columns.items():
            for suffix, value in cells.items():
                out.setdefault(suffix, {})[column] = value
        return out


@dataclass(slots=True)
class Walker:
    """Walks tables through one engine and remembers which agents cannot do GETBULK."""

    engine: SnmpEngine
    max_rows: int = DEFAULT_MAX_ROWS
    no_bulk: set[tuple[str, int]] = field(default_factory=set)

    async def walk(
        self,
        target: Target,
        spans: Sequence[Span | Oid],
        max_repetitions: int = 10,
        first_rows: Sequence[Oid] = (),
        sparse: Sequence[Span] = (),
    ) -> WalkResult:
        """Walk every span (or single column) in parallel.

        ``first_rows`` are objects read with GETNEXT semantics in the same request (GETBULK
        non-repeaters): a scalar ``x.0`` is asked as ``x``, a column gives its first row.
        ``sparse`` spans are expected to be empty: they ride along as non-repeaters, costing
        one entry each, and are walked on only if they turn out to have rows.
        """
        items = [s if isinstance(s, Span) else Span.column(s) for s in spans]
        result = WalkResult({})
        position = {s: s.start for s in (*items, *sparse)}
        active = list(items)
        use_bulk = target.version != pdus.V1 and target.address not in self.no_bulk
        pending_first = tuple(first_rows)
        pending_sparse = list(sparse)
        bulk_failed = False
        while active or pending_first or pending_sparse:
            if use_bulk:
                asked = [
                    *(_next_of(o) for o in pending_first),
                    *(s.start for s in pending_sparse),
                    *(position[s] for s in active),
                ]
                lead = len(pending_first) + len(pending_sparse)
                try:
                    varbinds = await self.engine.get_bulk(
                        target, asked, max_repetitions, non_repeaters=lead
                    )
                except SnmpErrorStatus as exc:
                    if exc.status == pdus.TOO_BIG and max_repetitions > 1:
                        max_repetitions //= 2  # the agent cannot fit the answer: ask for less
                        continue
                    varbinds = None
                except SnmpError:
                    varbinds = None
                if not varbinds:
                    use_bulk, bulk_failed = False, True  # silent, erroring or empty GETBULK
                    continue
                woke: list[Span] = []
                if lead:
                    n = len(pending_first)
                    _absorb_first(result, pending_first, varbinds[:n])
                    # sparse spans that were not empty after all are walked on
                    woke = self._absorb(result, position, pending_sparse, varbinds[n:lead])
                    varbinds = varbinds[lead:]
                    pending_first, pending_sparse = (), []
                if not varbinds or not active:
                    active.extend(woke)
                    continue
                active = [*self._absorb(result, position, active, varbinds), *woke]
                continue
            elif pending_first or pending_sparse:
                if pending_first:
                    result.first = await self.first_rows(target, pending_first)
                active.extend(pending_sparse)
                pending_first, pending_sparse = (), []
                continue
            else:
                response = await self.engine.request(
                    target, pdus.GET_NEXT, tuple(position[s] for s in active)
                )
                if response.error_status == pdus.NO_SUCH_NAME:
                    # SNMPv1 end of MIB: the named span is finished, ask again for the rest
                    gone = response.error_index - 1
                    active = [c for i, c in enumerate(active) if i != gone] if gone >= 0 else []
                    continue
                varbinds = response.varbinds
            if bulk_failed:
                # GETNEXT works where GETBULK did not: remember it for this agent
                self.no_bulk.add(target.address)
                bulk_failed = False
            active = self._absorb(result, position, active, varbinds)
        return result

    async def first_rows(self, target: Target, oids: Sequence[Oid]) -> dict[Oid, Value]:
        """GETNEXT of each object; keyed by the object asked (x.0 for scalars)."""
        wanted = tuple(oids)
        while wanted:
            request = tuple(_next_of(o) for o in wanted)
            response = await self.engine.request(target, pdus.GET_NEXT, request)
            if response.error_status == pdus.NO_SUCH_NAME:
                # SNMPv1: one object ran off the end of the MIB; ask again without it
                gone = response.error_index - 1
                wanted = tuple(o for i, o in enumerate(wanted) if i != gone) if gone >= 0 else ()
                continue
            result = WalkResult({})
            _absorb_first(result, wanted, response.varbinds)
            return result.first
        return {}

    def _absorb(
        self,
        result: WalkResult,
        position: dict[Span, Oid],
        active: list[Span],
        varbinds: VarBinds,
    ) -> list[Span]:
        """Add one response's varbinds; return the spans still to walk."""
        width = len(active)
        still = [True] * width
        where = [position[s] for s in active]
        bounds = [(s.start, s.stop, len(s.entry) + 1) for s in active]
        columns = result.columns
        max_rows = self.max_rows
        for i, (oid, value) in enumerate(varbinds):
            k = i % width
            if not still[k]:
                continue
            start, stop, depth = bounds[k]
            if not start <= oid < stop or isinstance(value, VarBindException):
                still[k] = False
                continue
            if oid <= where[k]:
                result.looped = True
                still[k] = False
                continue
            column = oid[:depth]
            cells = columns.get(column)
            if cells is None:
                cells = columns[column] = {}
            elif len(cells) >= max_rows:
                result.truncated = True
                still[k] = False
                continue
            cells[oid[depth:]] = value
            where[k] = oid
        if len(varbinds) < width:
            # a short answer (a broken agent): spans without an answer are finished
            for k in range(len(varbinds), width):
                still[k] = False
        for k, span in enumerate(active):
            position[span] = where[k]
        return [s for k, s in enumerate(active) if still[k]]


def _next_of(oid: Oid) -> Oid:
    """What to GETNEXT to read ``oid``: a scalar x.0 is asked as x, a column as itself."""
    return oid[:-1] if oid[-1] == 0 else oid


def _absorb_first(result: WalkResult, asked: Sequence[Oid], varbinds: VarBinds) -> None:
    for key, (oid, value) in zip(asked, varbinds, strict=False):
        base = _next_of(key)
        if oid[: len(base)] == base and not isinstance(value, VarBindException):
            result.first[key] = value
