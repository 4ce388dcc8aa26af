"""Table walks over several columns at once, with GETBULK and a GETNEXT fallback.

A walk stops a column at the end of its subtree, at endOfMibView, or when the agent returns an
OID that does not increase (a looping agent), and never reads more than ``max_rows`` rows.
Agents whose GETBULK is broken (silent, erroring or empty) are remembered and walked with
GETNEXT from then on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from printscout.domain.errors import SnmpError, SnmpErrorStatus
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.ber import Oid, Value, VarBindException
from printscout.protocols.snmp.client import SnmpEngine, raise_for_status
from printscout.protocols.snmp.memo import Memo
from printscout.protocols.snmp.pdu import Pdu, VarBinds
from printscout.protocols.snmp.target import Target

DEFAULT_MAX_ROWS: Final = 2048
ANSWERS_REMEMBERED: Final = 1024  # first answers of walks kept by a walker (a fleet's worth)
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
class Walker:
    """Walks tables through one engine and remembers which agents cannot do GETBULK."""

    engine: SnmpEngine
    max_rows: int = DEFAULT_MAX_ROWS
    no_bulk: set[tuple[str, int]] = field(default_factory=set)
    # walks that ended with their first answer, by plan and answer: what they read
    answers: Memo[tuple[WalkPlan, tuple[tuple[Oid, Value], ...]], WalkResult] = field(
        default_factory=lambda: Memo(ANSWERS_REMEMBERED)
    )

    async def walk(
        self,
        target: Target,
        spans: Sequence[Span | Oid],
        max_repetitions: int = 10,
        first_rows: Sequence[Oid] = (),
        sparse: Sequence[Span] = (),
        once: Sequence[Span] = (),
    ) -> WalkResult:
        """Walk every span (or single column) in parallel.

        ``first_rows`` are objects read with GETNEXT semantics in the same request (GETBULK
        non-repeaters): a scalar ``x.0`` is asked as ``x``, a column gives its first row.
        ``sparse`` spans are expected to be empty: they ride along as non-repeaters, costing
        one entry each, and are walked on only if they turn out to have rows.
        ``once`` spans (single columns known to hold one row) give that row as a
        non-repeater and are not walked further (over GETNEXT they are walked in full).
        """
        plan = WalkPlan(
            tuple(spans), max_repetitions, tuple(first_rows), tuple(sparse), tuple(once)
        )
        return await self._drive(self._prepare(target, plan), plan, None)

    async def walk_all(self, target: Target, plans: Sequence[WalkPlan]) -> list[WalkResult]:
        """Several walks of one device, as :meth:`walk` each: every walk's first GETBULK is
        sent at once and the answers are taken in order, in this task (a poll's walks mostly
        end with their first answer, and a task per walk would cost more than the walk).
        """
        walks = [self._prepare(target, plan) for plan in plans]
        bulk = target.version != pdus.V1 and target.address not in self.no_bulk
        sent = [w.send_bulk(p.max_repetitions) if bulk and w.pending() else None
                for w, p in zip(walks, plans, strict=True)]  # fmt: skip
        results: list[WalkResult] = []
        try:
            for walk, plan, answer in zip(walks, plans, sent, strict=True):
                results.append(await self._drive(walk, plan, answer))
        except BaseException:
            for answer in sent[len(results) :]:
                _abandon(answer)
            raise
        return results

    def _prepare(self, target: Target, plan: WalkPlan) -> _Walk:
        """The state of a walk that has not asked anything yet."""
        spans = [s if isinstance(s, Span) else Span.column(s) for s in plan.spans]
        walk = _Walk(self, target, spans)
        walk.first = list(plan.first_rows)
        walk.sparse = list(plan.sparse)
        walk.once = list(plan.once)
        walk.position.update({s: s.start for s in (*plan.sparse, *plan.once)})
        return walk

    async def _drive(
        self, walk: _Walk, plan: WalkPlan, sent: asyncio.Future[Pdu] | None
    ) -> WalkResult:
        """Ask until the walk is done; ``sent`` is its first GETBULK, already on its way.

        A walk that ends with its first answer, an answer seen before for the same plan,
        reads what it read then (the walker's memo of answers).
        """
        target, max_repetitions = walk.target, plan.max_repetitions
        use_bulk = target.version != pdus.V1 and target.address not in self.no_bulk
        bulk_failed = False
        fresh = True  # nothing absorbed yet: the state is the plan's
        while walk.pending():
            if use_bulk:
                try:
                    if sent is not None:
                        answer, sent = sent, None
                        varbinds = raise_for_status(await answer, pdus.GET_BULK).varbinds
                    else:
                        varbinds = await walk.bulk(max_repetitions)
                except SnmpErrorStatus as exc:
                    if exc.status == pdus.TOO_BIG and max_repetitions > 1:
                        max_repetitions //= 2  # the agent cannot fit the answer: ask for less
                        continue
                    if exc.status == pdus.TOO_BIG:
                        use_bulk = False  # even one row is too big: GETNEXT, piece by piece
                        continue
                    varbinds = []
                except SnmpError:
                    varbinds = []
                if not varbinds:
                    use_bulk, bulk_failed = False, True  # silent, erroring or empty GETBULK
                    continue
                if fresh:
                    fresh = False
                    key = (plan, tuple(varbinds))
                    known = self.answers.get(key)
                    if known is not None:
                        return known.copy()
                    walk.absorb_bulk(varbinds)
                    if not walk.pending():
                        self.answers.put(key, walk.result.copy())
                    continue
                walk.absorb_bulk(varbinds)
                continue
            if walk.first:
                walk.result.first.update(await self.first_rows(target, walk.first))
                walk.first = []
            walk.active.extend([*walk.sparse, *walk.once])
            walk.sparse, walk.once = [], []
            if not walk.active:
                continue
            try:
                response = await self.engine.request(
                    target, pdus.GET_NEXT, tuple(walk.position[s] for s in walk.active)
                )
            except SnmpErrorStatus as exc:
                if exc.status != pdus.TOO_BIG:
                    raise
                await self._too_big(walk, max_repetitions)
                continue
            if bulk_failed:
                self.no_bulk.add(target.address)  # GETNEXT works where GETBULK did not
                bulk_failed = False
            if response.error_status == pdus.NO_SUCH_NAME:
                # SNMPv1 end of MIB: the named span is finished, ask again for the rest
                gone = response.error_index - 1
                inside = 0 <= gone < len(walk.active)
                walk.active = [c for i, c in enumerate(walk.active) if i != gone] if inside else []
                continue
            walk.active = walk.absorb(walk.active, response.varbinds)
        return walk.result

    async def _too_big(self, walk: _Walk, max_repetitions: int) -> None:
        """An answer too big for one datagram: walk the spans one by one, and skip a column
        whose single next entry cannot be sent (a hostile or broken agent)."""
        if len(walk.active) > 1:
            for span in walk.active:
                part = await self.walk(walk.target, [span], max_repetitions)
                walk.result.columns.update(part.columns)
                walk.result.looped |= part.looped
                walk.result.truncated |= part.truncated
            walk.active = []
            return
        span = walk.active[0]
        depth = len(span.entry) + 1
        where = walk.position[span]
        walk.position[span] = next_column = (*span.entry, where[depth - 1] + 1)
        walk.result.truncated = True
        if next_column >= span.stop:
            walk.active = []

    async def first_rows(self, target: Target, oids: Sequence[Oid]) -> dict[Oid, Value]:
        """GETNEXT of each object; keyed by the object asked (x.0 for scalars)."""
        wanted = tuple(oids)
        while wanted:
            request = tuple(_next_of(o) for o in wanted)
            try:
                response = await self.engine.request(target, pdus.GET_NEXT, request)
            except SnmpErrorStatus as exc:
                if exc.status != pdus.TOO_BIG:
                    raise
                if len(wanted) == 1:
                    return {}  # this one object cannot be read at all
                half = len(wanted) // 2
                return {
                    **await self.first_rows(target, wanted[:half]),
                    **await self.first_rows(target, wanted[half:]),
                }
            if response.error_status == pdus.NO_SUCH_NAME:
                # SNMPv1: one object ran off the end of the MIB; ask again without it
                gone = response.error_index - 1
                if not 0 <= gone < len(wanted):
                    return {}
                wanted = tuple(o for i, o in enumerate(wanted) if i != gone)
                continue
            result = WalkResult({})
            _absorb_first(result, wanted, response.varbinds)
            return result.first
        return {}


@dataclass(slots=True)
class _Walk:
    """The state of one walk: cursors per span, what is still to ask, what came back."""

    walker: Walker
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
            *(_next_of(o) for o in self.first),
            *(s.start for s in self.once),
            *(self.position[s] for s in self.sparse),
            *(self.position[s] for s in self.active),
        )
        lead = len(self.first) + len(self.once) + len(self.sparse)
        return asked, lead, max_repetitions if self.active else 0

    async def bulk(self, max_repetitions: int) -> VarBinds:
        """Ask the next GETBULK and wait for its varbinds."""
        asked, lead, reps = self._bulk_request(max_repetitions)
        return await self.walker.engine.get_bulk(self.target, asked, reps, non_repeaters=lead)

    def send_bulk(self, max_repetitions: int) -> asyncio.Future[Pdu]:
        """Send the next GETBULK now; the future gives its answer (see ``raise_for_status``)."""
        asked, lead, reps = self._bulk_request(max_repetitions)
        return self.walker.engine.submit(self.target, pdus.GET_BULK, asked, lead, reps)

    def absorb_bulk(self, varbinds: VarBinds) -> None:
        """Take a GETBULK answer, which the agent may have cut short anywhere."""
        n_first, n_once, n_sparse = len(self.first), len(self.once), len(self.sparse)
        got_first = varbinds[:n_first]
        _absorb_first(self.result, self.first, got_first)
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
        max_rows = self.walker.max_rows
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


def _abandon(answer: asyncio.Future[Pdu] | None) -> None:
    """Drop a request whose answer nobody will read (and mark a failure as seen)."""
    if answer is None:
        return
    if not answer.done():
        answer.cancel()
    elif not answer.cancelled():
        answer.exception()


def _next_of(oid: Oid) -> Oid:
    """What to GETNEXT to read ``oid``: a scalar x.0 is asked as x, a column as itself."""
    return oid[:-1] if oid[-1] == 0 else oid


def _absorb_first(result: WalkResult, asked: Sequence[Oid], varbinds: VarBinds) -> None:
    for key, (oid, value) in zip(asked, varbinds, strict=False):
        base = _next_of(key)
        if oid[: len(base)] == base and not isinstance(value, VarBindException):
            result.first[key] = value
