"""Seed corpora from real inputs: simulator answers built from recorded printers, the recorded
IPP response, and upload batches made from the recorded readings with the project's wire model.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from printscout.domain.errors import ParseError
from printscout.domain.wire import BATCH_SCHEMA
from printscout.protocols.ipp import codec
from printscout.protocols.ipp import values as ipp
from printscout.protocols.ipp.client import get_printer_attributes_request
from printscout.protocols.ipp.tags import GroupTag
from printscout.protocols.snmp import ber, mibs, v3
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.ber import Oid
from printscout.protocols.snmp.pdu import Pdu
from printscout.simulator.agent import Agent
from printscout.simulator.device import SimPrinter
from printscout.simulator.fleet import DEFAULT_USERS
from printscout.simulator.ipp import answer as ipp_answer
from printscout.simulator.snmprec import builtin_recordings, load_recording
from tests.support.fuzz.mutations import Seed, ber_lengths, ipp_lengths

FIXTURES: Final = Path(__file__).resolve().parents[2] / "fixtures"
RECORDINGS: Final = ("brother-hl-l5100dn", "hp-color-laserjet-m555", "lexmark-ms621")
COLLECTOR: Final = "00000000-0000-4000-8000-00000000c01c"
_REQUESTS: Final[tuple[tuple[int, int, int, list[Oid]], ...]] = (
    (pdus.GET, 0, 0, [mibs.SYS_DESCR, mibs.SYS_OBJECT_ID, mibs.SYS_UPTIME, mibs.SYS_NAME]),
    (pdus.GET_NEXT, 0, 0, [mibs.PRT_SUPPLIES_DESCRIPTION, mibs.PRT_SUPPLIES_LEVEL]),
    (pdus.GET_BULK, 0, 12, [mibs.PRT_SUPPLIES_DESCRIPTION, mibs.PRT_SUPPLIES_LEVEL]),
    (pdus.GET_BULK, 1, 25, [mibs.SYS_DESCR, (1, 3, 6, 1, 2, 1, 43)]),
    (pdus.GET, 0, 0, [(1, 3, 6, 1, 4, 1, 99999, 1, 0)]),  # noSuchObject
    (pdus.GET_NEXT, 0, 0, [(1, 3, 6, 1, 6)]),  # endOfMibView
)
ENGINE: Final = b"\x80\x00\x1f\x88\x04fuzz-engine"


def sim_printer(name: str) -> SimPrinter:
    """A frozen simulated printer serving one of the built-in recordings."""
    path = next(p for p in builtin_recordings() if p.stem == name)
    return SimPrinter("127.92.0.1", load_recording(path), speed=0.0, engine_id=ENGINE)


def _v3_request(user: v3.UsmUser, pdu: Pdu, msg_id: int) -> bytes:
    keys = user.localize(ENGINE)
    flags = v3.FLAG_REPORTABLE | (v3.FLAG_AUTH if keys else 0)
    flags |= v3.FLAG_PRIV if user.priv_protocol else 0
    return v3.pack(msg_id=msg_id, flags=flags, engine_id=ENGINE, boots=1, time=1,
                   user=user.name.encode(), context_engine_id=ENGINE, context_name=b"",
                   pdu=pdu, keys=keys, salt=msg_id.to_bytes(8, "big"))  # fmt: skip


@lru_cache(maxsize=1)
def snmp_seeds() -> tuple[Seed, ...]:
    """Requests and the simulator's answers to them: v1, v2c and v3 at every security level."""
    users = (*DEFAULT_USERS, v3.UsmUser("fuzz-noauth"))
    agent = Agent((b"public",), users)
    messages: list[bytes] = []
    for n, name in enumerate(RECORDINGS):
        printer = sim_printer(name)
        for k, (tag, status, index, oids) in enumerate(_REQUESTS):
            request = Pdu(tag, 1000 * n + k, status, index, [(o, None) for o in oids])
            versions = (pdus.V1, pdus.V2C) if tag != pdus.GET_BULK else (pdus.V2C,)
            wire = [pdus.encode_community_message(v, b"public", request) for v in versions]
            wire += [_v3_request(users[(n + k) % len(users)], request, 7000 + 10 * n + k)]
            for data in wire:
                reply = agent.handle(printer, data)
                messages += [data] if reply is None else [data, reply.data]
    # discovery and its report
    discovery = v3.pack(msg_id=1, flags=v3.FLAG_REPORTABLE, engine_id=b"", boots=0, time=0,
                        user=b"", context_engine_id=b"", context_name=b"",
                        pdu=Pdu(pdus.GET, 1), keys=None)  # fmt: skip
    reply = agent.handle(sim_printer(RECORDINGS[0]), discovery)
    messages += [discovery] + ([reply.data] if reply else [])
    return tuple(Seed(m, ber_lengths(m)) for m in messages)


@lru_cache(maxsize=1)
def varbind_seeds() -> tuple[bytes, ...]:
    """The encoded VarBindLists of the SNMP seeds (for answers re-signed after mutation)."""
    out = []
    for seed in snmp_seeds():
        try:
            out.append(ber.encode_varbinds(pdus.decode_community_message(seed.data).pdu.varbinds))
        except ParseError:
            continue
    return tuple(out)


def _every_value_type() -> ipp.Message:
    """A response that holds one value of every syntax the codec knows, nested collections too."""
    inner = ipp.Collection((ipp.Attribute("x-dimension", (ipp.Integer(21000),)),
                            ipp.Attribute("y-dimension", (ipp.Integer(29700),))))  # fmt: skip
    media = ipp.Collection((ipp.Attribute("media-size", (inner,)),
                            ipp.Attribute("media-type", (ipp.Keyword("stationery"),))))  # fmt: skip
    attributes = (
        ipp.Attribute("printer-state", (ipp.Enum(3),)),
        ipp.Attribute("color-supported", (ipp.Boolean(True),)),
        ipp.Attribute(
            "printer-current-time", (ipp.DateTime(2026, 12, 5, 19, 30, 0, 0, "+", 1, 0),)
        ),
        ipp.Attribute("printer-resolution-default", (ipp.Resolution(600, 600, 3),)),
        ipp.Attribute("copies-supported", (ipp.RangeOfInteger(1, 999),)),
        ipp.Attribute("printer-info", (ipp.Text("Front desk", "en"), ipp.Text("Accueil", "fr"))),
        ipp.Attribute("printer-name", (ipp.Name("prn-1", "en"),)),
        ipp.Attribute("media-col-default", (media,)),
        ipp.Attribute("printer-supply", (ipp.OctetString(b"type=toner;level=42;"),)),
        ipp.Attribute("printer-alert", (ipp.OutOfBand(0x13, b""),)),
        ipp.Attribute("x-vendor", (ipp.Unknown(0x7F, b"\x00\x01\x02"),)),
        ipp.Attribute("document-format-supported", (ipp.MimeMediaType("application/pdf"),)),
        ipp.Attribute("uri-security-supported", (ipp.Keyword("none"), ipp.Keyword("tls"))),
        ipp.Attribute("uri-authentication-supported", (ipp.UriScheme("ipps"),)),
    )
    return ipp.Message((2, 0), 0, 7, (ipp.AttributeGroup(GroupTag.PRINTER, attributes),), b"%PDF")


@lru_cache(maxsize=1)
def ipp_seeds() -> tuple[Seed, ...]:
    """The recorded ippeveprinter answer, requests, simulator answers and every value type."""
    uri = "ipp://127.92.0.1:631/ipp/print"
    request = get_printer_attributes_request(uri, 1)
    messages = [(FIXTURES / "ipp" / "ippeveprinter-all.bin").read_bytes(), codec.encode(request)]
    versions = frozenset({(1, 1), (2, 0)})
    for name in RECORDINGS:
        messages.append(codec.encode(ipp_answer(sim_printer(name), request, uri, versions)))
    messages.append(codec.encode(_every_value_type()))
    return tuple(Seed(m, ipp_lengths(m)) for m in messages)


def _reading(path: Path, n: int, at: datetime) -> dict[str, Any]:
    """A recorded reading as the wire's device object."""
    device: dict[str, Any] = json.loads(path.read_text())
    device = {k: v for k, v in device.items() if not k.startswith("_")}
    return {**device, "observed_at": (at - timedelta(minutes=n)).isoformat(),
            "address": f"192.0.2.{n + 1}", "kind": device.get("kind", "printer")}  # fmt: skip


@lru_cache(maxsize=1)
def batch_seeds() -> tuple[dict[str, Any], ...]:
    """Upload batches built from the recorded readings: one reading, several, a whole fleet."""
    paths = sorted((FIXTURES / "recordings").glob("*.json"))
    at = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    readings = [_reading(p, n, at) for n, p in enumerate(paths)]
    out = []
    for k, chunk in enumerate((readings[:1], readings[1:4], readings[4:5], readings)):
        out.append({"schema": BATCH_SCHEMA, "batch_id": str(uuid.UUID(int=k + 1, version=4)),
                    "collector": COLLECTOR, "created_at": at.isoformat(),
                    "readings": chunk})  # fmt: skip
    return tuple(out)
