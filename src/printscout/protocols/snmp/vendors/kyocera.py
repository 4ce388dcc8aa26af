"""Kyocera Document Solutions, and its rebadges (UTAX, TA Triumph-Adler, Copystar)."""

from __future__ import annotations

from printscout.protocols.snmp.vendors.base import (
    CounterObject,
    IdentityObject,
    VendorProfile,
    oid,
)

_K = "1.3.6.1.4.1.1347"
_GLPI = "Peer: GLPI Tools/Hardware.pm"
# glpi-agent issue #382: the total shown on the status page is 1-sided + 2-sided pages
_SIDES = "3P: glpi-agent #382"

PROFILE = VendorProfile(
    name="Kyocera",
    enterprises=(1347,),
    sys_object_id_prefixes=("1.3.6.1.4.1.1347.41",),
    brands=("Kyocera", "UTAX", "TA Triumph-Adler", "Copystar"),
    identity=(
        IdentityObject("serial", oid(f"{_K}.43.5.1.1.28.1"), "Peer: GLPI; Rec"),
        IdentityObject("model", oid(f"{_K}.43.5.1.1.1.1"), "Peer: GLPI; Rec"),
        IdentityObject("firmware", oid(f"{_K}.43.5.4.1.5.1.1"), "MIB base; Peer: GLPI; Rec"),
    ),
    counters=(
        CounterObject("total", (oid(f"{_K}.43.10.1.1.12.1.1"),), _GLPI),
        CounterObject("total", (oid(f"{_K}.42.2.5.1.1.1.1"), oid(f"{_K}.42.2.5.1.1.2.1")), _SIDES),
        # MFPs: function x colour (function 1 print, 2 copy, 4 fax; colour 1 black, 3 full)
        CounterObject("print", (oid(f"{_K}.42.3.1.1.1.1.1"),), _GLPI),
        CounterObject("copy", (oid(f"{_K}.42.3.1.1.1.1.2"),), _GLPI),
        CounterObject("fax", (oid(f"{_K}.42.3.1.1.1.1.4"),), _GLPI),
        CounterObject("scan", (oid(f"{_K}.46.10.1.1.5.3"),), _GLPI),
        CounterObject(
            "mono", (oid(f"{_K}.42.3.1.2.1.1.1.1"), oid(f"{_K}.42.3.1.2.1.1.2.1")), _GLPI
        ),
        CounterObject(
            "color", (oid(f"{_K}.42.3.1.2.1.1.1.3"), oid(f"{_K}.42.3.1.2.1.1.2.3")), _GLPI
        ),
        # printers (non-MFP): black and colour
        CounterObject("mono", (oid(f"{_K}.42.2.2.1.1.3.1.1"),), _GLPI),
        CounterObject("color", (oid(f"{_K}.42.2.1.1.1.8.1.1"),), _GLPI),
    ),
    supply_kinds={"maintenance kit": "maintenance_kit"},
    notes=(
        "The function/colour reading of .1347.42.3.1.* (function 1 print, 2 copy, 4 fax; colour"
        " 1 black, 3 full colour) is inferred from GLPI's OIDs, not documented.",
        "Total: Kyocera's own counter .43.10.1.1.12.1.1; where it is missing, the sum of the"
        " 1-sided and 2-sided page counters (.42.2.5.1.1.1.1 + .42.2.5.1.1.2.1), which a user"
        " reports to match the status page (glpi-agent #382, [3P]).",
        "The disputed .1347.42.2.1.1.1.{6,7,8,9} counters are not read.",
    ),
)
