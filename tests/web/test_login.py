"""Signing in and out: sessions, CSRF, lockout after failures, redirects to the login page."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update

from printscout.storage.accounts import User
from printscout.storage.base import utcnow
from printscout.storage.console import FORGET_AFTER, ConsoleSession, LoginThrottle, hash_token
from printscout.storage.session import Database
from printscout.web.passwords import verify_password
from printscout.web.sessions import COOKIE
from tests.web.conftest import csrf_of, sign_in
from tests.web.seed import PASSWORD, Fleet

pytestmark = pytest.mark.anyio


async def test_it_sends_a_visitor_without_a_session_to_the_login_page(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    answer = await browser.get(f"/devices/{fleet.acme_device}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next=/devices/{fleet.acme_device}"


async def test_it_tells_htmx_to_navigate_to_the_login_page(browser: httpx.AsyncClient) -> None:
    answer = await browser.get("/?q=x", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert answer.headers["hx-redirect"] == "/login?next=/"


async def test_it_signs_in_with_the_right_password_and_keeps_only_a_hash(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    answer = await sign_in(browser, fleet.users["alice"], next_path="/reports")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/reports"
    cookie = answer.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    token = browser.cookies[COOKIE]
    with db.reader() as session:
        stored = session.scalar(select(ConsoleSession.token_hash))
    assert stored == hash_token(token) != token
    page = await browser.get("/")
    assert page.status_code == 200
    assert fleet.users["alice"] in page.text


async def test_it_refuses_a_wrong_password(browser: httpx.AsyncClient, fleet: Fleet) -> None:
    answer = await sign_in(browser, fleet.users["alice"], "not the password")
    assert answer.status_code == 401
    assert "Wrong email or password" in answer.text
    assert COOKIE not in browser.cookies
    unknown = await sign_in(browser, "nobody@dealer.test", "whatever it is")
    assert unknown.status_code == 401


async def test_it_locks_an_email_after_repeated_failures(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    for _ in range(5):
        await sign_in(browser, fleet.users["oscar"], "wrong password!")
    answer = await sign_in(browser, fleet.users["oscar"])  # now even the right one waits
    assert answer.status_code == 429
    assert "Try again in" in answer.text
    other = await sign_in(browser, fleet.users["vera"])  # other accounts are not affected
    assert other.status_code == 303


async def test_it_refuses_a_login_post_without_the_csrf_token(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    await browser.get("/login")
    form = {"csrf": "forged", "email": fleet.users["alice"], "password": "x"}
    assert (await browser.post("/login", data=form)).status_code == 403


async def test_it_never_redirects_to_another_site_after_login(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    answer = await sign_in(browser, fleet.users["alice"], next_path="//evil.test/x")
    assert answer.headers["location"] == "/"


async def test_it_signs_out_on_the_server(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    await sign_in(browser, fleet.users["alice"])
    token = browser.cookies[COOKIE]
    page = await browser.get("/account")
    forged = await browser.post("/logout", data={"csrf": "forged"})
    assert forged.status_code == 403
    answer = await browser.post("/logout", data={"csrf": csrf_of(page)})
    assert answer.status_code == 303
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(ConsoleSession)) == 0
    browser.cookies.set(COOKIE, token)  # a copied cookie is dead too
    assert (await browser.get("/")).status_code == 303


async def test_it_forgets_old_failures(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    for _ in range(4):
        await sign_in(browser, fleet.users["oscar"], "wrong password!")
    with db.writer() as session:
        session.execute(
            update(LoginThrottle).values(last_failure_at=utcnow() - FORGET_AFTER - timedelta(1))
        )
    for _ in range(4):  # four more would lock if the old four still counted
        assert (await sign_in(browser, fleet.users["oscar"], "wrong again!")).status_code == 401
    assert (await sign_in(browser, fleet.users["oscar"])).status_code == 303


async def test_it_rehashes_a_weak_hash_and_sweeps_expired_sessions(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with db.writer() as session:
        user = session.scalars(select(User).where(User.email == fleet.users["vera"])).one()
        user.password_hash = weak
        session.add(
            ConsoleSession(
                token_hash="0" * 64,
                user_id=user.id,
                csrf="x",
                created_at=utcnow() - timedelta(days=2),
                expires_at=utcnow() - timedelta(days=1),
            )
        )
    assert (await sign_in(browser, fleet.users["vera"])).status_code == 303
    with db.reader() as session:
        stored = session.scalar(select(User.password_hash).where(User.email == fleet.users["vera"]))
        hashes = set(session.scalars(select(ConsoleSession.token_hash)))
    assert stored != weak and stored is not None and verify_password(stored, PASSWORD)
    assert "0" * 64 not in hashes and len(hashes) == 1
