"""Konica Minolta, and Develop (its rebadge): product objects and the function x colour meters."""

from __future__ import annotations

from printscout.protocols.snmp.vendors.base import (
    CounterObject,
    IdentityObject,
    VendorProfile,
    oid,
)

_KM = "1.3.6.1.4.1.18334.1.1.1"
_FUNC = f"{_KM}.5.7.2.2.1"  # .5 counts, .7 large-size counts; index colour.function
_GLPI = "Peer: GLPI"
_LARGE = "3P: large-size column .5.7.2.2.1.7"

PROFILE = VendorProfile(
    name="Konica Minolta",
    enterprises=(18334,),
    sys_object_id_prefixes=("1.3.6.1.4.1.18334.1.1.1.2.1", "1.3.6.1.4.1.18334.1.2.1.2.1"),
    brands=("Konica Minolta", "Develop"),
    identity=(
        IdentityObject("model", oid(f"{_KM}.1.6.2.1.0"), "Peer: LibreNMS; Rec"),
        IdentityObject("firmware", oid(f"{_KM}.1.6.1.0"), "Peer: LibreNMS, GLPI; Rec"),
    ),
    counters=(
        CounterObject("total", (oid(f"{_KM}.5.7.2.1.1.0"),), _GLPI),
        # colour 1 = black, 2 = full colour; function 1 = copy, 2 = print
        CounterObject("print", (oid(f"{_FUNC}.5.1.2"), oid(f"{_FUNC}.5.2.2")), _GLPI),
        CounterObject("copy", (oid(f"{_FUNC}.5.1.1"), oid(f"{_FUNC}.5.2.1")), _GLPI),
        CounterObject("mono", (oid(f"{_FUNC}.5.1.1"), oid(f"{_FUNC}.5.1.2")), _GLPI),
        CounterObject("color", (oid(f"{_FUNC}.5.2.1"), oid(f"{_FUNC}.5.2.2")), _GLPI),
        CounterObject(
            "large",
            tuple(oid(f"{_FUNC}.7.{c}.{f}") for c in (1, 2) for f in (1, 2)),
            _LARGE,
        ),
        CounterObject("scan", (oid(f"{_KM}.5.7.2.3.1.5.1"),), _GLPI),
    ),
    supply_kinds={"transfer roller": "transfer_unit", "transfer belt": "transfer_unit"},
    notes=(
        "No vendor serial OID is verified: the serial is prtGeneralSerialNumber (or IPP/EWS).",
        "Colorant order differs from HP: index 1 is cyan, 4 black (the colorant join handles it).",
        "Large-size (A3/ledger) counts come from column .7 of the function table, known only"
        " from third-party scripts [3P].",
    ),
)
