"""Xerox: XEROX-HOST-RESOURCES-EXT-MIB serial and lifetime usage counters."""

from __future__ import annotations

from printscout.protocols.snmp.vendors.base import (
    CounterObject,
    IdentityObject,
    VendorProfile,
    oid,
)

# xcmHrDevDetailValueInteger.<hrDeviceIndex>.deviceLifetimeUsage(20).<detail index>
_USAGE = "1.3.6.1.4.1.253.8.53.13.2.1.6"
_GLPI = "MIB XEROX-HOST-RESOURCES-EXT-MIB; Peer: GLPI"

PROFILE = VendorProfile(
    name="Xerox",
    enterprises=(253, 128),
    sys_object_id_prefixes=("1.3.6.1.4.1.253.8.62.1", "1.3.6.1.4.1.128"),
    brands=("Xerox", "Tektronix"),
    identity=(
        # xcmHrDevInfoSerialNumber of hrDevice row 1 (the printer)
        IdentityObject("serial", oid("1.3.6.1.4.1.253.8.53.3.2.1.3.1"), _GLPI),
    ),
    counters=(
        CounterObject("total", (oid(f"{_USAGE}.1.20.1"),), _GLPI),
        CounterObject("color", (oid(f"{_USAGE}.1.20.33"),), _GLPI),
        CounterObject("mono", (oid(f"{_USAGE}.1.20.34"),), _GLPI),
        # the copier (hrDevice 11) and scanner (hrDevice 10) rows
        CounterObject("copy", (oid(f"{_USAGE}.11.20.25"), oid(f"{_USAGE}.11.20.3")), _GLPI),
        CounterObject("scan", (oid(f"{_USAGE}.10.20.11"), oid(f"{_USAGE}.10.20.12")), _GLPI),
    ),
    notes=(
        "Cartridge part and serial numbers come from prtMarkerSuppliesDescription"
        " ('Black Toner, PN 006R01509;SN48178080E0000481'; 'SNunknown' = no chip).",
        "GLPI files 1.20.33 / 1.20.34 as colour / black prints; they count the marker"
        " (hrDevice 1), which prints copies too, so PrintScout reports them as the device's"
        " colour and mono impressions. Most sources agree 33 is colour; one script swaps them.",
        "Wide-format (43/44) and low-end Samsung-built models (Samsung OIDs) use other rows.",
    ),
)
