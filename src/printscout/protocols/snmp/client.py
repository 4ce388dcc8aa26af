"""Asynchronous SNMP engine: requests over one UDP socket, multiplexed by request-id.

The engine builds v1, v2c and v3 (USM) requests and keeps v3 agents' engines in step. The
socket, retries, timeouts, pacing and the cap on requests in flight are its :mod:`dispatcher`'s;
table walks live in :mod:`walk`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from printscout.domain.errors import SnmpAuthError, SnmpErrorStatus
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp import v3
from printscout.protocols.snmp.ber import Oid
from printscout.protocols.snmp.dispatcher import AgentEngine, Dispatcher, Pending
from printscout.protocols.snmp.pdu import Pdu, VarBinds
from printscout.protocols.snmp.target import Target


class SnmpEngine(Dispatcher):
    """One UDP socket, many concurrent requests."""

    async def __aenter__(self) -> SnmpEngine:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ public requests

    async def get(self, target: Target, oids: Sequence[Oid]) -> VarBinds:
        """GET the given OIDs; returns the varbinds in request order."""
        return (await self.request(target, pdus.GET, tuple(oids))).varbinds

    async def get_next(self, target: Target, oids: Sequence[Oid]) -> VarBinds:
        """GETNEXT from the given OIDs."""
        return (await self.request(target, pdus.GET_NEXT, tuple(oids))).varbinds

    async def get_bulk(
        self, target: Target, oids: Sequence[Oid], max_repetitions: int, non_repeaters: int = 0
    ) -> VarBinds:
        """GETBULK (v2c/v3 only)."""
        pdu = await self.request(target, pdus.GET_BULK, tuple(oids), non_repeaters, max_repetitions)
        return pdu.varbinds

    def submit(
        self, target: Target, tag: int, oids: tuple[Oid, ...], field1: int = 0, field2: int = 0
    ) -> asyncio.Future[Pdu]:
        """Send one request now and return the future of its response, without a coroutine.

        For sweeps of thousands of addresses and the walks of a poll, where a task per request
        would cost more than the request. The response is returned whatever its error-status
        (:func:`raise_for_status` checks it). SNMPv3, paced engines and an engine at
        ``max_in_flight`` go through :meth:`request` in a task.
        """
        if (
            target.version == pdus.V3
            or self.limits.packets_per_second > 0
            or self._in_flight >= self.limits.max_in_flight
        ):
            return asyncio.ensure_future(self.request(target, tag, oids, field1, field2))
        request_id = self._new_id()
        packet = pdus.encode_community_message(
            target.version, target.community, Pdu(tag, request_id, field1, field2),
            pdus.encode_request_varbinds(oids),
        )  # fmt: skip
        future: asyncio.Future[Pdu] = (self._loop or asyncio.get_running_loop()).create_future()
        pending = Pending(target, packet, future, target.retries, None)
        self._pending[request_id] = pending
        self._in_flight += 1
        future.add_done_callback(lambda _: self._finish(request_id))
        self._transmit(request_id, pending)
        return future

    async def request(
        self, target: Target, tag: int, oids: tuple[Oid, ...], field1: int = 0, field2: int = 0
    ) -> Pdu:
        """Send one request (with retries) and return the response PDU.

        Raises SnmpTimeout, SnmpErrorStatus (non-zero error-status, except for v1 GETNEXT's
        noSuchName which callers handle) or SnmpAuthError.
        """
        if self._in_flight >= self.limits.max_in_flight:
            await self._wait_for_slot()
        self._in_flight += 1
        try:
            if target.version == pdus.V3:
                response = await self._request_v3(target, tag, oids, field1, field2)
            else:
                request_id = self._new_id()
                packet = pdus.encode_community_message(
                    target.version,
                    target.community,
                    Pdu(tag, request_id, field1, field2),
                    pdus.encode_request_varbinds(oids),
                )
                response = await self._exchange(target, request_id, packet, None)
        finally:
            self._in_flight -= 1
            if self._slot_waiters:
                self._release_slot()
        return raise_for_status(response, tag)

    # ------------------------------------------------------------ SNMPv3

    async def _request_v3(
        self, target: Target, tag: int, oids: tuple[Oid, ...], field1: int, field2: int
    ) -> Pdu:
        user = target.user
        if user is None:
            raise SnmpAuthError("SNMPv3 target without a user")
        for _ in range(3):
            engine = self._engines.get(target.address) or await self._discover(target)
            keys = user.localize(engine.engine_id)
            flags = v3.FLAG_REPORTABLE
            if keys is not None:
                flags |= v3.FLAG_AUTH | (v3.FLAG_PRIV if keys.priv_key is not None else 0)
            msg_id = self._new_id()
            packet = v3.pack(
                msg_id=msg_id,
                flags=flags,
                engine_id=engine.engine_id,
                boots=engine.boots,
                time=engine.now(),
                user=user.name.encode(),
                context_engine_id=engine.engine_id,
                context_name=user.context.encode(),
                pdu=Pdu(tag, msg_id, field1, field2),
                keys=keys,
                salt=self._salts.next_salt(),
                varbinds_encoded=pdus.encode_request_varbinds(oids),
            )
            response = await self._exchange(target, msg_id, packet, keys)
            if response.tag != pdus.REPORT:
                return response
            reported = response.varbinds[0][0] if response.varbinds else ()
            if reported in (v3.NOT_IN_TIME_WINDOW, v3.UNKNOWN_ENGINE_ID):
                self._engines.pop(target.address, None)
                continue
            raise SnmpAuthError(f"agent reported {'.'.join(map(str, reported))}")
        raise SnmpAuthError("agent keeps reporting an unsynchronised engine")

    async def _discover(self, target: Target) -> AgentEngine:
        """Learn the agent's engine id, boots and time (RFC 3414 section 4)."""
        msg_id = self._new_id()
        packet = v3.pack(
            msg_id=msg_id,
            flags=v3.FLAG_REPORTABLE,
            engine_id=b"",
            boots=0,
            time=0,
            user=b"",
            context_engine_id=b"",
            context_name=b"",
            pdu=Pdu(pdus.GET, msg_id),
            keys=None,
        )
        await self._exchange(target, msg_id, packet, None)
        engine = self._engines.get(target.address)
        if engine is None:
            raise SnmpAuthError("agent gave no engine id")
        return engine


def raise_for_status(response: Pdu, tag: int) -> Pdu:
    """Return the response to a ``tag`` request, or raise SnmpErrorStatus for a non-zero
    error-status (except v1 GETNEXT's noSuchName, which callers handle)."""
    if response.error_status and not (
        response.error_status == pdus.NO_SUCH_NAME and tag == pdus.GET_NEXT
    ):
        raise SnmpErrorStatus(response.error_status, response.error_index)
    return response
