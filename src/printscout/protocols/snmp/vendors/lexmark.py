"""Lexmark: LEXMARK-PVT-MIB identity, LEXMARK-MPS-MIB counters and cartridge serials."""

from __future__ import annotations

from printscout.protocols.snmp.vendors.base import (
    CounterTable,
    IdentityObject,
    SerialTable,
    TableCounter,
    VendorProfile,
    keys,
    oid,
)

_L = "1.3.6.1.4.1.641"
_PAPER = f"{_L}.6.4.2.1.1"  # paperGeneralCountTable: .2 type, .3 units, .4 value
_SUPPLIES = f"{_L}.6.4.4.1.1"  # currentSuppliesTable: .5 description, .6 serial number
_MPS = "MIB LEXMARK-MPS-MIB"

PROFILE = VendorProfile(
    name="Lexmark",
    enterprises=(641,),
    sys_object_id_prefixes=("1.3.6.1.4.1.641.1", "1.3.6.1.4.1.641.2", "1.3.6.1.4.1.641.3"),
    brands=("Lexmark", "InfoPrint"),
    identity=(
        IdentityObject("serial", oid(f"{_L}.2.1.2.1.6.1"), "MIB LEXMARK-PVT-MIB; Peer: GLPI"),
        IdentityObject("serial", oid(f"{_L}.6.2.3.1.5.1"), _MPS),
        IdentityObject("model", oid(f"{_L}.6.2.3.1.4.1"), _MPS),
        IdentityObject("model", oid(f"{_L}.2.1.2.1.2.1"), "MIB LEXMARK-PVT-MIB"),
        IdentityObject("firmware", oid(f"{_L}.2.1.2.1.4.1"), "MIB LEXMARK-PVT-MIB"),
    ),
    counter_tables=(
        CounterTable(
            "lexmark-paper-counts",
            values=oid(f"{_PAPER}.4"),
            key_columns=(oid(f"{_PAPER}.2"),),
            counters=(
                # "safe" = delivered to an output bin; "picked" also counts jams and misfeeds
                TableCounter("total", keys(2), _MPS),  # totalSafe
                TableCounter("mono", keys(3), _MPS),  # totalMonoSafe
                TableCounter("color", keys(4), _MPS),  # totalColorSafe
            ),
            evidence=_MPS,
            expected_rows=6,
        ),
    ),
    serial_tables=(
        SerialTable(oid(f"{_SUPPLIES}.5"), oid(f"{_SUPPLIES}.6"), _MPS, expected_rows=3),
    ),
    supply_kinds={"maintenance kit": "maintenance_kit", "roller": "maintenance_kit"},
    notes=(
        "Counter units (UnitsTC .3) are sides on most devices; rows are picked by type, never"
        " by position.",
        "Cartridge serials (currentSuppliesTable .6) are joined to Printer-MIB rows by the"
        " supply description.",
    ),
)
