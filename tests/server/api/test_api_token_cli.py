"""``printscout server create-token`` and ``revoke-token``."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import select

from printscout.cli.main import main
from printscout.storage.accounts import Customer, Role, create_user, ensure_site
from printscout.storage.api_tokens import ApiToken, grant_of
from printscout.storage.base import utcnow
from printscout.storage.session import Database, DatabaseConfig, sqlite_url


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PRINTSCOUT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PRINTSCOUT_LOG__LEVEL", "WARNING")
    assert main(["server", "migrate"]) == 0
    db = Database(DatabaseConfig(sqlite_url(tmp_path)))
    try:
        with db.writer() as session:
            site = ensure_site(session, "Dealer", "Acme", "HQ")
            dealer_id = session.get_one(Customer, site.customer_id).dealer_id
            create_user(session, dealer_id, "Ops@Dealer.test", Role.OPERATOR)
    finally:
        db.dispose()
    return tmp_path


def _db(data_dir: Path) -> Database:
    return Database(DatabaseConfig(sqlite_url(data_dir)))


def test_it_creates_a_read_only_expiring_token_and_revokes_it(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    args = ["server", "create-token", "--user", "ops@dealer.test", "--read-only"]
    assert main([*args, "--expires-days", "30", "--name", "grafana"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["token"].startswith("pst_") and created["read_only"] is True
    db = _db(data_dir)
    try:
        with db.reader() as session:
            row = session.scalars(select(ApiToken)).one()
            grant = grant_of(session.connection(), created["token"], utcnow())
        assert (row.public_id, row.name, row.read_only) == (UUID(created["id"]), "grafana", True)
        assert row.expires_at is not None and 29 <= (row.expires_at - utcnow()).days <= 30
        assert grant is not None and grant.read_only
        assert main(["server", "revoke-token", "--id", created["id"]]) == 0
        with db.reader() as session:
            assert grant_of(session.connection(), created["token"], utcnow()) is None
    finally:
        db.dispose()
    assert main(["server", "revoke-token", "--id", created["id"]]) == 2


def test_it_refuses_unknown_users_and_bad_arguments(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["server", "create-token", "--user", "nobody@dealer.test"]) == 2
    assert "no user nobody@dealer.test" in capsys.readouterr().err
    assert main(["server", "create-token", "--user", "ops@dealer.test", "--expires-days", "0"]) == 2
    assert main(["server", "revoke-token", "--id", "not-a-uuid"]) == 2
    assert "not a token id" in capsys.readouterr().err
