"""Dell printers: Lexmark-built lasers under Dell's enterprise number (a copy of prtgen)."""

from __future__ import annotations

from printscout.protocols.snmp.vendors.base import IdentityObject, VendorProfile, oid

_PRTGEN = "1.3.6.1.4.1.674.10898.100.2.1.2.1"  # Dell's copy of Lexmark's prtgen table

PROFILE = VendorProfile(
    name="Dell",
    enterprises=(674,),
    sys_object_id_prefixes=("1.3.6.1.4.1.674.10898",),
    brands=("Dell",),
    identity=(
        IdentityObject("model", oid(f"{_PRTGEN}.2.1"), "Peer: CUPS (product name)"),
        # by analogy with Lexmark's prtgenSerialNo; not seen on a device
        IdentityObject("serial", oid(f"{_PRTGEN}.6.1"), "UNVERIFIED"),
    ),
    notes=(
        "Dell lasers are Lexmark or Fuji Xerox engines; no Dell counter OID is verified,"
        " so counters are prtMarkerLifeCount only.",
        "The serial OID mirrors Lexmark's prtgenSerialNo [UNVERIFIED]; prtGeneralSerialNumber"
        " is read first.",
    ),
)
