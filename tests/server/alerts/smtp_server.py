"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, an ephemeral port, STARTTLS or
implicit TLS with a certificate made for the test, optional login."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from printscout.simulator.tls import self_signed_certificate

USER, PASSWORD = "alerts", "s3cret-relay-pass"


@dataclass
class Mailbox:
    """What the server received: messages, and whether each came over TLS."""

    messages: list[Message] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    over_tls: list[bool] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        """Accept the recipient unless it is one to refuse."""
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Keep the message."""
        content = envelope.original_content or b""
        self.messages.append(message_from_bytes(content))
        self.recipients.append(list(envelope.rcpt_tos))
        transport = server.transport
        self.over_tls.append(bool(transport and transport.get_extra_info("ssl_object")))
        return "250 Message accepted"


def _login(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    # handled=False: aiosmtpd answers 535 itself (True would mean we had answered already)
    return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    """A running server: where it listens and the CA file that trusts its certificate."""

    port: int
    ca_file: Path
    mailbox: Mailbox


@asynccontextmanager
async def smtp_server(
    folder: Path, mode: Literal["starttls", "tls"] = "starttls"
) -> AsyncIterator[SmtpServer]:
    """Serve SMTP on 127.0.0.1 (ephemeral port) in this event loop until the block ends."""
    cert_pem, key_pem = self_signed_certificate(["127.0.0.1"])
    (folder / "smtp-cert.pem").write_bytes(cert_pem)
    (folder / "smtp-key.pem").write_bytes(key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "smtp-cert.pem", folder / "smtp-key.pem")
    mailbox = Mailbox()

    def protocol() -> SMTP:
        return SMTP(
            mailbox,
            hostname="mail.test",
            tls_context=context if mode == "starttls" else None,
            require_starttls=mode == "starttls",
            authenticator=_login,
            auth_require_tls=mode == "starttls",  # implicit TLS: aiosmtpd cannot tell
        )

    loop = asyncio.get_running_loop()
    implicit = context if mode == "tls" else None
    server = await loop.create_server(protocol, "127.0.0.1", 0, ssl=implicit)
    port = server.sockets[0].getsockname()[1]
    try:
        yield SmtpServer(port, folder / "smtp-cert.pem", mailbox)
    finally:
        server.close()
        await server.wait_closed()
