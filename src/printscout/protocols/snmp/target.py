"""Where and how to ask one SNMP agent: address, port, version, credentials, patience."""

from __future__ import annotations

from dataclasses import dataclass

from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp import v3


@dataclass(frozen=True, slots=True)
class Target:
    """Where and how to ask: address, port, version and credentials."""

    host: str
    port: int = 161
    version: int = pdus.V2C
    community: bytes = b"public"
    user: v3.UsmUser | None = None
    timeout: float = 1.0
    retries: int = 1

    @property
    def address(self) -> tuple[str, int]:
        """The UDP address of the agent."""
        return (self.host, self.port)
