"""Canon: CANON-MIB product and service objects, counters by Canon counter code."""

from __future__ import annotations

from types import MappingProxyType

from printscout.domain.reading import SupplyState
from printscout.protocols.snmp.vendors.base import (
    CounterKind,
    CounterObject,
    CounterTable,
    IdentityObject,
    LevelCodes,
    LevelScope,
    TableCounter,
    VendorProfile,
    keys,
    oid,
)

_CODE = "1.3.6.1.4.1.1602.1.11.1.3.1.4"  # counter value by Canon counter code (iR-ADV)
_LABELLED = "1.3.6.1.4.1.1602.1.11.2.1.1"  # LBP76xx: .2 label, .3 value
_COUNTERS = "Peer: GLPI, Checkmk; code meanings from Canon documentation"


def _code(kind: CounterKind, *codes: int) -> CounterObject:
    return CounterObject(kind, tuple(oid(f"{_CODE}.{c}") for c in codes), _COUNTERS)


PROFILE = VendorProfile(
    name="Canon",
    enterprises=(1602,),
    sys_object_id_prefixes=("1.3.6.1.4.1.1602.4",),
    brands=("Canon",),
    identity=(
        IdentityObject("serial", oid("1.3.6.1.4.1.1602.1.2.1.8.1.3.1.1"), "Peer: GLPI"),
        IdentityObject("model", oid("1.3.6.1.4.1.1602.1.1.1.1.0"), "Peer: LibreNMS, GLPI; Rec"),
        IdentityObject("firmware", oid("1.3.6.1.4.1.1602.1.1.1.4.0"), "Peer: LibreNMS, GLPI; Rec"),
    ),
    counters=(
        _code("total", 101),  # Total 1 (Canon: machine total; GLPI files it as a copy total)
        _code("mono", 108),  # Total (Black 1)
        _code("mono", 112, 113),  # Black Large + Black Small
        _code("color", 122, 123),  # Full Color + Single Color, Large + Small
        _code("large", 103),  # Total (Large): A3 / 11x17
        _code("print", 301),  # Print (Total 1)
        _code("scan", 501),  # Scan (Total 1)
    ),
    counter_tables=(
        CounterTable(
            "canon-labelled-counters",
            values=oid(f"{_LABELLED}.3"),
            key_columns=(oid(f"{_LABELLED}.2"),),
            counters=(
                TableCounter("total", keys("Total 1"), "Peer: Checkmk"),
                TableCounter("mono", keys("Total (Black 1)"), "Peer: Checkmk"),
                TableCounter("print", keys("Print (Total 1)"), "Peer: Checkmk"),
                TableCounter("copy", keys("Copy (Total 1)"), "Peer: Checkmk"),
                TableCounter("scan", keys("Scan (Total 1)"), "Peer: Checkmk"),
            ),
            evidence="Peer: GLPI, Checkmk (LBP76xx label table)",
            expected_rows=0,
        ),
    ),
    level_codes=(
        LevelCodes(
            "canon_three_step",
            MappingProxyType({100: SupplyState.OK, 10: SupplyState.LOW, 1: SupplyState.LOW}),
            LevelScope.STEPPED_SET,
            "Peer: LibreNMS #5637 quoting Canon's MF4700/4800 MIB notes (other(100),"
            " tonerLow(10), tonerNearlyOut(1))",
        ),
    ),
    notes=(
        "Three-step devices report toner as 100 (sufficient), 10 (low) and 1 (nearly out); a"
        " device is read that way only when every toner level is one of those steps and one"
        " is not 100, since iR-ADV and LBP6670 firmware report real percentages.",
        "Codes 105, 106 and 109 and the weighting of Large pages are only partly verified.",
    ),
)
