"""``printscout server create-admin``: the first administrator, who can then sign in."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from printscout.cli.main import main
from printscout.cli.server import create_admin
from printscout.server.app import create_app
from printscout.server.settings import ServerSettings
from printscout.storage import schema
from printscout.storage.accounts import Role, user_scope
from printscout.storage.session import Database, DatabaseConfig, sqlite_url
from tests.web.conftest import BASE, sign_in

pytestmark = pytest.mark.anyio


async def test_it_creates_an_admin_over_every_customer(
    db: Database, settings: ServerSettings
) -> None:
    user_id = create_admin(db, "Boss@Dealer.test", "first admin password")
    with db.reader() as session:
        scope = user_scope(session, user_id)
    assert scope.role is Role.ADMIN and scope.customer_ids is None
    transport = httpx.ASGITransport(app=create_app(settings, database=db))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        answer = await sign_in(http, "boss@dealer.test", "first admin password", "/users")
        assert answer.status_code == 303
        assert (await http.get("/users")).status_code == 200


def test_it_prints_a_generated_password_or_reads_one_from_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PRINTSCOUT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PRINTSCOUT_LOG__LEVEL", "WARNING")
    assert main(["server", "migrate"]) == 0
    assert main(["server", "create-admin", "--email", "a@dealer.test"]) == 0
    out = capsys.readouterr().out
    assert "password: " in out and len(out.split("password: ")[1].strip()) >= 16
    secret = tmp_path / "pw"
    secret.write_text("from a file, not shown\n")
    args = ["server", "create-admin", "--email", "b@dealer.test", "--password-file", str(secret)]
    assert main(args) == 0
    assert "from a file" not in capsys.readouterr().out
    db = Database(DatabaseConfig(sqlite_url(tmp_path)))
    try:
        schema.require_current(db)
        from printscout.storage.console import user_by_email
        from printscout.web.passwords import verify_password

        with db.reader() as session:
            user = user_by_email(session, "b@dealer.test")
            assert user is not None
            assert verify_password(user.password_hash, "from a file, not shown")
    finally:
        db.dispose()
