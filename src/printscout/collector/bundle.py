"""Offline sites: export queued batches as one encrypted, signed bundle file, optionally mailed.

The format is :mod:`printscout.domain.bundle`. The file goes to a folder (a USB stick, a share)
and, with mail settings, as an attachment over SMTP; the mail server must offer STARTTLS, or
nothing is sent. Importing is ``printscout server import-bundle FILE`` or an admin's upload.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from printscout.domain.bundle import BundleError, SigningKey, seal_bundle

SUFFIX: Final = ".psb"


class MailError(BundleError):
    """The bundle could not be handed to the mail server (a later try may work)."""

    retryable = True


@dataclass(frozen=True, slots=True)
class MailSettings:
    """Where and how to mail bundles (the password comes from the collector's secrets)."""

    host: str
    port: int
    sender: str
    recipient: str
    username: str | None = None
    password: str | None = None
    timeout_s: float = 30.0


def load_server_key(pem: bytes) -> X25519PublicKey:
    """The server's bundle public key (``printscout server bundle-key``) from PEM."""
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise BundleError(f"not a PEM public key: {exc}") from exc
    if not isinstance(key, X25519PublicKey):
        raise BundleError("the server's bundle key must be an X25519 key")
    return key


def export_bundle(
    batches: Sequence[Mapping[str, Any]],
    folder: Path,
    *,
    collector: str,
    signing_key: SigningKey,
    server_key: X25519PublicKey,
    now: datetime | None = None,
) -> Path:
    """Write ``batches`` (wire dicts, as uploaded) into a new bundle file in ``folder``."""
    created = (now or datetime.now(UTC)).replace(microsecond=0)
    data = seal_bundle(
        batches, collector=collector, signing_key=signing_key, recipient=server_key,
        created_at=created,
    )  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"printscout-{collector}-{created:%Y%m%dT%H%M%SZ}{SUFFIX}"
    partial = folder / f".{path.name}.partial"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    partial.replace(path)
    return path


def bundle_message(path: Path, mail: MailSettings) -> EmailMessage:
    """The e-mail carrying one bundle as an attachment."""
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = mail.recipient
    message["Subject"] = f"PrintScout bundle {path.name}"
    message.set_content(
        "A PrintScout collector bundle (encrypted and signed) is attached.\n"
        "Import it with `printscout server import-bundle FILE` or the console's upload.\n"
    )
    message.add_attachment(
        path.read_bytes(), maintype="application", subtype="octet-stream", filename=path.name
    )
    return message


def send_bundle(path: Path, mail: MailSettings, context: ssl.SSLContext) -> None:
    """Mail one bundle over SMTP with STARTTLS (blocking; run it in a thread)."""
    message = bundle_message(path, mail)
    try:
        with smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout_s) as smtp:
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                raise MailError(f"{mail.host}:{mail.port} offers no STARTTLS; bundle not sent")
            smtp.starttls(context=context)
            smtp.ehlo()
            if mail.username is not None:
                smtp.login(mail.username, mail.password or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"mailing {path.name} to {mail.recipient} failed: {exc}") from exc
