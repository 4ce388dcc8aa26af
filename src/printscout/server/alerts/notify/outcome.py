"""What one delivery attempt came to, whatever the transport."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Outcome:
    """Delivered, or not and whether trying again can help (``permanent`` says it cannot)."""

    ok: bool
    status_code: int | None = None
    error: str | None = None
    permanent: bool = False
