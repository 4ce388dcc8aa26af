"""Epson (Seiko Epson): identity objects; counters are prtMarkerLifeCount only."""

from __future__ import annotations

from printscout.protocols.snmp.vendors.base import IdentityObject, VendorProfile, oid

PROFILE = VendorProfile(
    name="Epson",
    enterprises=(1248,),
    sys_object_id_prefixes=("1.3.6.1.4.1.1248.1.1.2.1.3",),
    brands=("Epson",),
    identity=(
        IdentityObject("serial", oid("1.3.6.1.4.1.1248.1.2.2.1.1.1.5.1"), "Peer: GLPI"),
        # scan servers (DS-860): LibreNMS reports this object as the serial; one third-party
        # script reads it as a host name
        IdentityObject(
            "serial",
            oid("1.3.6.1.4.1.1248.1.1.3.1.1.1.0"),
            "Rec: epson-scanner_ds-860; Peer: LibreNMS (test data)",
        ),
        IdentityObject("model", oid("1.3.6.1.4.1.1248.1.2.2.1.1.1.2.1"), "Peer: GLPI"),
    ),
    notes=(
        "sysObjectID encodes the model as length-prefixed ASCII.",
        "Further data needs Epson's model-specific 'remote mode' commands, some of which write"
        " to EEPROM: not used.",
    ),
)
