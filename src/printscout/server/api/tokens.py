"""API tokens as a way of signing in: the ``ScopeResolver`` for ``Authorization: Bearer pst_…``."""

from __future__ import annotations

import logging
from datetime import timedelta

from fastapi import Request

from printscout.server.errors import NotAuthenticated
from printscout.storage.accounts import Scope
from printscout.storage.api_tokens import TOKEN_PREFIX, grant_of, mark_used, token_scope
from printscout.storage.base import utcnow
from printscout.storage.errors import NotFound, StorageError
from printscout.storage.session import Database

log = logging.getLogger("printscout.server.api")


class ApiTokenResolver:
    """Recognises API tokens; other credentials (collector keys, cookies) are left to others."""

    def __init__(self, db: Database, touch_every: timedelta) -> None:
        self._db = db
        self._touch_every = touch_every

    def resolve(self, request: Request) -> Scope | None:
        """The scope of the token's user, narrowed by the token; raise for a dead token."""
        token = bearer_token(request)
        if token is None:
            return None
        now = utcnow()
        with self._db.reader() as session:
            grant = grant_of(session.connection(), token, now)
            if grant is None:
                raise NotAuthenticated("unknown, expired or revoked API token")
            try:
                scope = token_scope(session, grant)
            except NotFound as exc:
                raise NotAuthenticated("the token's user is disabled") from exc
        last = grant.last_used_at
        if last is None or now - last >= self._touch_every:
            self._touch(grant.token_id)
        return scope

    def _touch(self, token_id: int) -> None:
        """Record the use; a failure here must not fail the request that used the token."""
        try:
            self._db.write(lambda s: mark_used(s, token_id, utcnow(), self._touch_every))
        except StorageError as exc:
            log.warning("could not record API token use", extra={"error": str(exc)})


def bearer_token(request: Request) -> str | None:
    """The API token in the Authorization header, or None when it holds something else."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        return None
    return token
