"""Samsung (and Samsung-built devices under Samsung's tree): identity and the count table."""

from __future__ import annotations

from printscout.protocols.snmp.vendors.base import (
    CounterTable,
    IdentityObject,
    Quirks,
    TableCounter,
    VendorProfile,
    keys,
    oid,
)

_HR = "1.3.6.1.4.1.236.11.5.1.1.1"
_COUNT = "1.3.6.1.4.1.236.11.5.11.53.11.2.1"  # scmHrDevCountTable: .2 job, .6 colour, .7 value
_MIB = "MIB SAMSUNG-HOST-RESOURCES-EXT-MIB"
# job types: print(1), copy(2), faxIn(3), faxOut(4), scan(5), report(6); colour: fullColor(1),
# singleColor(2), monoColor(3). Marking jobs put toner on paper: print, copy, fax in, report.
_MARKING = (1, 2, 3, 6)


def _rows(jobs: tuple[int, ...], colours: tuple[int, ...]) -> tuple[tuple[int | str, ...], ...]:
    return keys(*((j, c) for j in jobs for c in colours))


PROFILE = VendorProfile(
    name="Samsung",
    enterprises=(236,),
    sys_object_id_prefixes=("1.3.6.1.4.1.236.11",),
    brands=("Samsung",),
    identity=(
        IdentityObject("serial", oid(f"{_HR}.4.0"), f"{_MIB}; Peer: Zabbix, LibreNMS"),
        IdentityObject("model", oid(f"{_HR}.1.0"), f"{_MIB}; Peer: Zabbix, LibreNMS"),
        IdentityObject("firmware", oid(f"{_HR}.2.0"), f"{_MIB}; Peer: Zabbix"),
    ),
    counter_tables=(
        CounterTable(
            "samsung-counts",
            values=oid(f"{_COUNT}.7"),
            key_columns=(oid(f"{_COUNT}.2"), oid(f"{_COUNT}.6")),
            counters=(
                TableCounter("total", _rows(_MARKING, (1, 2, 3)), _MIB),
                TableCounter("mono", _rows(_MARKING, (3,)), _MIB),
                TableCounter("color", _rows(_MARKING, (1, 2)), _MIB),
                TableCounter("print", _rows((1,), (1, 2, 3)), _MIB),
                TableCounter("copy", _rows((2,), (1, 2, 3)), _MIB),
                TableCounter("fax", _rows((3,), (1, 2, 3)), _MIB),
                TableCounter("scan", _rows((5,), (1, 2, 3)), _MIB),
            ),
            evidence=_MIB,
            expected_rows=8,
        ),
    ),
    quirks=Quirks(
        notes=(
            "A Samsung ML-3470 returned a wrong MAC through GETBULK that a GET did not [3P];"
            " not acted on (one report, one model).",
            "The cartridge table .236.11.5.11.53.61.5.2.1 is known from one Zabbix template"
            " only and is not read.",
        ),
    ),
)
