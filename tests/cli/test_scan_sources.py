"""`printscout scan --ipp --ews`: IPP for printers without SNMP, HP LEDM pages for HP."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from printscout.simulator.ews import start_ews
from printscout.simulator.fleet import start_fleet
from printscout.simulator.ipp import start_ipp
from printscout.simulator.snmprec import builtin_recordings

SNMP_PORT, IPP_PORT, EWS_PORT = 17961, 17962, 17963


async def _scan(*args: str) -> list[dict[str, Any]]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "printscout.cli.main", "scan", *args, "--json",
        "--port", str(SNMP_PORT), "--timeout", "0.5",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return [json.loads(line) for line in out.decode().splitlines()]


def test_it_reads_a_printer_with_snmp_off_over_ipp() -> None:
    canon = next(p for p in builtin_recordings() if p.stem.startswith("canon-"))

    async def run() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        # SNMP answers only another community: to this scan, SNMP is off
        fleet = await start_fleet([canon], ["127.86.0.1"], port=SNMP_PORT, communities=(b"x",))
        ipp = await start_ipp(fleet, IPP_PORT)
        try:
            without = await _scan("127.86.0.1")
            with_ipp = await _scan("127.86.0.1", "--ipp", "--ipp-port", str(IPP_PORT))
            return without, with_ipp
        finally:
            ipp.close()
            fleet.close()

    without, with_ipp = asyncio.run(run())
    assert without == []
    [device] = with_ipp
    assert device["address"] == "127.86.0.1"
    assert device["identity"]["manufacturer"] == "Canon"
    assert device["supplies"], "IPP marker-* attributes give the supplies"
    assert all(
        s["state"] in {"ok", "low", "empty", "some_remaining", "unknown"}
        for s in device["supplies"]
    )


def test_it_adds_hp_ledm_data_to_the_snmp_reading() -> None:
    hp = next(p for p in builtin_recordings() if p.stem.startswith("hp-"))

    async def run() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        fleet = await start_fleet([hp], ["127.86.0.2"], port=SNMP_PORT)
        ews = await start_ews(fleet, EWS_PORT)
        try:
            plain = await _scan("127.86.0.2")
            with_ews = await _scan("127.86.0.2", "--ews", "--ews-port", str(EWS_PORT))
            return plain, with_ews
        finally:
            ews.close()
            fleet.close()

    plain, with_ews = asyncio.run(run())
    [snmp_only], [both] = plain, with_ews
    snmp_serials = [s["serial"] for s in snmp_only["supplies"] if s["kind"] == "toner"]
    ledm_serials = [s["serial"] for s in both["supplies"] if s["kind"] == "toner"]
    assert not any(snmp_serials)
    assert all(ledm_serials), "cartridge serials come from ConsumableConfigDyn.xml"
    # SNMP's values stay; LEDM only fills what SNMP left empty
    assert both["counters"]["total"] >= snmp_only["counters"]["total"]
    assert [s["level"] for s in both["supplies"]] == [s["level"] for s in snmp_only["supplies"]]
