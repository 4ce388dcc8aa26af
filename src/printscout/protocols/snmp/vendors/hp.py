"""HP (Hewlett-Packard, HP Inc.): HP-LASERJET-COMMON-MIB objects and HP's own sample script."""

from __future__ import annotations

from printscout.protocols.snmp.vendors.base import (
    CounterObject,
    IdentityObject,
    Quirks,
    VendorProfile,
    oid,
)

_STATUS = "1.3.6.1.4.1.11.2.3.9.4.2.1.1.3"  # HP-LASERJET-COMMON-MIB status-prt-eng / id
_PAGES = "1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2"  # ... print-engine page counts

PROFILE = VendorProfile(
    name="HP",
    enterprises=(11, 26696),
    sys_object_id_prefixes=("1.3.6.1.4.1.11.2.3.9.1", "1.3.6.1.4.1.26696.1"),
    brands=("HP",),
    identity=(
        IdentityObject("serial", oid(f"{_STATUS}.3.0"), "MIB HP-LASERJET-COMMON-MIB; Peer: GLPI"),
        IdentityObject("model", oid(f"{_STATUS}.2.0"), "MIB HP-LASERJET-COMMON-MIB"),
        IdentityObject("firmware", oid(f"{_STATUS}.6.0"), "Peer: GLPI; Vendor script"),
    ),
    counters=(
        # total-engine-page-count: every side printed, engine cycles
        CounterObject("total", (oid(f"{_PAGES}.5.0"),), "MIB; Peer: GLPI; Vendor script"),
        # total-color-page-count: a side with at least one colour pixel, duplex sides apart
        CounterObject("color", (oid(f"{_PAGES}.7.0"),), "MIB; Peer: GLPI; Vendor script"),
        # mono engine cycles: labelled mono by HP's sample script (not in the compiled MIB)
        CounterObject("mono", (oid(f"{_PAGES}.6.0"),), "Vendor script"),
    ),
    supply_kinds={
        "maintenance kit": "maintenance_kit",
        "transfer kit": "transfer_unit",
        "fuser kit": "fuser",
        "roller": "maintenance_kit",
    },
    # HP's own script calls both prtMarkerLifeCount and total-engine-page-count engine
    # cycles: the standard one is kept, HP's stands in where it is missing
    vendor_total_first=False,
    quirks=Quirks(
        v3_contexts=("Jetdirect", "Laserjet"),
        notes=(
            "Cartridge serials, install dates and billing meters are most reliable through"
            " LEDM /DevMgmt/ConsumableConfigDyn.xml and ProductUsageDyn.xml (HP LEDM: see item 5).",
            "Brother and ZebraNet answer parts of HP's JetDirect tree with other content; the"
            " profile is chosen by enterprise number, so their HP-looking objects are not read.",
        ),
    ),
)
