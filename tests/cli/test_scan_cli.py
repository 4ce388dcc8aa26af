"""`printscout scan` as other tools call it: the contract in ../shared/contracts/scan-json.md."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from printscout.simulator.device import Fault
from printscout.simulator.fleet import start_fleet
from printscout.simulator.snmprec import builtin_recordings

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "librenms"
PORT = 17361
IDENTITY_KEYS = {
    "manufacturer", "model", "serial", "firmware", "mac", "hostname", "location", "contact",
    "asset_number", "sys_object_id", "sys_descr", "uptime_s",
}  # fmt: skip
SUPPLY_KEYS = {
    "index", "description", "kind", "color", "level_percent", "state", "level", "max_capacity",
    "unit", "serial",
}  # fmt: skip


async def _cli(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "printscout.cli.main", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def _scan_fleet(
    args: list[str],
    printers: list[str],
    silent: list[str] = [],  # noqa: B006
    communities: tuple[bytes, ...] = (b"public",),
    faults: dict[str, set[Fault]] | None = None,
) -> tuple[int, str, str]:
    async def run() -> tuple[int, str, str]:
        recordings = [SHARED / "jetdirect_m252dw.snmprec", SHARED / "sharp.snmprec"]
        fleet = await start_fleet(
            recordings, printers, port=PORT, silent=silent, communities=communities,
            faults=faults,
        )  # fmt: skip
        try:
            return await _cli("scan", *args, "--port", str(PORT))
        finally:
            fleet.close()

    return asyncio.run(run())


def _lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def test_it_prints_one_json_object_per_answering_device() -> None:
    printers = ["127.79.1.1", "127.79.1.2"]
    silent = ["127.79.1.3", "127.79.1.4"]
    code, out, _ = _scan_fleet(["127.79.1.0/29", "--json", "--timeout", "0.3"], printers, silent)
    assert code == 0
    devices = _lines(out)
    assert [d["address"] for d in devices] == printers
    for device in devices:
        assert set(device) >= {"address", "kind", "identity", "status", "supplies", "counters"}
        assert set(device["identity"]) >= IDENTITY_KEYS
        assert set(device["status"]) >= {"device", "printer", "errors", "display", "alerts"}
        assert set(device["counters"]) >= {"total", "mono", "color", "print", "copy", "fax"}
        for supply in device["supplies"]:
            assert set(supply) >= SUPPLY_KEYS
            assert supply["state"] in {"ok", "low", "empty", "some_remaining", "unknown"}
            percent = supply["level_percent"]
            assert percent is None or (isinstance(percent, int) and 0 <= percent <= 100)
    hp, sharp = devices
    assert hp["kind"] == "printer"
    assert hp["identity"]["manufacturer"] == "HP"
    assert hp["identity"]["sys_object_id"] == "1.3.6.1.4.1.11.2.3.9.1"
    assert sharp["identity"]["manufacturer"] == "Sharp"
    assert sharp["counters"]["total"] >= 121104
    assert "low_toner" in sharp["status"]["errors"]
    mac = hp["identity"]["mac"]
    assert mac is None or (mac == mac.lower() and len(mac.split(":")) == 6)


def test_it_tries_communities_in_order() -> None:
    code, out, _ = _scan_fleet(
        ["127.79.2.1", "--json", "--community", "public", "--community", "secret",
         "--timeout", "0.2", "--retries", "0"],
        ["127.79.2.1"],
        communities=(b"secret",),
    )  # fmt: skip
    assert code == 0
    assert [d["address"] for d in _lines(out)] == ["127.79.2.1"]


def test_it_exits_zero_with_no_output_when_nothing_answers() -> None:
    code, out, _ = _scan_fleet(
        ["127.79.3.2-3", "--json", "--timeout", "0.2"], ["127.79.3.9"], ["127.79.3.2"]
    )
    assert code == 0
    assert out == ""


def test_it_accepts_both_range_forms() -> None:
    printers = ["127.79.4.1", "127.79.4.2", "127.79.4.3"]
    for target in ("127.79.4.1-3", "127.79.4.1-127.79.4.3"):
        code, out, _ = _scan_fleet([target, "--json", "--timeout", "0.3"], printers)
        assert code == 0
        assert [d["address"] for d in _lines(out)] == printers


def test_it_scans_over_snmpv3() -> None:
    code, out, err = _scan_fleet(
        ["127.79.5.1", "--json", "--snmp-version", "3", "--user", "printscout-sha256",
         "--auth-protocol", "SHA-256", "--auth-key", "auth-secret-2", "--priv-protocol", "AES",
         "--priv-key", "priv-secret-2"],
        ["127.79.5.1"],
    )  # fmt: skip
    assert code == 0, err
    assert _lines(out)[0]["identity"]["manufacturer"] == "HP"


def test_it_prints_a_table_without_json() -> None:
    code, out, _ = _scan_fleet(["127.79.6.1-2", "--timeout", "0.3"], ["127.79.6.1", "127.79.6.2"])
    assert code == 0
    assert "127.79.6.1" in out and "Sharp" in out and "HP" in out


def test_it_reports_faults_in_status() -> None:
    code, out, _ = _scan_fleet(
        ["127.79.7.1", "--json"], ["127.79.7.1"], faults={"127.79.7.1": {Fault.PAPER_JAM}}
    )
    status = _lines(out)[0]["status"]
    assert code == 0
    assert "jammed" in status["errors"]
    assert any(a["code"] == "jam" for a in status["alerts"])


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "not..an..address", "--json"],
        ["scan", "127.0.0.1/40", "--json"],
        ["scan", "127.0.0.9-127.0.0.1", "--json"],
        ["scan", "127.0.0.1", "--snmp-version", "4", "--json"],
        ["scan", "127.0.0.1", "--timeout", "0", "--json"],
        ["scan", "127.0.0.1", "--snmp-version", "3", "--json"],
        ["scan", "--json"],
    ],
)
def test_it_rejects_bad_usage_with_status_2(args: list[str]) -> None:
    code, out, err = asyncio.run(_cli(*args))
    assert code == 2
    assert out == ""
    assert err.strip()


def test_the_simulator_serves_the_built_in_recordings() -> None:
    assert builtin_recordings(), "each supported manufacturer has a project recording"


def test_it_pings_first_with_icmp_and_still_finds_the_printers() -> None:
    # every 127.x address answers ICMP echo on lo, so --icmp filters nothing here; the test
    # proves the ICMP path runs (or falls back with a warning) and loses no printer
    code, out, err = _scan_fleet(
        ["127.79.8.1-2", "--json", "--icmp", "--timeout", "0.3"], ["127.79.8.1", "127.79.8.2"]
    )
    assert code == 0, err
    assert [d["address"] for d in _lines(out)] == ["127.79.8.1", "127.79.8.2"]
