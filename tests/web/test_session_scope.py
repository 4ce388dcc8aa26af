"""The session cookie as a ScopeResolver: routes guarded by CurrentScope (the reports service,
the API) see a signed-in console user with the user's scope."""

from __future__ import annotations

import httpx
import pytest

from printscout.server.app import create_app
from printscout.server.scope import CurrentScope
from printscout.server.settings import ServerSettings
from printscout.storage.session import Database
from tests.web.conftest import BASE, signed_in
from tests.web.seed import Fleet

pytestmark = pytest.mark.anyio


async def test_it_resolves_the_console_session_for_scoped_routes(
    settings: ServerSettings, db: Database, fleet: Fleet
) -> None:
    app = create_app(settings, database=db)

    @app.get("/probe")
    def probe(scope: CurrentScope) -> dict[str, object]:
        return {"role": scope.role.value, "customers": sorted(scope.customer_ids or [])}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        assert (await http.get("/probe")).status_code == 401
        await signed_in(http, fleet, "vera")
        assert (await http.get("/probe")).json() == {"role": "viewer", "customers": [fleet.acme_id]}
