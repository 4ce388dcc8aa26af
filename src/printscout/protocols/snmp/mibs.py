"""Printer-MIB (RFC 3805), IANA-PRINTER-MIB, Host Resources MIB and MIB-II facts, as data."""

from __future__ import annotations

from typing import Final

from printscout.protocols.snmp.ber import Oid

# --- MIB-II system group (scalars)
SYS_DESCR: Final[Oid] = (1, 3, 6, 1, 2, 1, 1, 1, 0)
SYS_OBJECT_ID: Final[Oid] = (1, 3, 6, 1, 2, 1, 1, 2, 0)
SYS_UPTIME: Final[Oid] = (1, 3, 6, 1, 2, 1, 1, 3, 0)
SYS_CONTACT: Final[Oid] = (1, 3, 6, 1, 2, 1, 1, 4, 0)
SYS_NAME: Final[Oid] = (1, 3, 6, 1, 2, 1, 1, 5, 0)
SYS_LOCATION: Final[Oid] = (1, 3, 6, 1, 2, 1, 1, 6, 0)

# --- IF-MIB
IF_TYPE: Final[Oid] = (1, 3, 6, 1, 2, 1, 2, 2, 1, 3)
IF_PHYS_ADDRESS: Final[Oid] = (1, 3, 6, 1, 2, 1, 2, 2, 1, 6)

# --- HOST-RESOURCES-MIB
HR_DEVICE_TYPE: Final[Oid] = (1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 2)
HR_DEVICE_DESCR: Final[Oid] = (1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 3)
HR_DEVICE_STATUS: Final[Oid] = (1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 5)
HR_PRINTER_STATUS: Final[Oid] = (1, 3, 6, 1, 2, 1, 25, 3, 5, 1, 1)
HR_PRINTER_ERROR_STATE: Final[Oid] = (1, 3, 6, 1, 2, 1, 25, 3, 5, 1, 2)
HR_DEVICE_PRINTER: Final[Oid] = (1, 3, 6, 1, 2, 1, 25, 3, 1, 5)
HR_DEVICE_SCANNER_HINTS: Final = ("scanner", "scan")

# --- Printer-MIB
_PRT: Final[Oid] = (1, 3, 6, 1, 2, 1, 43)
PRT_GENERAL_CURRENT_LOCALIZATION: Final[Oid] = (*_PRT, 5, 1, 1, 2)
PRT_CONSOLE_LOCALIZATION: Final[Oid] = (*_PRT, 5, 1, 1, 10)
PRT_GENERAL_PRINTER_NAME: Final[Oid] = (*_PRT, 5, 1, 1, 16)
PRT_GENERAL_SERIAL_NUMBER: Final[Oid] = (*_PRT, 5, 1, 1, 17)
PRT_LOCALIZATION_CHARSET: Final[Oid] = (*_PRT, 7, 1, 1, 4)
PRT_INPUT_MAX_CAPACITY: Final[Oid] = (*_PRT, 8, 2, 1, 9)
PRT_INPUT_CURRENT_LEVEL: Final[Oid] = (*_PRT, 8, 2, 1, 10)
PRT_INPUT_MEDIA_NAME: Final[Oid] = (*_PRT, 8, 2, 1, 12)
PRT_INPUT_NAME: Final[Oid] = (*_PRT, 8, 2, 1, 13)
PRT_MARKER_COUNTER_UNIT: Final[Oid] = (*_PRT, 10, 2, 1, 3)
PRT_MARKER_LIFE_COUNT: Final[Oid] = (*_PRT, 10, 2, 1, 4)
PRT_SUPPLIES_COLORANT_INDEX: Final[Oid] = (*_PRT, 11, 1, 1, 3)
PRT_SUPPLIES_CLASS: Final[Oid] = (*_PRT, 11, 1, 1, 4)
PRT_SUPPLIES_TYPE: Final[Oid] = (*_PRT, 11, 1, 1, 5)
PRT_SUPPLIES_DESCRIPTION: Final[Oid] = (*_PRT, 11, 1, 1, 6)
PRT_SUPPLIES_UNIT: Final[Oid] = (*_PRT, 11, 1, 1, 7)
PRT_SUPPLIES_MAX_CAPACITY: Final[Oid] = (*_PRT, 11, 1, 1, 8)
PRT_SUPPLIES_LEVEL: Final[Oid] = (*_PRT, 11, 1, 1, 9)
PRT_COLORANT_VALUE: Final[Oid] = (*_PRT, 12, 1, 1, 4)
PRT_CONSOLE_DISPLAY_TEXT: Final[Oid] = (*_PRT, 16, 5, 1, 2)
PRT_ALERT_SEVERITY: Final[Oid] = (*_PRT, 18, 1, 1, 2)
PRT_ALERT_GROUP: Final[Oid] = (*_PRT, 18, 1, 1, 4)
PRT_ALERT_GROUP_INDEX: Final[Oid] = (*_PRT, 18, 1, 1, 5)
PRT_ALERT_CODE: Final[Oid] = (*_PRT, 18, 1, 1, 7)
PRT_ALERT_DESCRIPTION: Final[Oid] = (*_PRT, 18, 1, 1, 8)

HR_DEVICE_STATUS_NAMES: Final = {1: "unknown", 2: "running", 3: "warning", 4: "testing", 5: "down"}
HR_PRINTER_STATUS_NAMES: Final = {1: "other", 2: "unknown", 3: "idle", 4: "printing", 5: "warmup"}

# hrPrinterDetectedErrorState: bit 0 is the most significant bit of the first octet
ERROR_STATE_BITS: Final = (
    "low_paper",
    "no_paper",
    "low_toner",
    "no_toner",
    "door_open",
    "jammed",
    "offline",
    "service_requested",
    "input_tray_missing",
    "output_tray_missing",
    "marker_supply_missing",
    "output_near_full",
    "output_full",
    "input_tray_empty",
    "overdue_prevent_maint",
)

SUPPLY_CLASS_NAMES: Final = {1: "other", 3: "consumed", 4: "receptacle"}
RECEPTACLE: Final = 4

SUPPLY_TYPE_NAMES: Final = {
    1: "other", 2: "unknown", 3: "toner", 4: "waste_toner", 5: "ink", 6: "ink_cartridge",
    7: "ink_ribbon", 8: "waste_ink", 9: "opc", 10: "developer", 11: "fuser_oil",
    12: "solid_wax", 13: "ribbon_wax", 14: "waste_wax", 15: "fuser", 16: "corona_wire",
    17: "fuser_oil_wick", 18: "cleaner_unit", 19: "fuser_cleaning_pad", 20: "transfer_unit",
    21: "toner_cartridge", 22: "fuser_oiler", 23: "water", 24: "waste_water",
    25: "glue_water_additive", 26: "waste_paper", 27: "binding_supply", 28: "banding_supply",
    29: "stitching_wire", 30: "shrink_wrap", 31: "paper_wrap", 32: "staples", 33: "inserts",
    34: "covers", 35: "matte_toner", 36: "matte_ink",
}  # fmt: skip

SUPPLY_UNIT_NAMES: Final = {
    1: "other", 2: "unknown", 3: "ten_thousandths_of_inches", 4: "micrometers",
    7: "impressions", 8: "sheets", 11: "hours", 12: "thousandths_of_ounces",
    13: "tenths_of_grams", 14: "hundredths_of_fluid_ounces", 15: "tenths_of_milliliters",
    16: "feet", 17: "meters", 18: "items", 19: "percent",
}  # fmt: skip
UNIT_PERCENT: Final = 19

COUNTER_UNIT_NAMES: Final = {
    3: "ten_thousandths_of_inches", 4: "micrometers", 5: "characters", 6: "lines",
    7: "impressions", 8: "sheets", 9: "dot_row", 11: "hours", 16: "feet", 17: "meters",
}  # fmt: skip

ALERT_SEVERITY_NAMES: Final = {1: "other", 3: "critical", 4: "warning", 5: "warning_binary_change"}

ALERT_CODE_NAMES: Final = {
    1: "other", 2: "unknown", 3: "coverOpen", 4: "coverClosed", 5: "interlockOpen",
    6: "interlockClosed", 7: "configurationChange", 8: "jam", 9: "subunitMissing",
    10: "subunitLifeAlmostOver", 11: "subunitLifeOver", 12: "subunitAlmostEmpty",
    13: "subunitEmpty", 14: "subunitAlmostFull", 15: "subunitFull", 16: "subunitNearLimit",
    17: "subunitAtLimit", 18: "subunitOpened", 19: "subunitClosed", 20: "subunitTurnedOn",
    21: "subunitTurnedOff", 22: "subunitOffline", 23: "subunitPowerSaver",
    24: "subunitWarmingUp", 25: "subunitAdded", 26: "subunitRemoved",
    27: "subunitResourceAdded", 28: "subunitResourceRemoved",
    29: "subunitRecoverableFailure", 30: "subunitUnrecoverableFailure",
    31: "subunitRecoverableStorageError", 32: "subunitUnrecoverableStorageError",
    33: "subunitMotorFailure", 34: "subunitMemoryExhausted", 35: "subunitUnderTemperature",
    36: "subunitOverTemperature", 37: "subunitTimingFailure", 38: "subunitThermistorFailure",
    501: "doorOpen", 502: "doorClosed", 503: "powerUp", 504: "powerDown",
    505: "printerNMSReset", 506: "printerManualReset", 507: "printerReadyToPrint",
    801: "inputMediaTrayMissing", 802: "inputMediaSizeChange", 803: "inputMediaWeightChange",
    804: "inputMediaTypeChange", 805: "inputMediaColorChange", 806: "inputMediaFormPartsChange",
    807: "inputMediaSupplyLow", 808: "inputMediaSupplyEmpty", 809: "inputMediaChangeRequest",
    810: "inputManualInputRequest", 811: "inputTrayPositionFailure",
    812: "inputTrayElevationFailure", 813: "inputCannotFeedSizeSelected",
    901: "outputMediaTrayMissing", 902: "outputMediaTrayAlmostFull", 903: "outputMediaTrayFull",
    904: "outputMailboxSelectFailure", 1001: "markerFuserUnderTemperature",
    1002: "markerFuserOverTemperature", 1003: "markerFuserTimingFailure",
    1004: "markerFuserThermistorFailure", 1005: "markerAdjustingPrintQuality",
    1101: "markerTonerEmpty", 1102: "markerInkEmpty", 1103: "markerPrintRibbonEmpty",
    1104: "markerTonerAlmostEmpty", 1105: "markerInkAlmostEmpty",
    1106: "markerPrintRibbonAlmostEmpty", 1107: "markerWasteTonerReceptacleAlmostFull",
    1108: "markerWasteInkReceptacleAlmostFull", 1109: "markerWasteTonerReceptacleFull",
    1110: "markerWasteInkReceptacleFull", 1111: "markerOpcLifeAlmostOver",
    1112: "markerOpcLifeOver", 1113: "markerDeveloperAlmostEmpty", 1114: "markerDeveloperEmpty",
    1115: "markerTonerCartridgeMissing", 1301: "mediaPathMediaTrayMissing",
    1302: "mediaPathMediaTrayAlmostFull", 1303: "mediaPathMediaTrayFull",
    1304: "mediaPathCannotDuplexMediaSelected", 1501: "interpreterMemoryIncrease",
    1502: "interpreterMemoryDecrease", 1503: "interpreterCartridgeAdded",
    1504: "interpreterCartridgeDeleted", 1505: "interpreterResourceAdded",
    1506: "interpreterResourceDeleted", 1507: "interpreterResourceUnavailable",
    1509: "interpreterComplexPageEncountered", 1801: "alertRemovalOfBinaryChangeEntry",
}  # fmt: skip

# IANA character sets (IANACharset) -> Python codec, for prtLocalizationCharacterSet
CHARSET_CODECS: Final = {
    3: "ascii", 4: "latin-1", 5: "iso8859-2", 6: "iso8859-3", 7: "iso8859-4", 8: "iso8859-5",
    9: "iso8859-6", 10: "iso8859-7", 11: "iso8859-8", 12: "iso8859-9", 13: "iso8859-10",
    17: "shift_jis", 18: "euc_jp", 38: "euc_kr", 39: "iso2022_jp", 106: "utf-8",
    109: "iso8859-13", 111: "iso8859-15", 1000: "utf-16-be", 1013: "utf-16-be",
    1014: "utf-16-le", 1015: "utf-16", 2004: "hp_roman8", 2009: "cp850", 2010: "cp852",
    2011: "cp437", 2024: "cp932", 2025: "gb2312", 2026: "big5", 2027: "mac_roman",
    2250: "cp1250", 2251: "cp1251", 2252: "cp1252", 2253: "cp1253", 2254: "cp1254",
    113: "gbk", 114: "gb18030", 2084: "koi8_r",
}  # fmt: skip
