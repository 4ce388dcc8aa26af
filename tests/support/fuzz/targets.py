"""The three fuzz targets: how each makes an input, runs the decoder and names the outcome.

A target's ``run`` returns a short outcome label, or raises. Exceptions listed in the target's
``expected`` are the decoder's declared rejection; anything else is a bug.
"""

from __future__ import annotations

import contextlib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import zstandard
from pydantic import ValidationError

from printscout.domain.errors import ParseError, SnmpAuthError
from printscout.domain.wire import IngestResult, RejectedBatch, WireBatch
from printscout.protocols.ipp import codec
from printscout.protocols.ipp import values as ipp
from printscout.protocols.ipp.tags import GroupTag
from printscout.protocols.snmp import ber, v3
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.pdu import Pdu
from printscout.server.errors import BodyError
from printscout.server.ingest import service
from printscout.server.ingest.body import decode as decode_body
from printscout.server.ingest.body import parse
from printscout.simulator.fleet import DEFAULT_USERS
from tests.support.fuzz import seeds
from tests.support.fuzz.json_mutations import dumps, mutate_document
from tests.support.fuzz.mutations import Seed, ber_lengths, mutate

ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"
DECODED_LIMIT: Final = 1 << 20  # the server's limit is 64 MiB; 1 MiB keeps a run fast
MAX_BODY: Final = 3 << 19  # documents are cut here: past the decoded limit, but not far
_DIGITS: Final = re.compile(r"\d+")
_USERS: Final = {u.name.encode(): u for u in (*DEFAULT_USERS, v3.UsmUser("fuzz-noauth"))}


class RoundTripError(AssertionError):
    """A decoded IPP message does not encode back to the bytes it came from."""


@dataclass(frozen=True, slots=True)
class Target:
    """One decoder under fuzzing."""

    name: str
    expected: tuple[type[BaseException], ...]
    generate: Callable[[random.Random], bytes]
    run: Callable[[bytes], str]


def _label(exc: BaseException) -> str:
    """An outcome label for a declared error: its type and message with numbers blanked."""
    return f"{type(exc).__name__}:{_DIGITS.sub('#', str(exc))[:60]}"


# ---------------------------------------------------------------- SNMP


def _lookup(user: bytes, engine: bytes) -> v3.LocalKeys | None:
    found = _USERS.get(user)
    return found.localize(engine) if found is not None and len(engine) <= 64 else None


def _resigned(rng: random.Random) -> bytes:
    """A v3 message whose security holds but whose varbinds are damaged: signed and encrypted
    after the mutation, so the decoder reaches the decrypted scoped PDU."""
    user = rng.choice(list(_USERS.values()))
    keys = user.localize(seeds.ENGINE)
    varbinds = mutate(rng, [Seed(v, ber_lengths(v)) for v in seeds.varbind_seeds()])
    flags = (v3.FLAG_AUTH if keys else 0) | (v3.FLAG_PRIV if user.priv_protocol else 0)
    return v3.pack(msg_id=rng.randrange(1 << 31), flags=flags, engine_id=seeds.ENGINE, boots=1,
                   time=1, user=user.name.encode(), context_engine_id=seeds.ENGINE,
                   context_name=b"", pdu=Pdu(rng.choice(sorted(pdus.PDU_TAGS)), 1), keys=keys,
                   salt=rng.randbytes(8), varbinds_encoded=varbinds)  # fmt: skip


def snmp_input(rng: random.Random) -> bytes:
    """A mutated SNMP message (one in eight: a re-signed v3 message with damaged varbinds)."""
    if rng.random() < 0.125:
        return _resigned(rng)
    return mutate(rng, seeds.snmp_seeds())


def snmp_run(data: bytes) -> str:
    """Every entry point that meets a datagram: version peek, v1/v2c decode, v3 unpack, peeks."""
    outcome = ""
    try:
        message = pdus.decode_community_message(data)
        outcome = f"v{message.version}:{message.pdu.tag:x}:{min(len(message.pdu.varbinds), 9)}"
    except pdus.NotCommunityMessage:
        outcome = "v3"
        try:
            v3.peek_msg_id(data)
            v3.peek_security(data)
            m = v3.unpack(data, _lookup)
            outcome = f"v3:{m.flags & 3}:{m.pdu.tag:x}:{min(len(m.pdu.varbinds), 9)}"
        except (ParseError, SnmpAuthError) as exc:
            outcome = "v3:" + _label(exc)
    except ParseError as exc:
        outcome = _label(exc)
    with contextlib.suppress(ParseError):
        pdus.peek_version(data)
    return outcome


# ---------------------------------------------------------------- IPP


def ipp_input(rng: random.Random) -> bytes:
    """A mutated IPP message."""
    return mutate(rng, seeds.ipp_seeds())


def ipp_run(data: bytes) -> str:
    """Decode; a message that decodes must encode back to the same bytes (the codec's promise)
    and answer the accessors the collector uses."""
    try:
        message = codec.decode(data)
    except ParseError as exc:
        return _label(exc)
    if codec.encode(message) != data:
        raise RoundTripError(f"{len(data)} bytes do not survive decode and encode")
    printer = message.merged(GroupTag.PRINTER)
    for attribute in printer:
        attribute.strings()
        attribute.integers()
        for value in attribute.values:
            if isinstance(value, ipp.DateTime):
                value.to_datetime()
    return f"ok:{message.code:x}:{len(message.groups)}:{min(len(printer.attributes), 9)}"


# ---------------------------------------------------------------- upload


def ingest_input(rng: random.Random) -> bytes:
    """A batch body: the document mutated as JSON, then maybe as bytes, maybe compressed."""
    document: Any = rng.choice(seeds.batch_seeds())
    if rng.random() < 0.3:
        document = [rng.choice(seeds.batch_seeds()) for _ in range(rng.randrange(1, 4))]
    if rng.random() < 0.8:
        document = mutate_document(rng, document)
    data = dumps(document)
    data = data[:MAX_BODY]
    if rng.random() < 0.2:
        data = mutate(rng, [Seed(data, ())])
    if rng.random() < 0.35:
        data = zstandard.ZstdCompressor(level=1).compress(data)
        if rng.random() < 0.3:
            data = mutate(rng, [Seed(data, ())])
    return data


def ingest_run(data: bytes) -> str:
    """What the ingest route does with a body short of the database: undo the encoding, find the
    batches, validate each on its own, turn the valid ones into domain values, and answer."""
    encoding = "zstd" if data.startswith(ZSTD_MAGIC) else None
    try:
        body = decode_body(data, encoding, DECODED_LIMIT)
        batches = service._valid_batches(body) or parse(body)
    except BodyError as exc:
        return f"http-{exc.status}:{_label(exc)[:40]}"
    if len(batches) > service.IngestLimits().max_batches:
        return "http-413:too many batches"
    result = IngestResult()
    for index, item in enumerate(batches):
        try:
            wire = item if isinstance(item, WireBatch) else WireBatch.model_validate(item)
        except ValidationError as exc:
            errors = [service._describe(e) for e in exc.errors()[: service.MAX_ERRORS]]
            result.rejected.append(
                RejectedBatch(
                    batch_id=service._batch_id(item),
                    index=index,
                    reason=errors[0],
                    retryable=False,
                    errors=errors,
                )
            )
            continue
        wire.to_domain()
        result.duplicate.append(wire.batch_id)
    result.model_dump_json()
    return f"ok:{len(result.duplicate)}:{len(result.rejected)}"


TARGETS: Final = {
    "snmp": Target("snmp", (ParseError, SnmpAuthError), snmp_input, snmp_run),
    "ipp": Target("ipp", (ParseError,), ipp_input, ipp_run),
    "ingest": Target("ingest", (BodyError,), ingest_input, ingest_run),
}
_ = ber  # the BER codec is reached through every SNMP entry point above
