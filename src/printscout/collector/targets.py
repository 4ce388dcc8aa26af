"""Scan targets: addresses, hostnames, CIDR blocks and ranges, expanded lazily."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from printscout.domain.errors import TargetError

MAX_ADDRESSES: Final = 1 << 20  # a /12: more than any site has, and a guard against typos


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """One parsed target: a first and last IPv4 address (inclusive)."""

    text: str
    first: int
    last: int

    @property
    def size(self) -> int:
        """How many addresses the target covers."""
        return self.last - self.first + 1

    def addresses(self) -> Iterator[str]:
        """Every address of the target, in order."""
        for n in range(self.first, self.last + 1):
            yield str(ipaddress.IPv4Address(n))


def parse_target(text: str) -> TargetSpec:
    """Parse ``10.0.0.1``, ``printer.local``, ``10.0.0.0/24``, ``10.0.0.10-10.0.0.50`` or
    ``10.0.0.10-50``. Host and network addresses of a CIDR block are skipped for blocks
    larger than /31, as nothing answers there."""
    text = text.strip()
    if not text:
        raise TargetError("empty target")
    if "/" in text:
        try:
            net = ipaddress.IPv4Network(text, strict=False)
        except ValueError as exc:
            raise TargetError(f"bad CIDR block {text!r}: {exc}") from exc
        first, last = int(net.network_address), int(net.broadcast_address)
        if net.prefixlen < 31:
            first, last = first + 1, last - 1
        return _checked(TargetSpec(text, first, last))
    if "-" in text and _looks_like_range(text):
        start_text, end_text = text.split("-", 1)
        start = _address(start_text)
        if end_text.strip().isdigit():
            end_octet = int(end_text)
            if end_octet > 255:
                raise TargetError(f"bad range end in {text!r}")
            end = (start & ~0xFF) | end_octet
        else:
            end = _address(end_text)
        if end < start:
            raise TargetError(f"range {text!r} ends before it starts")
        return _checked(TargetSpec(text, start, end))
    try:
        return TargetSpec(text, int(ipaddress.IPv4Address(text)), int(ipaddress.IPv4Address(text)))
    except ValueError:
        pass
    return _resolve(text)


def _looks_like_range(text: str) -> bool:
    start = text.split("-", 1)[0].strip()
    try:
        ipaddress.IPv4Address(start)
    except ValueError:
        return False
    return True


def _address(text: str) -> int:
    try:
        return int(ipaddress.IPv4Address(text.strip()))
    except ValueError as exc:
        raise TargetError(f"bad IPv4 address {text.strip()!r}") from exc


def _checked(spec: TargetSpec) -> TargetSpec:
    if spec.size > MAX_ADDRESSES:
        raise TargetError(f"target {spec.text!r} covers {spec.size} addresses, more than a /12")
    return spec


def _resolve(name: str) -> TargetSpec:
    try:
        infos = socket.getaddrinfo(name, None, socket.AF_INET, socket.SOCK_DGRAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetError(f"cannot resolve {name!r}: {exc}") from exc
    address = int(ipaddress.IPv4Address(infos[0][4][0]))
    return TargetSpec(name, address, address)


def parse_targets(texts: Sequence[str]) -> list[TargetSpec]:
    """Parse every target, or raise TargetError naming the first bad one."""
    specs = [parse_target(t) for t in texts]
    if sum(s.size for s in specs) > MAX_ADDRESSES:
        raise TargetError("targets cover more than a /12 in total")
    return specs


def expand(specs: Sequence[TargetSpec]) -> Iterator[str]:
    """Every address of every target once, in the order given."""
    seen: set[int] = set()
    for spec in specs:
        for n in range(spec.first, spec.last + 1):
            if n not in seen:
                seen.add(n)
                yield str(ipaddress.IPv4Address(n))
