"""Mailing a bundle: over STARTTLS to a real SMTP server (aiosmtpd) on loopback, or not at all."""

from __future__ import annotations

import email
import socket
import ssl
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from printscout.collector.bundle import MailError, MailSettings, export_bundle, send_bundle
from printscout.domain.bundle import open_bundle
from tests.storage.fleet_samples import fleet_batch, wire
from tests.support.certs import Issued, issue, make_ca

HOST = "127.115.10.1"


class _Inbox:
    """An SMTP handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.tls: list[bool] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        self.tls.append(session.ssl is not None)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def ca() -> Issued:
    """The CA the mail server's certificate comes from (the collector trusts it)."""
    return make_ca("mail CA")


def _server_context(ca: Issued, tmp_path: Path) -> ssl.SSLContext:
    leaf = issue(ca, "mail.test", ip=HOST)
    cert, key = tmp_path / "mail.pem", tmp_path / "mail.key"
    cert.write_bytes(leaf.certificate.public_bytes(Encoding.PEM))
    key.write_bytes(leaf.key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def _client_context(ca: Issued) -> ssl.SSLContext:
    context = ssl.create_default_context(cadata=ca.certificate.public_bytes(Encoding.PEM).decode())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


@pytest.fixture
def inbox(ca: Issued, tmp_path: Path) -> Iterator[tuple[_Inbox, int]]:
    """A STARTTLS-only SMTP server on loopback."""
    handler = _Inbox()
    port = _free_port()
    controller = Controller(
        handler, hostname=HOST, port=port,
        tls_context=_server_context(ca, tmp_path), require_starttls=True,
    )  # fmt: skip
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _export(tmp_path: Path, server: X25519PrivateKey) -> tuple[Path, Issued, str]:
    collector = str(uuid.uuid4())
    me = issue(make_ca(), collector)
    batches = [wire(fleet_batch(collector, range(3), datetime.now(UTC) - timedelta(hours=1)))]
    path = export_bundle(
        batches, tmp_path / "out", collector=collector, signing_key=me.key,
        server_key=server.public_key(),
    )  # fmt: skip
    return path, me, collector


def test_it_mails_the_bundle_over_starttls_and_the_attachment_imports(
    inbox: tuple[_Inbox, int], ca: Issued, tmp_path: Path
) -> None:
    handler, port = inbox
    server = X25519PrivateKey.generate()
    path, me, collector = _export(tmp_path, server)
    mail = MailSettings(HOST, port, "collector@site.test", "imports@dealer.test")
    send_bundle(path, mail, _client_context(ca))
    (message,) = handler.messages
    assert handler.tls == [True]
    assert message["To"] == "imports@dealer.test"
    (attachment,) = [p for p in message.walk() if p.get_filename() == path.name]
    data = attachment.get_payload(decode=True)
    assert isinstance(data, bytes) and data == path.read_bytes()
    opened = open_bundle(
        data, recipient_key=server, certificate_for={collector: me.certificate}.get
    )
    assert opened.header.batches == 1


def test_it_refuses_a_mail_server_it_cannot_verify(
    inbox: tuple[_Inbox, int], tmp_path: Path
) -> None:
    handler, port = inbox
    path, _, _ = _export(tmp_path, X25519PrivateKey.generate())
    mail = MailSettings(HOST, port, "collector@site.test", "imports@dealer.test")
    with pytest.raises(MailError, match="failed") as refused:
        send_bundle(path, mail, _client_context(make_ca("another CA")))
    assert refused.value.retryable
    assert handler.messages == []


def test_it_sends_nothing_to_a_server_without_starttls(tmp_path: Path) -> None:
    handler = _Inbox()
    port = _free_port()
    controller = Controller(handler, hostname=HOST, port=port)
    controller.start()
    try:
        path, _, _ = _export(tmp_path, X25519PrivateKey.generate())
        mail = MailSettings(HOST, port, "collector@site.test", "imports@dealer.test")
        with pytest.raises(MailError, match="offers no STARTTLS"):
            send_bundle(path, mail, _client_context(make_ca()))
    finally:
        controller.stop()
    assert handler.messages == []
