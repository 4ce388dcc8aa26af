"""Email over SMTP: plain, STARTTLS or implicit TLS, with the standard library's client.

``smtplib`` blocks, so ``send_email`` runs it in a worker thread. Certificates are checked
against the system's CAs, or the CA file configured (a private mail relay).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

import anyio

from printscout.server.alerts.notify.outcome import Outcome

TlsMode = Literal["starttls", "tls", "none"]


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where and how to send mail."""

    host: str
    port: int = 587
    tls: TlsMode = "starttls"
    username: str | None = None
    password: str | None = None
    sender: str = "printscout@localhost"
    ca_file: Path | None = None
    timeout_s: float = 30.0

    def context(self) -> ssl.SSLContext:
        """A verifying TLS context (the CA file's, else the system's)."""
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)


def message(config: SmtpConfig, to: list[str], payload: dict[str, Any]) -> EmailMessage:
    """The email for one alert notice."""
    alert, rule = payload["alert"], payload["rule"]
    event = payload["event"]
    mail = EmailMessage()
    mail["From"] = config.sender
    mail["To"] = ", ".join(to)
    mail["Subject"] = f"[PrintScout] {event}: {alert['message']}"
    lines = [
        f"Alert {event}: {alert['message']}",
        "",
        f"Rule: {rule['name']} ({rule['kind']})",
        f"Severity: {alert['severity']}",
        f"Opened: {alert['opened_at']}",
    ]
    if alert.get("closed_at"):
        lines.append(f"Closed: {alert['closed_at']}")
    mail.set_content("\n".join(lines) + "\n")
    return mail


def recipients(target: str) -> list[str]:
    """The addresses of an email channel's target (comma or space separated)."""
    return [a for a in target.replace(",", " ").split() if a]


def _send(config: SmtpConfig, mail: EmailMessage) -> None:
    if config.tls == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            config.host, config.port, timeout=config.timeout_s, context=config.context()
        )
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=config.timeout_s)
    with client:
        if config.tls == "starttls":
            client.starttls(context=config.context())
        if config.username:
            client.login(config.username, config.password or "")
        client.send_message(mail)


async def send_email(config: SmtpConfig, target: str, payload: dict[str, Any]) -> Outcome:
    """Send one notice to the channel's addresses; a 5xx refusal is permanent."""
    to = recipients(target)
    if not to:
        return Outcome(False, error="the channel has no address", permanent=True)
    mail = message(config, to, payload)
    try:
        await anyio.to_thread.run_sync(_send, config, mail)
    except smtplib.SMTPRecipientsRefused as exc:
        return Outcome(False, error=f"recipients refused: {exc.recipients}", permanent=True)
    except smtplib.SMTPResponseException as exc:
        code = exc.smtp_code
        return Outcome(False, code, f"SMTP {code}: {exc.smtp_error!r}", permanent=code >= 500)
    except (smtplib.SMTPException, OSError) as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}")
    return Outcome(True, 250)
