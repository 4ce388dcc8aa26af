"""Webhooks: a JSON POST signed with HMAC-SHA256 over the timestamp and the raw body.

The receiver checks ``X-PrintScout-Signature: sha256=<hex>`` where the hex is
HMAC-SHA256(secret, ``<X-PrintScout-Timestamp>.<body>``), and refuses old timestamps so a
captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Final

import httpx
import orjson

from printscout.server.alerts.notify.outcome import Outcome

SIGNATURE: Final = "X-PrintScout-Signature"
TIMESTAMP: Final = "X-PrintScout-Timestamp"
EVENT: Final = "X-PrintScout-Event"
DELIVERY: Final = "X-PrintScout-Delivery"
# Statuses after which the same request may succeed later.
_RETRYABLE: Final = frozenset({408, 425, 429})


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: int, body: bytes, header: str) -> bool:
    """Whether a received signature header matches (for receivers and tests)."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def encode(payload: dict[str, Any]) -> bytes:
    """The request body: compact JSON."""
    return orjson.dumps(payload)


async def send_webhook(
    client: httpx.AsyncClient,
    url: str,
    secret: str | None,
    payload: dict[str, Any],
    *,
    delivery_id: int,
    timestamp: int,
) -> Outcome:
    """POST one notification; a 2xx answer is delivered, a 4xx (but 408/425/429) permanent."""
    body = encode(payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "PrintScout-Webhook/1",
        EVENT: str(payload.get("event", "")),
        DELIVERY: str(delivery_id),
        TIMESTAMP: str(timestamp),
    }
    if secret:
        headers[SIGNATURE] = signature(secret, timestamp, body)
    try:
        response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}")
    code = response.status_code
    if 200 <= code < 300:
        return Outcome(True, code)
    permanent = 400 <= code < 500 and code not in _RETRYABLE
    return Outcome(False, code, f"HTTP {code}: {response.text[:200]}", permanent)
