"""Brother: BROTHER-MIB serial, firmware and the packed counter and maintenance records."""

from __future__ import annotations

from types import MappingProxyType

from printscout.domain.reading import SupplyState
from printscout.protocols.snmp.vendors.base import (
    CounterObject,
    IdentityObject,
    LevelCodes,
    LevelScope,
    MaintenanceBlob,
    MaintenanceRecord,
    Quirks,
    RecordCounter,
    VendorProfile,
    oid,
)

_INFO = "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5"  # brInfo...
_COUNTER_BLOB = oid(f"{_INFO}.10.0")  # brInfoCounter
_BIENIU = "MIB BROTHER-MIB; Peer: bieniu/brother"

PROFILE = VendorProfile(
    name="Brother",
    enterprises=(2435,),
    sys_object_id_prefixes=("1.3.6.1.4.1.2435.2.3.9.1",),
    brands=("Brother",),
    identity=(
        IdentityObject("serial", oid(f"{_INFO}.1.0"), "MIB; Peer: bieniu/brother, GLPI; Rec"),
        IdentityObject("firmware", oid(f"{_INFO}.17.0"), "MIB (brInfoDeviceRomVersion)"),
        # brmDNSPrinterName: the Bonjour name, the model unless renamed
        IdentityObject("model", oid("1.3.6.1.4.1.2435.2.4.3.2435.5.13.3.0"), "MIB; Rec"),
    ),
    record_counters=(
        RecordCounter("total", _COUNTER_BLOB, 0x00, _BIENIU),
        RecordCounter("mono", _COUNTER_BLOB, 0x01, _BIENIU),
        RecordCounter("color", _COUNTER_BLOB, 0x02, _BIENIU),
    ),
    counters=(
        # brScanCountCounter
        CounterObject("scan", (oid(f"{_INFO}.54.2.2.1.3.3"),), "MIB; Peer: GLPI"),
    ),
    maintenance=(
        MaintenanceBlob(
            oid(f"{_INFO}.8.0"),  # brInfoMaintenance; remaining life x 100 %
            (
                MaintenanceRecord(0x6F, "toner", "Black Toner", "black"),
                MaintenanceRecord(0x70, "toner", "Cyan Toner", "cyan"),
                MaintenanceRecord(0x71, "toner", "Magenta Toner", "magenta"),
                MaintenanceRecord(0x72, "toner", "Yellow Toner", "yellow"),
                MaintenanceRecord(0x81, "toner", "Black Toner", "black", scale=1),
                MaintenanceRecord(0x82, "toner", "Cyan Toner", "cyan", scale=1),
                MaintenanceRecord(0x83, "toner", "Magenta Toner", "magenta", scale=1),
                MaintenanceRecord(0x84, "toner", "Yellow Toner", "yellow", scale=1),
                MaintenanceRecord(0x41, "opc", "Drum Unit"),
                MaintenanceRecord(0x69, "transfer_unit", "Belt Unit"),
                MaintenanceRecord(0x6A, "fuser", "Fuser Unit"),
                MaintenanceRecord(0x6B, "other", "Laser Unit"),
                MaintenanceRecord(0x6C, "maintenance_kit", "Paper Feeding Kit MP"),
                MaintenanceRecord(0x6D, "maintenance_kit", "Paper Feeding Kit 1"),
            ),
            _BIENIU,
        ),
    ),
    level_codes=(
        LevelCodes(
            "brother_status_code",
            MappingProxyType(
                {0: SupplyState.OK, 1: SupplyState.LOW, 2: SupplyState.EMPTY, 3: SupplyState.LOW}
            ),
            LevelScope.NO_CAPACITY,
            "Peer: LibreNMS PrinterSupplies (0 full, 1 low, 2 empty, 3 nearly empty)",
        ),
    ),
    supply_kinds={"paper feeding kit": "maintenance_kit", "belt unit": "transfer_unit"},
    quirks=Quirks(
        notes=(
            "Some models answer GETBULK badly; the walker notices per device and uses GETNEXT.",
            "Brother also answers HP's serial-number OID with binary content; it is not read.",
            "Toner is often max -2 / level -3 in the Printer-MIB; brInfoMaintenance gives the"
            " percentage. Levels 0-3 of a toner with no usable capacity are status codes.",
        ),
    ),
)
