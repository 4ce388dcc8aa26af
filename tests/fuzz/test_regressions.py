"""Inputs the fuzzer found that crashed a decoder, or cost it far more than their size.

Each was an unhandled exception (a 500 at the ingest endpoint) or seconds of CPU before the fix.
"""

from __future__ import annotations

import json
import uuid

import pytest
from pydantic import ValidationError

from printscout.domain.errors import ParseError
from printscout.domain.wire import WireBatch
from printscout.protocols.ipp import codec
from printscout.server.errors import BodyError
from printscout.server.ingest.body import parse
from printscout.server.ingest.service import _valid_batches
from tests.support.fuzz.seeds import batch_seeds
from tests.support.fuzz.targets import ingest_run, ipp_run


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # RecursionError in json.loads
        b'{"a": ' + b"9" * 5000 + b"}",  # ValueError: more digits than int() converts
        b'[{"schema": "printscout.batch/1", "batch_id": ' + b"1" * 4301 + b"}]",
    ],
    ids=["nested-100k", "5000-digit-number", "4301-digit-batch-id"],
)
def test_a_body_json_cannot_hold_is_refused_as_bad_json(body: bytes) -> None:
    assert _valid_batches(body) is None  # the fast path refuses it, so the slow path parses it
    with pytest.raises(BodyError) as caught:
        parse(body)
    assert caught.value.status == 400
    assert "body is not JSON" in str(caught.value)
    assert ingest_run(body).startswith("http-400:")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("created_at", "0001-01-01T00:00:00+05:00"),  # OverflowError in astimezone(UTC)
        ("observed_at", "9999-12-31T23:59:59-05:00"),
    ],
)
def test_a_time_without_a_utc_equivalent_rejects_its_batch(field: str, value: str) -> None:
    batch = json.loads(json.dumps(batch_seeds()[0]))
    target = batch if field == "created_at" else batch["readings"][0]
    target[field] = value
    with pytest.raises(ValidationError, match="out of range once converted to UTC"):
        WireBatch.model_validate(batch)
    assert ingest_run(json.dumps(batch).encode()) == "ok:0:1"  # rejected alone, no crash


def test_the_edges_of_the_utc_range_still_validate() -> None:
    batch = json.loads(json.dumps(batch_seeds()[0]))
    batch["batch_id"] = str(uuid.uuid4())
    batch["created_at"] = "0001-01-01T05:00:00+05:00"
    batch["readings"][0]["observed_at"] = "9999-12-31T18:59:59-05:00"
    wire = WireBatch.model_validate(batch)
    assert wire.to_domain().created_at.year == 1


IPP_HEADER = bytes((2, 0, 0, 0, 0, 0, 0, 1))


def test_a_flood_of_ipp_group_delimiters_is_refused_early() -> None:
    # each delimiter octet used to become a group object: 2 MiB of them, seconds of CPU
    flood = IPP_HEADER + b"\x04" * 2_000_000 + b"\x03"
    with pytest.raises(ParseError, match="more than 1000 attribute groups"):
        codec.decode(flood)


def test_a_message_of_many_empty_groups_up_to_the_cap_still_decodes() -> None:
    data = IPP_HEADER + b"\x04" * codec.MAX_GROUPS + b"\x03"
    assert len(codec.decode(data).groups) == codec.MAX_GROUPS
    assert ipp_run(data) == f"ok:0:{codec.MAX_GROUPS}:0"
