"""Zebra label printers and ZebraNet print servers (ESI, enterprise 683)."""

from __future__ import annotations

from printscout.protocols.snmp.vendors.base import IdentityObject, VendorProfile, oid

PROFILE = VendorProfile(
    name="Zebra",
    enterprises=(10642, 683, 16653),
    sys_object_id_prefixes=("1.3.6.1.4.1.10642.1", "1.3.6.1.4.1.683.6"),
    brands=("Zebra",),
    identity=(
        IdentityObject("serial", oid("1.3.6.1.4.1.10642.1.9.0"), "Peer: GLPI (zbrGeneralUniqueId)"),
        IdentityObject("serial", oid("1.3.6.1.4.1.683.1.5.0"), "Peer: GLPI, LibreNMS; Rec: zebra"),
        IdentityObject("model", oid("1.3.6.1.4.1.10642.1.1.0"), "Peer: GLPI (zbrGeneralModel)"),
        IdentityObject("model", oid("1.3.6.1.4.1.683.6.2.3.2.1.15.1"), "Peer: GLPI; Rec: zebra"),
        IdentityObject("firmware", oid("1.3.6.1.4.1.10642.1.2.0"), "Peer: GLPI; Rec: zebra"),
    ),
    counter_unit=None,
    notes=(
        "Label printers count media length, not pages: prtMarkerLifeCount in a length unit"
        " gives no page total (the unit is still reported).",
        "On a ZebraNet print server, 683.1.5.0 is the serial LibreNMS reports; 683.1.4.0 is"
        " the server's part number and is not read as a model.",
    ),
)
