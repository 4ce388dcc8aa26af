"""Ricoh, and the brands built on its engines (Savin, Lanier, Gestetner, NRG, Nashuatec...)."""

from __future__ import annotations

from types import MappingProxyType

from printscout.domain.reading import SupplyState
from printscout.protocols.snmp.vendors.base import (
    CounterTable,
    IdentityObject,
    LevelCodes,
    LevelScope,
    LevelTable,
    TableCounter,
    VendorProfile,
    keys,
    oid,
)

_COUNTER = "1.3.6.1.4.1.367.3.2.1.2.19.5.1"  # ricohEngCounter entry: .2 type code, .9 value
_GLPI = "Peer: GLPI (type codes), Checkmk (names)"

PROFILE = VendorProfile(
    name="Ricoh",
    enterprises=(367,),
    sys_object_id_prefixes=("1.3.6.1.4.1.367.1.1",),
    brands=("Ricoh", "Savin", "Lanier", "Gestetner", "NRG", "Nashuatec", "Rex-Rotary", "Infotec"),
    identity=(
        IdentityObject("serial", oid("1.3.6.1.4.1.367.3.2.1.2.1.4.0"), "Peer: Zabbix; Rec"),
        IdentityObject("model", oid("1.3.6.1.4.1.367.3.2.1.1.1.1.0"), "Peer: Zabbix; Rec"),
        IdentityObject("firmware", oid("1.3.6.1.4.1.367.3.2.1.1.1.2.0"), "Peer: Zabbix; Rec"),
    ),
    counter_tables=(
        CounterTable(
            "ricoh-engine-counters",
            values=oid(f"{_COUNTER}.9"),
            key_columns=(oid(f"{_COUNTER}.2"),),
            counters=(
                TableCounter("total", keys(10), _GLPI),
                TableCounter("copy", keys(200), _GLPI),
                TableCounter("print", keys(400), _GLPI),
                TableCounter("fax", keys(300), _GLPI),
                TableCounter("scan", keys(870, 871), _GLPI),
                # black copies + black prints (fax prints, which are black, are not split)
                TableCounter("mono", keys(201, 401), _GLPI),
                TableCounter("color", keys(202, 203, 402, 403), _GLPI),
            ),
            evidence=_GLPI,
            expected_rows=12,
        ),
    ),
    # Ricoh's engine counter type codes do not say their unit; prtMarkerLifeCount does (sheets)
    counter_unit=None,
    level_tables=(
        LevelTable(
            "ricoh_private",
            oid("1.3.6.1.4.1.367.3.2.1.2.24.1.1.5"),  # TONERCurLevel, row i = supply row i
            "Peer: LibreNMS, Observium",
        ),
    ),
    level_codes=(
        LevelCodes(
            "ricoh_near_empty",
            MappingProxyType({-100: SupplyState.LOW}),
            LevelScope.ALWAYS,
            "Peer: LibreNMS, Observium (-100 = near empty)",
        ),
    ),
    notes=(
        "Counter rows move between models (colour prints at rows 13/14 on one, 21/22 on"
        " another), so rows are found by their type code, never by position.",
        "prtMarkerSuppliesLevel is -3 (some remaining) for any level between 1 and 100 % and"
        " -100 near empty; TONERCurLevel gives the real percentage.",
    ),
)
