"""FUJIFILM Business Innovation (Fuji Xerox): the standard MIBs only, nothing private verified."""

from __future__ import annotations

from printscout.protocols.snmp.vendors.base import VendorProfile

PROFILE = VendorProfile(
    name="Fujifilm",
    enterprises=(297, 28708),
    sys_object_id_prefixes=("1.3.6.1.4.1.297.1.11.93",),
    brands=("Fujifilm",),
    notes=(
        "prtGeneralSerialNumber is filled on the recorded devices; supply rows need not start"
        " at 1 (Apeos C7580: rows 2-9, 30, 31) and drums count in impressions.",
        "No FUJIFILM private counter or serial object is verified.",
    ),
)
