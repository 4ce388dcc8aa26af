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
from printscout.protocols.snmp.ber import Oid, Value
from printscout.protocols.snmp.client import SnmpEngine, raise_for_status
from printscout.protocols.snmp.memo import Memo
from printscout.protocols.snmp.pdu import Pdu
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.walk_state import (
    Span,
    WalkPlan,
    WalkResult,
    WalkState,
    absorb_first,
    next_of,
)

DEFAULT_MAX_ROWS: Final = 2048
ANSWERS_REMEMBERED: Final = 1024  # first answers of walks kept by a walker (a fleet's worth)


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

    def _prepare(self, target: Target, plan: WalkPlan) -> WalkState:
        """The state of a walk that has not asked anything yet."""
        spans = [s if isinstance(s, Span) else Span.column(s) for s in plan.spans]
        walk = WalkState(self.engine, self.max_rows, target, spans)
        walk.first = list(plan.first_rows)
        walk.sparse = list(plan.sparse)
        walk.once = list(plan.once)
        walk.position.update({s: s.start for s in (*plan.sparse, *plan.once)})
        return walk

    async def _drive(
        self, walk: WalkState, plan: WalkPlan, sent: asyncio.Future[Pdu] | None
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

    async def _too_big(self, walk: WalkState, max_repetitions: int) -> None:
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
            request = tuple(next_of(o) for o in wanted)
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
            absorb_first(result, wanted, response.varbinds)
            return result.first
        return {}


def _abandon(answer: asyncio.Future[Pdu] | None) -> None:
    """Drop a request whose answer nobody will read (and mark a failure as seen)."""
    if answer is None:
        return
    if not answer.done():
        answer.cancel()
    elif not answer.cancelled():
        answer.exception()
