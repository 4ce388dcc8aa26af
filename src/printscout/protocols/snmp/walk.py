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

from printscout.domain.errors import SnmpError
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.ber import Oid, Value, VarBindException
from printscout.protocols.snmp.client import SnmpEngine, Target
from printscout.protocols.snmp.pdu import VarBinds

DEFAULT_MAX_ROWS: Final = 2048
Column = dict[Oid, Value]  # instance suffix -> value


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
        columns: Sequence[Oid],
        max_repetitions: int = 10,
        first_rows: Sequence[Oid] = (),
    ) -> WalkResult:
        """Walk every column in ``columns`` in parallel.

        ``first_rows`` are objects read with GETNEXT semantics in the same request (GETBULK
        non-repeaters): a scalar ``x.0`` is asked as ``x``, a column gives its first row.
        """
        result = WalkResult({c: {} for c in columns})
        position = {c: c for c in columns}
        active = list(columns)
        use_bulk = target.version != pdus.V1 and target.address not in self.no_bulk
        pending_first = tuple(first_rows)
        bulk_failed = False
        while active or pending_first:
            if use_bulk:
                asked = [_next_of(o) for o in pending_first] + [position[c] for c in active]
                try:
                    varbinds = await self.engine.get_bulk(
                        target, asked, max_repetitions, non_repeaters=len(pending_first)
                    )
                except SnmpError:
                    varbinds = None
                if not varbinds:
                    use_bulk, bulk_failed = False, True  # silent, erroring or empty GETBULK
                    continue
                if pending_first:
                    _absorb_first(result, pending_first, varbinds[: len(pending_first)])
                    varbinds = varbinds[len(pending_first) :]
                    pending_first = ()
                if not active:
                    break
            elif pending_first:
                result.first = await self.first_rows(target, pending_first)
                pending_first = ()
                continue
            else:
                response = await self.engine.request(
                    target, pdus.GET_NEXT, tuple(position[c] for c in active)
                )
                if response.error_status == pdus.NO_SUCH_NAME:
                    # SNMPv1 end of MIB: the named column is finished, ask again for the rest
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
        position: dict[Oid, Oid],
        active: list[Oid],
        varbinds: list[tuple[Oid, Value]],
    ) -> list[Oid]:
        """Add one response's varbinds; return the columns still to walk."""
        width = len(active)
        still = dict.fromkeys(active, True)
        for i, (oid, value) in enumerate(varbinds):
            column = active[i % width]
            if not still[column]:
                continue
            n = len(column)
            if isinstance(value, VarBindException) or oid[:n] != column:
                still[column] = False
                continue
            if oid <= position[column]:
                result.looped = True
                still[column] = False
                continue
            cells = result.columns[column]
            if len(cells) >= self.max_rows:
                result.truncated = True
                still[column] = False
                continue
            cells[oid[n:]] = value
            position[column] = oid
        if len(varbinds) < width:
            # v1 noSuchName or a short answer: columns without an answer are finished
            for column in active[len(varbinds) :]:
                still[column] = False
        return [c for c in active if still[c]]


def _next_of(oid: Oid) -> Oid:
    """What to GETNEXT to read ``oid``: a scalar x.0 is asked as x, a column as itself."""
    return oid[:-1] if oid[-1] == 0 else oid


def _absorb_first(result: WalkResult, asked: Sequence[Oid], varbinds: VarBinds) -> None:
    for key, (oid, value) in zip(asked, varbinds, strict=False):
        base = _next_of(key)
        if oid[: len(base)] == base and not isinstance(value, VarBindException):
            result.first[key] = value
