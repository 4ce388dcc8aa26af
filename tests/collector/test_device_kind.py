"""Telling printers from scanners and other devices when the Printer-MIB is missing."""

from __future__ import annotations

import pytest

from printscout.collector.normalize import normalize
from printscout.collector.raw import RawReading
from printscout.domain.reading import DeviceKind
from printscout.protocols.snmp import mibs
from printscout.protocols.snmp.ber import oid_from_str


def _kind(sys_object_id: str, sys_descr: str) -> DeviceKind:
    raw = RawReading(
        "127.0.0.1",
        scalars={
            mibs.SYS_OBJECT_ID: oid_from_str(sys_object_id),
            mibs.SYS_DESCR: sys_descr.encode(),
        },
    )
    return normalize(raw).kind


@pytest.mark.parametrize(
    ("sys_object_id", "sys_descr"),
    [
        ("1.3.6.1.4.1.1602.4.7", "Canon iR-ADV C5235 /P"),
        ("1.3.6.1.4.1.641.1.71106749", "Lexmark T640 version 55.10.19 kernel 2.4.0"),
        ("1.3.6.1.4.1.253.8.62.1.19.1.24.2.1", "Xerox Phaser 4600"),
        ("1.3.6.1.4.1.51966.2.6", "TTP-244CE"),
        ("1.3.6.1.4.1.2435.2.3.9.1", "Brother NC-8300h, Firmware Ver.1.14"),
    ],
)
def test_it_knows_printers_by_their_object_id(sys_object_id: str, sys_descr: str) -> None:
    assert _kind(sys_object_id, sys_descr) is DeviceKind.PRINTER


def test_it_knows_a_scanner_by_its_description() -> None:
    assert _kind("1.3.6.1.4.1.1248.1.1.2.1.3.5.68.83.56.54.48", "EPSON DS-860 scanner") is (
        DeviceKind.SCANNER
    )


@pytest.mark.parametrize(
    ("sys_object_id", "sys_descr"),
    [
        ("1.3.6.1.4.1.8072.3.2.10", "Linux gateway 6.1.0"),
        ("1.3.6.1.4.1.11.2.3.7.11.160", "HP J9729A 2920-48G-POE+ Switch"),
    ],
)
def test_other_devices_stay_other(sys_object_id: str, sys_descr: str) -> None:
    assert _kind(sys_object_id, sys_descr) is DeviceKind.OTHER
