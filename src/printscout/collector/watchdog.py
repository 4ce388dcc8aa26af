"""systemd notification (``sd_notify``) over the ``NOTIFY_SOCKET`` datagram socket: READY,
STATUS, STOPPING and the WATCHDOG pings that let systemd restart a hung collector."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Notifier:
    """Sends notifications to systemd; does nothing when not started by systemd."""

    address: str | None
    watchdog_usec: int | None = None

    @classmethod
    def from_environment(cls) -> Notifier:
        """The socket and watchdog period systemd gave this process (if any)."""
        address = os.environ.get("NOTIFY_SOCKET") or None
        usec = os.environ.get("WATCHDOG_USEC")
        pid = os.environ.get("WATCHDOG_PID")
        # WATCHDOG_PID names the process meant to ping; a child must not ping for it.
        period = int(usec) if usec and usec.isdigit() and pid in (None, str(os.getpid())) else None
        return cls(address, period)

    def watchdog_interval(self) -> float | None:
        """Seconds between pings: half the watchdog period, as systemd recommends."""
        return self.watchdog_usec / 2_000_000 if self.watchdog_usec else None

    def notify(self, message: str) -> bool:
        """Send one notification; False when there is no socket or it could not be sent."""
        if not self.address:
            return False
        # A leading '@' names a socket in the abstract namespace.
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            # Never block the event loop: a receiver that stopped reading gets no more pings.
            sock.setblocking(False)
            try:
                sock.connect(target)
                sock.sendall(message.encode())
            except OSError:
                return False
        return True
