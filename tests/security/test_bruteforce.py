"""Guessing: password spraying from one client is stopped across emails, unknown emails are
answered exactly like known ones (no account enumeration by status, text or lockout), and
guessed API tokens all get the same 401. On SQLite and PostgreSQL (the lockout lives in the
database)."""

from __future__ import annotations

import re
import secrets

import httpx
import pytest
from fastapi import FastAPI

from printscout.storage.console import CLIENT_FREE_FAILURES, FREE_FAILURES
from printscout.storage.session import Database
from tests.security.clients import BASE, changed, fingerprint
from tests.security.world import World
from tests.web.conftest import sign_in
from tests.web.seed import PASSWORD

pytestmark = pytest.mark.anyio


def from_address(app: FastAPI, address: str) -> httpx.AsyncClient:
    """A browser at ``address`` (one of this feature's loopback addresses)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url=BASE)


def normal(page: httpx.Response) -> tuple[int, str]:
    """The answer without what differs by chance: CSRF tokens, seconds to wait."""
    text = re.sub(r'value="[A-Za-z0-9_-]{20,}"', 'value="…"', page.text)
    return page.status_code, re.sub(r"\d+", "N", text)


async def attempts(app: FastAPI, address: str, email: str, times: int) -> list[tuple[int, str]]:
    """``times`` wrong passwords for ``email`` from ``address``."""
    async with from_address(app, address) as http:
        return [normal(await sign_in(http, email, "wrong password!")) for _ in range(times)]


async def test_it_answers_unknown_emails_exactly_like_known_ones(
    shared_app: FastAPI, world: World
) -> None:
    known = await attempts(shared_app, "127.93.1.1", world.emails["gina"], FREE_FAILURES + 1)
    codes = [code for code, _ in known]
    assert codes == [401] * (FREE_FAILURES - 1) + [429, 429]  # the known account locks
    # Odd ones too: too long for the column, and NUL, which PostgreSQL refuses to store.
    strangers = ("ghost@dealer.test", "x" * 400 + "@dealer.test", "nul\x00@dealer.test")
    for n, email in enumerate(strangers, start=2):
        unknown = await attempts(shared_app, f"127.93.1.{n}", email, FREE_FAILURES + 1)
        assert unknown == known, email  # same statuses, same pages, same lockout


@pytest.mark.parametrize("shared_db", ["sqlite"], indirect=True)
async def test_it_stops_password_spraying_from_one_client(
    shared_app: FastAPI, world: World
) -> None:
    async with from_address(shared_app, "127.93.2.1") as sprayer:
        codes = [
            (await sign_in(sprayer, f"user{n}@dealer.test", "Winter2026!")).status_code
            for n in range(CLIENT_FREE_FAILURES + 2)
        ]
        # Each email failed once only, so only the client's count can stop this.
        assert codes[: CLIENT_FREE_FAILURES - 1] == [401] * (CLIENT_FREE_FAILURES - 1)
        assert codes[-1] == 429
        assert (await sign_in(sprayer, world.emails["vera"])).status_code == 429
    async with from_address(shared_app, "127.93.2.2") as someone_else:
        assert (await sign_in(someone_else, world.emails["vera"], PASSWORD)).status_code == 303


@pytest.mark.parametrize("shared_db", ["sqlite"], indirect=True)
async def test_it_keeps_a_typed_email_from_locking_another_clients_address(
    shared_app: FastAPI, world: World
) -> None:
    # Enough failures to lock an email, with the victim's address typed as the email.
    victim = "127.93.3.2"
    for typed in (f"client:{victim}", f"client\t{victim}", f"CLIENT:{victim} "):
        codes = [code for code, _ in await attempts(shared_app, "127.93.3.1", typed, FREE_FAILURES)]
        assert codes[-1] == 429, typed  # the typed "email" itself locks, as any email does
    async with from_address(shared_app, victim) as someone_else:
        assert (await sign_in(someone_else, world.emails["vera"], PASSWORD)).status_code == 303


async def test_it_answers_every_guessed_api_token_alike(
    shared_app: FastAPI, shared_db: Database, world: World
) -> None:
    real = world.tokens["vera"]
    guesses = [
        "pst_" + secrets.token_urlsafe(32),
        real[:-1] + ("A" if real[-1] != "A" else "B"),  # one character off
        real + "x",
        "pst_",
        "pst_" + "A" * 5000,
        "pst_' OR '1'='1",
        "pst_ünïcødé",
    ]
    before = fingerprint(shared_db)
    answers = set()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=shared_app), base_url=BASE
    ) as http:
        for guess in guesses:
            answer = await http.get(
                "/api/v1/devices", headers={b"Authorization": f"Bearer {guess}".encode()}
            )
            answers.add((answer.status_code, answer.text, answer.headers.get("www-authenticate")))
            assert guess[4:] == "" or guess[4:] not in answer.text
        good = await http.get("/api/v1/devices", headers={"Authorization": f"Bearer {real}"})
    assert len(answers) == 1 and next(iter(answers))[0] == 401, answers
    assert good.status_code == 200  # the same request with the real token passes
    assert changed(before, fingerprint(shared_db)) == []
