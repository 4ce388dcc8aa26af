"""Toshiba TEC: identity objects; data under the SNMPv3 context "MFP" on some models."""

from __future__ import annotations

from printscout.protocols.snmp.vendors.base import IdentityObject, Quirks, VendorProfile, oid

_T = "1.3.6.1.4.1.1129.1.2.1.1.1"

PROFILE = VendorProfile(
    name="Toshiba",
    enterprises=(1129,),
    sys_object_id_prefixes=("1.3.6.1.4.1.1129.2.3",),
    brands=("Toshiba",),
    identity=(
        IdentityObject("serial", oid(f"{_T}.1.1.0"), "Peer: GLPI"),
        IdentityObject("model", oid(f"{_T}.2.1.0"), "Peer: GLPI"),
        IdentityObject("firmware", oid(f"{_T}.1.2.0"), "Peer: GLPI"),
    ),
    quirks=Quirks(v3_contexts=("MFP",)),
    notes=("No Toshiba counter or supply object is verified beyond the Printer-MIB.",),
)
