"""Where webhooks may go: the public internet, plus networks the operator names.

A webhook URL is typed by a user of the console or the API, and the server posts to it from
inside the dealer's network. Without a check that is a server-side request forgery: a URL of
``http://169.254.169.254/…`` (cloud metadata), ``http://127.0.0.1:5432`` or an intranet host
turns the server into a probe of places its users cannot reach. So before each post the host is
resolved and every address it resolves to must be global (not loopback, private, link-local,
shared/CGNAT, documentation, multicast or otherwise reserved) unless it lies in a network of
``alerts.webhook_allowed_networks`` (for an internal ticket system, say ``10.20.0.0/16``).

Limits: the check and the connection resolve the name separately, so a DNS answer that changes
in between (rebinding) is not caught; redirects are not followed by the webhook client at all.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def refusal(addresses: Iterable[Address], allowed: Sequence[Network] = ()) -> str | None:
    """Why these resolved addresses may not receive a webhook, or None if they all may."""
    for given in addresses:
        mapped = given.ipv4_mapped if isinstance(given, ipaddress.IPv6Address) else None
        address = mapped or given
        if any(address in network for network in allowed):
            continue
        if address.is_multicast or not address.is_global:
            return f"{address} is not a public address (see alerts.webhook_allowed_networks)"
    return None


def without_lookup(url: str, allowed: Sequence[Network] = ()) -> str | None:
    """What can be refused without asking DNS: a URL that is not http(s), or whose host is an
    address literal or a ``localhost`` name (RFC 6761) outside the allowed networks. Used when
    a channel is saved, so a user hears at once; names are checked again before every post."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"not an http(s) URL: {url[:100]!r}"
    host = parts.hostname.rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return refusal([ipaddress.ip_address("127.0.0.1")], allowed)
    literal = _numeric(host)
    return None if literal is None else refusal([literal], allowed)


def _numeric(host: str) -> Address | None:
    """The address a numeric host means, also in the short IPv4 forms the C resolver accepts
    (``127.1``, ``2130706433`` and ``0x7f.0.0.1`` are 127.0.0.1), or None for a name. Parsing
    only: nothing is looked up."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


async def check(url: str, allowed: Sequence[Network] = ()) -> str | None:
    """Resolve the URL's host and apply :func:`refusal`; a host that does not resolve is
    refused too (the post would fail anyway, and a later answer could differ)."""
    early = without_lookup(url, allowed)
    parts = urlsplit(url)
    if early is not None or not parts.hostname or _numeric(parts.hostname) is not None:
        return early  # refused, or an address that passed
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, parts.port or 443, type=socket.SOCK_STREAM
        )
    except (OSError, UnicodeError) as exc:
        return f"{parts.hostname} does not resolve: {exc}"
    return refusal([ipaddress.ip_address(info[4][0]) for info in infos], allowed)
