"""One physical device answering on several addresses is one device (serial, then MAC).

Printers often answer on a management and a data port, or on Wi-Fi and wired at once. A
scan reports such a device once: at its lowest address, with the others listed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import replace

from printscout.domain.reading import Reading

_PLACEHOLDER_SERIALS = frozenset({"", "0", "unknown", "none", "n/a", "serial", "xxxxxxxx"})


def identity_key(reading: Reading) -> tuple[str, str] | None:
    """What makes a device the same device: its serial (with its make), else its MAC."""
    ident = reading.identity
    serial = (ident.serial or "").strip()
    if serial.casefold() not in _PLACEHOLDER_SERIALS and len(serial) >= 4:
        return ("serial", f"{(ident.manufacturer or '').casefold()}|{serial.casefold()}")
    if ident.mac:
        return ("mac", ident.mac)
    return None


def merge_duplicates(readings: Sequence[Reading]) -> list[Reading]:
    """Fold readings of the same device into one, keeping the lowest address as primary.

    A serial match wins; readings without a usable serial are matched by MAC. The primary's
    values are kept (all addresses of one device report the same device).
    """
    ordered = sorted(readings, key=lambda r: _address_order(r.address))
    kept: list[Reading] = []
    by_serial: dict[tuple[str, str], int] = {}
    by_mac: dict[str, int] = {}
    for reading in ordered:
        key = identity_key(reading)
        mac = reading.identity.mac
        index = by_serial.get(key) if key is not None else None
        if index is None and mac is not None:
            index = by_mac.get(mac)
        if index is None:
            if key is not None:
                by_serial[key] = len(kept)
            if mac is not None:
                by_mac[mac] = len(kept)
            kept.append(reading)
            continue
        primary = kept[index]
        kept[index] = replace(primary, other_addresses=(*primary.other_addresses, reading.address))
    return kept


def _address_order(address: str) -> tuple[int, int | str]:
    try:
        return (0, int(ipaddress.ip_address(address)))
    except ValueError:
        return (1, address)
