"""Who is asking, and what they may see: one dependency for console pages and the API alike.

Each way of signing in (a console session cookie, an API token) registers a ``ScopeResolver`` on
``app.state.scope_resolvers``. ``current_scope`` asks them in order; the first that recognises
the request decides. A resolver returns ``None`` when the request does not carry its kind of
credential, and raises ``NotAuthenticated`` when it carries a bad one.
"""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends, HTTPException, Request, status

from printscout.server.errors import NotAuthenticated
from printscout.storage.accounts import Scope


class ScopeResolver(Protocol):
    """Maps a request carrying one kind of credential to the caller's scope."""

    def resolve(self, request: Request) -> Scope | None:
        """The scope, None if the request has no credential of this kind, or raise."""
        ...


def resolvers(request: Request) -> list[ScopeResolver]:
    """The resolvers registered on the application (created empty on first use)."""
    state = request.app.state
    if not hasattr(state, "scope_resolvers"):
        state.scope_resolvers = []
    found: list[ScopeResolver] = state.scope_resolvers
    return found


def current_scope(request: Request) -> Scope:
    """FastAPI dependency: the caller's scope (401 when no resolver recognises the request)."""
    for resolver in resolvers(request):
        try:
            scope = resolver.resolve(request)
        except NotAuthenticated as exc:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc)) from exc
        if scope is not None:
            return scope
    raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in or send an API token")


def writable_scope(scope: Annotated[Scope, Depends(current_scope)]) -> Scope:
    """FastAPI dependency: the caller's scope, refused with 403 unless it may change things."""
    if not scope.can_write:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this role may only read")
    return scope


CurrentScope = Annotated[Scope, Depends(current_scope)]
WritableScope = Annotated[Scope, Depends(writable_scope)]
