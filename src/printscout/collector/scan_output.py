"""How a scan is shown: the JSON object of ../shared/contracts/scan-json.md, and a table."""

from __future__ import annotations

import json
from typing import Any

from rich.table import Table

from printscout.domain.reading import Reading, Supply


def reading_to_json(reading: Reading) -> dict[str, Any]:
    """The contract's device object for one reading."""
    ident = reading.identity
    status = reading.status
    return {
        "address": reading.address,
        "addresses": [reading.address, *reading.other_addresses],
        "kind": reading.kind.value,
        "identity": {
            "manufacturer": ident.manufacturer,
            "model": ident.model,
            "serial": ident.serial,
            "firmware": ident.firmware,
            "mac": ident.mac,
            "hostname": ident.hostname,
            "location": ident.location,
            "contact": ident.contact,
            "asset_number": ident.asset_number,
            "sys_object_id": ident.sys_object_id,
            "sys_descr": ident.sys_descr,
            "uptime_s": ident.uptime_s,
        },
        "status": {
            "device": status.device,
            "printer": status.printer,
            "errors": list(status.errors),
            "display": list(status.display),
            "alerts": [
                {"severity": a.severity, "code": a.code, "description": a.description}
                for a in status.alerts
            ],
        },
        "supplies": [_supply(s) for s in reading.supplies],
        "counters": {
            "total": reading.counters.total,
            "mono": reading.counters.mono,
            "color": reading.counters.color,
            "print": reading.counters.print,
            "copy": reading.counters.copy,
            "fax": reading.counters.fax,
            "scan": reading.counters.scan,
            "unit": reading.counters.unit,
            "large": reading.counters.large,
            "anomalies": list(reading.counters.anomalies),
        },
        "trays": [
            {
                "index": t.index,
                "name": t.name,
                "media": t.media,
                "level": t.level,
                "max_capacity": t.max_capacity,
            }
            for t in reading.trays
        ],
    }


def _supply(s: Supply) -> dict[str, Any]:
    return {
        "index": s.index,
        "description": s.description,
        "kind": s.kind,
        "color": s.color,
        "level_percent": s.level_percent,
        "state": s.state.value,
        "level": s.level,
        "max_capacity": s.max_capacity,
        "unit": s.unit,
        "serial": s.serial,
        "class": s.supply_class,
        "level_source": s.level_source,
    }


def json_line(reading: Reading) -> str:
    """One JSON Lines record."""
    return json.dumps(reading_to_json(reading), ensure_ascii=False, separators=(",", ":"))


def _supply_cell(s: Supply) -> str:
    name = s.color or s.kind
    if s.level_percent is not None:
        return f"{name} {s.level_percent}%"
    return f"{name} {s.state.value.replace('_', ' ')}"


def readings_table(readings: list[Reading]) -> Table:
    """A human table: one row per device."""
    table = Table(title=f"{len(readings)} device(s) answered", expand=False)
    table.add_column("Address", no_wrap=True)
    for column in ("Manufacturer", "Model", "Serial", "Status", "Pages", "Supplies"):
        table.add_column(column, overflow="fold")
    for r in readings:
        status = r.status.printer or r.status.device or "?"
        if r.status.errors:
            status += " (" + ", ".join(r.status.errors) + ")"
        marking = [s for s in r.supplies if s.kind in ("toner", "ink", "toner_cartridge")]
        table.add_row(
            r.address,
            r.identity.manufacturer or "?",
            r.identity.model or "?",
            r.identity.serial or "",
            status,
            "" if r.counters.total is None else f"{r.counters.total:,}",
            ", ".join(_supply_cell(s) for s in (marking or list(r.supplies))[:6]),
        )
    return table
