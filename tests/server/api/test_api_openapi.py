"""GET /api/openapi.json: the integration API documented, with its bearer scheme declared."""

from __future__ import annotations

import pytest

from tests.server.api.personas import ClientFor, Fleet

pytestmark = pytest.mark.anyio

OPERATIONS = {
    ("get", "/api/v1/devices"),
    ("get", "/api/v1/devices/{device_id}"),
    ("get", "/api/v1/devices/{device_id}/readings"),
    ("get", "/api/v1/customers"),
    ("get", "/api/v1/sites"),
    ("post", "/api/v1/sites"),
    ("get", "/api/v1/sites/{site_id}"),
    ("patch", "/api/v1/sites/{site_id}"),
    ("delete", "/api/v1/sites/{site_id}"),
    ("get", "/metrics"),
}


async def test_it_serves_the_schema_with_every_operation_behind_the_bearer_scheme(
    client_for: ClientFor, fleet: Fleet
) -> None:
    response = await client_for(None).get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    scheme = document["components"]["securitySchemes"]["apiToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    found = {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert set(found) >= OPERATIONS
    for key in OPERATIONS:
        assert found[key]["security"] == [{"apiToken": []}], key


async def test_it_documents_the_page_size_limit(client_for: ClientFor, fleet: Fleet) -> None:
    document = (await client_for(None).get("/api/openapi.json")).json()
    parameters = document["paths"]["/api/v1/devices"]["get"]["parameters"]
    [limit] = [p for p in parameters if p["name"] == "limit"]
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 500)
