"""Every route of the application is classified: a guard, a valid body when it changes state,
and ids of both customers for its path parameters. A new route fails here until it is, so the
security tests cannot silently miss it."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from printscout.server.app import create_app
from printscout.server.settings import ServerSettings
from printscout.storage.session import Database, DatabaseConfig, sqlite_url
from tests.security.bodies import FORMS, JSON
from tests.security.routes import UNSAFE, Guard, app_routes, guarded
from tests.security.world import ID_NAMES
from tests.server.conftest import SECRET


def test_it_classifies_every_route(tmp_path: Path) -> None:
    settings = ServerSettings(data_dir=tmp_path, secret_key=SecretStr(SECRET))
    app = create_app(settings, database=Database(DatabaseConfig(sqlite_url(tmp_path))))
    routes = app_routes(app)
    unclassified = [r.name for r in routes if r.guard is None]
    assert not unclassified, (
        f"routes without a known guard or a PUBLIC_ROUTES entry: {unclassified}"
    )
    reachable = guarded(app)
    unknown = {p for r in reachable for p in r.params} - set(ID_NAMES)
    assert not unknown, f"path parameters the world has no ids for: {unknown}"
    writes = {r.name for r in reachable if r.method in UNSAFE}
    missing = writes - set(FORMS) - set(JSON)
    assert not missing, f"state-changing routes without a body in bodies.py: {missing}"
    assert not (set(FORMS) | set(JSON)) - writes, "bodies.py lists routes that no longer exist"
    # Console routes answer to console guards, the API to scope guards: no mixing.
    for route in reachable:
        console_guard = route.guard in (Guard.SIGNED_IN, Guard.WRITER, Guard.ADMIN)
        assert console_guard == route.console, route.name
