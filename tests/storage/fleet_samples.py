"""Realistic readings and batches for storage and server tests (modelled on the recordings)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from printscout.domain.reading import (
    Alert,
    Counters,
    DeviceKind,
    Identity,
    Reading,
    Status,
    Supply,
    SupplyState,
    Tray,
)
from printscout.domain.wire import ObservedReading, ReadingBatch, batch_to_wire

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
COLOURS = ("black", "cyan", "magenta", "yellow")


def toner(index: int, colour: str, percent: int, serial: str | None = None) -> Supply:
    """A toner cartridge slot at ``percent``."""
    state = (
        SupplyState.EMPTY if percent == 0 else SupplyState.LOW if percent <= 10 else SupplyState.OK
    )
    return Supply(
        index,
        f"{colour.title()} Cartridge",
        "toner",
        colour,
        percent,
        state,
        percent,
        100,
        "percent",
        "consumed",
        serial,
    )


def reading(
    n: int,
    *,
    serial: str | None = "auto",
    mac: str | None = "auto",
    address: str | None = None,
    levels: tuple[int, int, int, int] = (80, 60, 40, 20),
    total: int = 10_000,
    errors: tuple[str, ...] = (),
    firmware: str = "2411.1",
    cartridge_serials: tuple[str | None, ...] = (None, None, None, None),
) -> Reading:
    """A colour laser printer number ``n``: 4 toners, a waste box, counters, two trays."""
    supplies = [
        toner(i + 1, c, lvl, cartridge_serials[i])
        for i, (c, lvl) in enumerate(zip(COLOURS, levels, strict=True))
    ]
    waste = Supply(5, "Waste Toner Box", "waste_toner", None, 90, SupplyState.OK, 90, 100, "%")
    supplies.append(replace(waste, unit="percent", supply_class="receptacle"))
    return Reading(
        address=address or f"10.1.{n // 250}.{n % 250 + 1}",
        kind=DeviceKind.PRINTER,
        identity=Identity(
            manufacturer="HP",
            model="Color LaserJet M555",
            serial=f"PSHP{n:06d}" if serial == "auto" else serial,
            firmware=firmware,
            mac=f"02:1a:2b:00:{n // 256 % 256:02x}:{n % 256:02x}" if mac == "auto" else mac,
            hostname=f"NPI{n:06d}",
            location="Building A, copy room",
            sys_object_id="1.3.6.1.4.1.11.2.3.9.1",
            uptime_s=86_400 + n,
        ),
        status=Status(
            device="warning" if errors else "running",
            printer="idle",
            errors=errors,
            display=("Ready",),
            alerts=tuple(Alert("warning", e) for e in errors),
        ),
        supplies=tuple(supplies),
        counters=Counters(total=total, mono=total * 2 // 3, color=total - total * 2 // 3),
        trays=(Tray(1, "Tray 1", "A4", 250, 250), Tray(2, "Tray 2", "A4", -3, 550)),
    )


def observed(at: datetime, r: Reading) -> ObservedReading:
    """``r`` read at ``at``."""
    return ObservedReading(at, r)


def batch(
    collector: str, readings: list[ObservedReading], batch_id: uuid.UUID | None = None
) -> ReadingBatch:
    """A batch of ``readings`` from ``collector``."""
    created = max(r.observed_at for r in readings) + timedelta(seconds=5)
    return ReadingBatch(batch_id or uuid.uuid4(), collector, created, tuple(readings))


def fleet_batch(collector: str, devices: range, at: datetime, **kw: Any) -> ReadingBatch:
    """One poll of printers ``devices`` at ``at``."""
    return batch(collector, [observed(at, reading(n, **kw)) for n in devices])


def wire(b: ReadingBatch) -> dict[str, Any]:
    """The JSON object of a batch."""
    return batch_to_wire(b)
