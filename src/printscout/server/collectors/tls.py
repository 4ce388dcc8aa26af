"""Mutual TLS for uvicorn: the server's SSL context, the peer certificate in the ASGI scope, and
the authenticator that maps it to a collector.

uvicorn does not put the client's certificate in the scope. ``PeerCertProtocol`` (uvicorn's
httptools protocol) reads it from the TLS object once per connection, after the handshake, and
adds it to the connection's copy of the lifespan state, which uvicorn copies into every
request's ``scope["state"]``; Starlette shows it as ``request.state``.

One listener serves both enrolment (no certificate yet) and collectors: ``CERT_OPTIONAL`` makes
OpenSSL verify any certificate presented against the server's CA (an expired one or one from
another CA fails the handshake), and a route that needs a collector refuses a request without
one. Revocation is a per-request lookup of the certificate's fingerprint, so it holds at once,
even on a connection opened before.
"""

from __future__ import annotations

import asyncio
import ssl
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from fastapi import Request
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from printscout.server.collectors.ca import CertificateAuthority, fingerprint
from printscout.server.errors import NotAuthenticated
from printscout.storage.accounts import CollectorRecord
from printscout.storage.collectors import collector_by_fingerprint
from printscout.storage.session import Database

PEER_CERT: Final = "printscout_peer_certificate"


def server_context(ca: CertificateAuthority, hostnames: list[str]) -> ssl.SSLContext:
    """TLS 1.2 or newer, a fresh server certificate, client certificates optional but verified."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    cert, key = ca.issue_server(hostnames)
    # OpenSSL loads a chain from files only: a private directory, gone once the pair is loaded
    with tempfile.TemporaryDirectory(prefix="printscout-tls-") as private:
        cert_path, key_path = Path(private) / "server.pem", Path(private) / "server.key"
        cert_path.write_bytes(cert)
        key_path.write_bytes(key)
        context.load_cert_chain(cert_path, key_path)
    context.load_verify_locations(cafile=ca.cert_path)
    context.verify_mode = ssl.CERT_OPTIONAL
    return context


def context_factory(
    context: ssl.SSLContext,
) -> Callable[[Any, Callable[[], ssl.SSLContext]], ssl.SSLContext]:
    """uvicorn's ``ssl_context_factory``: always our context (the default one cannot ask for
    optional client certificates with TLS 1.2 as the floor)."""

    def factory(_config: Any, _default: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
        return context

    return factory


class PeerCertProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol, plus the verified client certificate (DER) in request state."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """After the handshake: remember the peer's certificate for this connection."""
        super().connection_made(transport)
        tls = transport.get_extra_info("ssl_object")
        der = tls.getpeercert(binary_form=True) if tls is not None else None
        # A copy: the lifespan state dict is shared by every connection.
        self.app_state = {**self.app_state, PEER_CERT: der}


def peer_certificate(request: Request) -> bytes | None:
    """The DER certificate the client presented on this connection, if any."""
    state = request.scope.get("state") or {}
    der = state.get(PEER_CERT)
    return der if isinstance(der, bytes) else None


class ClientCertAuthenticator:
    """Collectors identified by the client certificate the CA issued them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def authenticate(self, request: Request) -> CollectorRecord:
        """One indexed lookup per request: revoked or expired certificates are refused at once."""
        der = peer_certificate(request)
        if der is None:
            raise NotAuthenticated("present the collector's client certificate")
        with self._db.lookup() as connection:
            collector = collector_by_fingerprint(connection, fingerprint(der))
        if collector is None:
            raise NotAuthenticated("unknown, expired or revoked collector certificate")
        return collector
