"""OKI (Oki Data): OKIDATA-MIB identity and the unit counter, sent as text."""

from __future__ import annotations

from printscout.protocols.snmp.vendors.base import (
    CounterObject,
    IdentityObject,
    VendorProfile,
    oid,
)

_OKI = "1.3.6.1.4.1.2001.1.1.1.1"

PROFILE = VendorProfile(
    name="OKI",
    enterprises=(2001,),
    sys_object_id_prefixes=("1.3.6.1.4.1.2001.1",),
    brands=("OKI",),
    identity=(
        IdentityObject("serial", oid(f"{_OKI}.11.1.10.45.0"), "Peer: GLPI"),
        IdentityObject("model", oid(f"{_OKI}.11.1.10.25.0"), "Peer: GLPI"),
    ),
    counters=(
        # usagePrinterUnitCounter: a DisplayString of digits; what it counts is not stated,
        # so it is only a fallback when prtMarkerLifeCount is missing (unit unknown)
        CounterObject("total", (oid(f"{_OKI}.100.1.1.1.3.1"),), "MIB OKIDATA-MIB"),
    ),
    counter_unit=None,
    notes=(
        "cfgFirmCpuVersion (.1.1.3160.0) is the network board's firmware, not the printer's:"
        " not reported as firmware.",
        "Colorant names are not always unique on OKI; supplies keep their description.",
    ),
)
