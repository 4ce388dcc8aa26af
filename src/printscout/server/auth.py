"""Who is calling: the collector behind an upload.

``current_collector`` is the one FastAPI dependency every collector route uses. It asks the
``CollectorAuthenticator`` kept on the application; today that checks an API key
(``Authorization: Bearer psk_…``, stored as SHA-256). The transport issue replaces it with one
that maps the verified TLS client certificate to a collector, without touching the routes.
"""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends, HTTPException, Request, status

from printscout.server.errors import NotAuthenticated
from printscout.storage.accounts import API_KEY_PREFIX, CollectorRecord, collector_by_key
from printscout.storage.session import Database


class CollectorAuthenticator(Protocol):
    """Maps a request to the active collector that sent it."""

    def authenticate(self, request: Request) -> CollectorRecord:
        """The collector, or raise NotAuthenticated."""
        ...


class ApiKeyAuthenticator:
    """Collectors identified by an API key in the Authorization header."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def authenticate(self, request: Request) -> CollectorRecord:
        """Look the key's hash up; unknown and revoked keys are refused alike."""
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key.startswith(API_KEY_PREFIX):
            raise NotAuthenticated("send the collector's key as 'Authorization: Bearer psk_…'")
        with self._db.lookup() as connection:
            collector = collector_by_key(connection, key)
        if collector is None:
            raise NotAuthenticated("unknown or revoked collector key")
        return collector


def current_collector(request: Request) -> CollectorRecord:
    """FastAPI dependency: the authenticated collector of this request (401 otherwise)."""
    authenticator: CollectorAuthenticator = request.app.state.collector_auth
    try:
        return authenticator.authenticate(request)
    except NotAuthenticated as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, str(exc), headers={"WWW-Authenticate": "Bearer"}
        ) from exc


CurrentCollector = Annotated[CollectorRecord, Depends(current_collector)]
