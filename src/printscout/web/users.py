"""The users page (admins only): the dealer's users, adding one, changing one's role,
disabling one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from printscout.server.api.common import MAX_ID
from printscout.storage import console as store
from printscout.storage.accounts import Customer, Role, User, UserCustomer, create_user
from printscout.storage.base import utcnow
from printscout.storage.errors import StorageError
from printscout.storage.session import Database
from printscout.web.pages import render
from printscout.web.passwords import generate_password, hash_password
from printscout.web.security import check_csrf, field, form
from printscout.web.sessions import Admin, Shared

router = APIRouter(include_in_schema=False)


@router.get("/users")
def users_page(request: Request, login: Admin, shared: Shared) -> Response:
    """The dealer's users and the form to add one (admins only)."""
    return render(request, login, "accounts/users.html", created=None, **_users(shared.db, login))


def _users(db: Database, login: store.ConsoleLogin) -> dict[str, Any]:
    dealer = login.scope.dealer_id
    with db.reader() as session:
        everyone = list(
            session.scalars(select(User).where(User.dealer_id == dealer).order_by(User.email))
        )
        customers = [
            (i, name)
            for i, name in session.execute(
                select(Customer.id, Customer.name).where(Customer.dealer_id == dealer)
            )
            if login.scope.sees_customer(i)
        ]
        scoped = _customers_of(session, dealer)
    # An admin of some customers sees (and manages) only the users of those customers.
    users = [u for u in everyone if _manages(login, u, scoped)]
    names = dict(customers)
    labels = {u: [names.get(c, "?") for c in sorted(cs)] for u, cs in scoped.items()}
    return {"users": users, "customers": customers, "scoped": labels, "roles": list(Role)}


def _customers_of(session: Session, dealer_id: int) -> dict[int, set[int]]:
    """The customers of each of the dealer's users limited to some."""
    links = session.execute(
        select(UserCustomer.user_id, UserCustomer.customer_id)
        .join(User, User.id == UserCustomer.user_id)
        .where(User.dealer_id == dealer_id)
    )
    found: dict[int, set[int]] = {}
    for user_id, customer_id in links:
        found.setdefault(user_id, set()).add(customer_id)
    return found


def _manages(login: store.ConsoleLogin, user: User, scoped: dict[int, set[int]]) -> bool:
    """Whether the admin may see and disable ``user``: all of the user's customers are theirs."""
    if login.scope.customer_ids is None or user.id == login.scope.user_id:
        return True
    # A user of no customer belongs to none of the admin's customers either.
    linked = scoped.get(user.id, set())
    return not user.all_customers and bool(linked) and linked <= login.scope.customer_ids


def _check_grant(db: Database, login: store.ConsoleLogin, wanted: frozenset[int] | None) -> None:
    """An admin grants only customers of the dealer that they see themselves."""
    if wanted is None:
        if login.scope.customer_ids is not None:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "you may not grant every customer")
        return
    if not wanted and login.scope.customer_ids is not None:
        # A user of no customer would be beyond the admin's own customers at once.
        raise HTTPException(status.HTTP_403_FORBIDDEN, "grant at least one of your customers")
    dealer = login.scope.dealer_id
    with db.reader() as session:
        found = set(session.scalars(select(Customer.id).where(Customer.dealer_id == dealer)))
    if not wanted <= found or not all(login.scope.sees_customer(c) for c in wanted):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "unknown customer")


@router.post("/users")
async def add_user(request: Request, login: Admin, shared: Shared) -> Response:
    """Create a user with a generated password, shown once to the admin."""
    data = await form(request)
    check_csrf(login.csrf, data)
    try:
        role = Role(field(data, "role"))
        wanted = {int(c) for c in data.get("customers", []) if c}
    except ValueError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "bad role or customer") from exc
    scope = None if field(data, "all_customers") else frozenset(wanted)
    _check_grant(shared.db, login, scope)
    password = generate_password()

    def save() -> None:
        with shared.db.writer() as session:
            user = create_user(
                session, login.scope.dealer_id, field(data, "email"), role,
                name=field(data, "name"), customer_ids=scope,
            )  # fmt: skip
            store.set_password_hash(session, user.id, hash_password(password))

    try:
        await run_in_threadpool(save)
    except (IntegrityError, StorageError) as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, "a user with this email exists") from exc
    created = {"email": field(data, "email").strip().lower(), "password": password}
    context = _users(shared.db, login)
    return render(
        request, login, "accounts/users.html", status_code=201, created=created, **context
    )


@router.post("/users/{user_id}/disable")
async def disable_user(user_id: int, request: Request, login: Admin, shared: Shared) -> Response:
    """Disable a user of the dealer: no more logins, every session ends (not oneself)."""
    check_csrf(login.csrf, await form(request))
    if user_id == login.scope.user_id:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "you cannot disable yourself")
    return await _change_user(shared.db, login, user_id, disabled_at=utcnow())


@router.post("/users/{user_id}/role")
async def change_role(user_id: int, request: Request, login: Admin, shared: Shared) -> Response:
    """Give a user of the dealer another role; it holds from their next request (not oneself:
    an admin cannot leave the dealer without one by mistake)."""
    data = await form(request)
    check_csrf(login.csrf, data)
    try:
        role = Role(field(data, "role"))
    except ValueError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "bad role") from exc
    if user_id == login.scope.user_id:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "you cannot change your own role")
    return await _change_user(shared.db, login, user_id, role=role)


async def _change_user(
    db: Database, login: store.ConsoleLogin, user_id: int, **values: Any
) -> Response:
    """Set ``values`` on a user the admin manages; a disabled user's sessions end with it."""

    def work() -> bool:
        if not 0 < user_id <= MAX_ID:  # no column holds it (the driver overflowed: a 500)
            return False
        with db.writer() as session:
            target = session.get(User, user_id)
            if target is None or target.dealer_id != login.scope.dealer_id:
                return False
            if not _manages(login, target, _customers_of(session, login.scope.dealer_id)):
                raise HTTPException(status.HTTP_403_FORBIDDEN, "beyond your customers")
            session.execute(update(User).where(User.id == user_id).values(**values))
            if "disabled_at" in values:
                store.close_other_sessions(session, user_id, None)
        return True

    if not await run_in_threadpool(work):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such user")
    return Response(status_code=303, headers={"location": "/users"})
