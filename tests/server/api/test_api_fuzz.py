"""Schemathesis fuzzes every integration API operation from the served OpenAPI document: valid
and invalid requests, with a writing token, must never get a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from schemathesis.python import asgi
from sqlalchemy import select

from printscout.storage.fleet import Device
from printscout.storage.session import Database
from tests.server.api.personas import Fleet

# Per operation: enough for valid and invalid input on each, deterministic, < 30 s in all.
EXAMPLES = 12


@pytest.fixture
def live_app(app: FastAPI) -> Iterator[FastAPI]:
    """The app; schemathesis keeps its lifespan running until told to stop."""
    yield app
    asgi.shutdown_lifespans()


def test_it_answers_fuzzed_requests_without_a_server_error(
    live_app: FastAPI, db: Database, fleet: Fleet
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", live_app)
    ours = schema.exclude(path="/api/v1/ingest")  # the collectors' endpoint, tested on its own
    auth = {"Authorization": f"Bearer {fleet.tokens['admin']}"}
    # Half the cases aim at objects that exist, so writes reach the database, not just a 404.
    with db.reader() as session:
        device = session.scalars(select(Device.id).order_by(Device.id).limit(1)).one()
    real = {"device_id": device, "site_id": fleet.sites["Lab"]}
    operations = set()
    strategies = []
    for result in ours.get_all_operations():
        assert isinstance(result, Ok), result  # the document is valid OpenAPI
        operation = result.ok()
        operations.add(f"{operation.method.upper()} {operation.path}")
        present = {k: v for k, v in real.items() if f"{{{k}}}" in operation.path}
        strategies.append(
            st.one_of(
                operation.as_strategy(generation_mode=GenerationMode.POSITIVE, headers=auth),
                operation.as_strategy(generation_mode=GenerationMode.NEGATIVE, headers=auth),
                operation.as_strategy(
                    generation_mode=GenerationMode.POSITIVE, headers=auth, path_parameters=present
                ),
            )
        )
    seen: dict[str, set[int]] = {}

    def fuzz(case: Any) -> None:
        response = case.call()
        seen.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} {case.query} {case.body!r}: "
            f"{response.status_code} {response.text[:300]}"
        )

    rules = settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )
    for strategy in strategies:
        rules(given(case=strategy)(fuzz))()
    assert set(seen) == operations  # every operation was reached
    assert any(200 <= code < 300 for codes in seen.values() for code in codes)
    assert any(code == 422 for codes in seen.values() for code in codes)
    assert 200 in seen["PATCH /api/v1/sites/{site_id}"]  # a rename reached the database
    assert 200 in seen["GET /api/v1/devices/{device_id}/readings"]
