"""The flood faults of the simulator's agent: what each sends for one request, v2c and v3."""

from __future__ import annotations

import pytest

from printscout.protocols.snmp import mibs, v3
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.pdu import Pdu
from printscout.simulator.agent import FLOOD_COPIES, SPOOFED, STRAY_OFFSETS, Agent
from printscout.simulator.device import Fault, SimPrinter
from printscout.simulator.fleet import DEFAULT_USERS
from printscout.simulator.snmprec import builtin_recordings, load_recording

USER = DEFAULT_USERS[0]  # authPriv
ENGINE = b"\x80\x00\x1f\x88\x04flood"
RID = 4242


def printer(*faults: Fault) -> SimPrinter:
    return SimPrinter("127.92.3.1", load_recording(builtin_recordings()[0]), speed=0.0,
                      faults=set(faults), engine_id=ENGINE, personalize=False)  # fmt: skip


def request(version: int) -> bytes:
    """A GET of sysDescr, v2c or authPriv v3 (msgID and request-id both RID)."""
    pdu = Pdu(pdus.GET, RID, 0, 0, [(mibs.SYS_DESCR, None)])
    if version != pdus.V3:
        return pdus.encode_community_message(version, b"public", pdu)
    return v3.pack(msg_id=RID, flags=v3.FLAG_AUTH | v3.FLAG_PRIV | v3.FLAG_REPORTABLE,
                   engine_id=ENGINE, boots=1, time=1, user=USER.name.encode(),
                   context_engine_id=ENGINE, context_name=b"", pdu=pdu,
                   keys=USER.localize(ENGINE), salt=bytes(8))  # fmt: skip


def decoded(data: bytes, version: int) -> tuple[int, Pdu]:
    """(msgID or request-id, PDU) of one answer datagram."""
    if version != pdus.V3:
        message = pdus.decode_community_message(data)
        return message.pdu.request_id, message.pdu
    keys = USER.localize(ENGINE)
    answer = v3.unpack(data, lambda _u, _e: keys)
    assert answer.flags & v3.FLAG_PRIV  # decoys are signed and encrypted like the real answer
    return answer.msg_id, answer.pdu


VERSIONS = pytest.mark.parametrize("version", [pdus.V2C, pdus.V3])


@VERSIONS
def test_a_healthy_agent_sends_one_answer(version: int) -> None:
    reply = Agent((b"public",), DEFAULT_USERS).handle(printer(), request(version))
    assert reply is not None
    assert [decoded(d, version)[0] for d in reply.datagrams()] == [RID]


@VERSIONS
def test_duplicate_answers_send_the_same_answer_many_times(version: int) -> None:
    reply = Agent((b"public",), DEFAULT_USERS).handle(
        printer(Fault.DUPLICATE_ANSWERS), request(version)
    )
    assert reply is not None
    datagrams = reply.datagrams()
    assert len(datagrams) == FLOOD_COPIES and len(set(datagrams)) == 1
    assert decoded(datagrams[0], version)[0] == RID


@VERSIONS
def test_stray_answers_come_first_under_other_ids_with_spoofed_values(version: int) -> None:
    reply = Agent((b"public",), DEFAULT_USERS).handle(
        printer(Fault.STRAY_ANSWERS), request(version)
    )
    assert reply is not None
    answers = [decoded(d, version) for d in reply.datagrams()]
    assert [i for i, _ in answers] == [(RID + n) & 0x7FFFFFFF for n in (*STRAY_OFFSETS, 0)]
    assert all(p.request_id == i for i, p in answers)
    *strays, (_, real) = answers
    assert {p.varbinds[0] for _, p in strays} == {(mibs.SYS_DESCR, SPOOFED)}
    assert real.varbinds[0][1] != SPOOFED


@VERSIONS
def test_wrong_request_ids_never_answer_under_the_right_one(version: int) -> None:
    reply = Agent((b"public",), DEFAULT_USERS).handle(
        printer(Fault.WRONG_REQUEST_IDS), request(version)
    )
    assert reply is not None
    ((answer_id, pdu),) = [decoded(d, version) for d in reply.datagrams()]
    assert answer_id == pdu.request_id == RID + 1
