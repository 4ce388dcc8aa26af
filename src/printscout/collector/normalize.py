"""Raw SNMP answers to one :class:`~printscout.domain.reading.Reading`: pure, no I/O.

Supply levels follow RFC 3805: -1 means "no restriction", -2 "unknown" and -3 "some
remaining"; none of them becomes a percentage. A receptacle's level (waste toner) is the room
still free, so its ``level_percent`` is the share still free (documented in docs/reading.md).
A vendor profile, when the Reader found one, adds the vendor's identity fallbacks, counters and
supply rules (``protocols/snmp/vendors``; documented in docs/devices.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Final

from printscout.collector.text import decode_text, format_mac, unhex
from printscout.domain.manufacturers import (
    identify_manufacturer,
    is_printer_object,
    model_from,
    strip_brand,
)
from printscout.domain.reading import (
    Alert,
    Counters,
    DeviceKind,
    Identity,
    Reading,
    Status,
    Supply,
    SupplyState,
    Tray,
)
from printscout.protocols.snmp import mibs
from printscout.protocols.snmp.ber import Oid, Value, oid_to_str
from printscout.protocols.snmp.memo import Memo
from printscout.protocols.snmp.vendors.base import VendorProfile
from printscout.protocols.snmp.vendors.codecs import split_supply_serial, usable_serial
from printscout.protocols.snmp.vendors.meters import (
    consistency,
    merge_counters,
    read_meters,
    vendor_identity,
)
from printscout.protocols.snmp.vendors.supplies import vendor_supplies

LOW_PERCENT: Final = 10
_PAGE_UNITS: Final = frozenset({7, 8})
_SERIAL_IN_DESCR: Final = re.compile(r"(?:\bS/?N\s*[:#]?\s*)([A-Za-z0-9-]{4,})")
_COLOR_WORDS: Final = ("black", "cyan", "magenta", "yellow")
_ETHERNET_TYPES: Final = frozenset({6, 62, 69, 117, 71})

Column = dict[Oid, Value]
# rows built from raw values, per distinct set of values (a fleet's worth of devices)
_SUPPLY_ROWS: Final[Memo[tuple[object, ...], tuple[Supply, ...]]] = Memo(4096)
_TRAY_ROWS: Final[Memo[tuple[object, ...], tuple[Tray, ...]]] = Memo(4096)


@dataclass(frozen=True, slots=True)
class RawReading:
    """What a poll brought back: first-row scalars by requested OID, and walked columns."""

    address: str
    scalars: dict[Oid, Value] = field(default_factory=dict)
    tables: dict[Oid, Column] = field(default_factory=dict)
    profile: VendorProfile | None = None  # the vendor profile the Reader polled with

    def column(self, oid: Oid) -> Column:
        """The walked column, or an empty one."""
        return self.tables.get(oid, {})


def as_int(value: Value) -> int | None:
    """An integer value, or None for anything else (agents send wrong types)."""
    if type(value) is int:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, bytes) and value.strip().lstrip(b"-").isdigit() and len(value) < 20:
        return int(value)  # some agents send numbers as strings
    return None


def uptime_seconds(value: Value) -> int | None:
    """sysUpTime (hundredths of a second) in whole seconds, or None."""
    uptime = as_int(value)
    return uptime // 100 if uptime is not None and uptime >= 0 else None


def as_oid(value: Value) -> str | None:
    """A dotted OID string, or None."""
    return oid_to_str(value) if isinstance(value, tuple) else None


def normalize(raw: RawReading) -> Reading:
    """Build the reading of one device from its raw answers."""
    printer_index = _printer_index(raw)
    charset = _charset(raw, mibs.PRT_GENERAL_CURRENT_LOCALIZATION)
    console_charset = _charset(raw, mibs.PRT_CONSOLE_LOCALIZATION) or charset
    hr_descr = _hr_descr(raw, printer_index)
    identity = _identity(raw, hr_descr, charset)
    supplies = _supplies(raw, charset)
    counters = _counters(raw)
    same_unit = True
    if raw.profile is not None:
        supplies, counters = _vendor(raw, raw.profile, supplies, counters, charset)
        same_unit = counters.unit == raw.profile.counter_unit
    checks = consistency(counters, same_unit)
    if checks:
        counters = replace(counters, anomalies=(*counters.anomalies, *checks))
    return Reading(
        address=raw.address,
        kind=_kind(raw, printer_index, identity, hr_descr),
        identity=identity,
        status=_status(raw, printer_index, console_charset, charset),
        supplies=supplies,
        counters=counters,
        trays=_trays(raw, charset),
    )


def manufacturer_of(raw: RawReading) -> str | None:
    """The brand as sold, from the identity objects of a raw reading (no vendor objects)."""
    sys_descr = _text(raw, mibs.SYS_DESCR)
    sys_object_id = as_oid(raw.scalars.get(mibs.SYS_OBJECT_ID))
    return identify_manufacturer(
        sys_object_id, sys_descr, _hr_descr(raw, _printer_index(raw)), None
    )


def _hr_descr(raw: RawReading, printer_index: int | None) -> str | None:
    """The printer row's description; a device without one (a scanner) has its first row's."""
    descriptions = raw.column(mibs.HR_DEVICE_DESCR)
    if printer_index is not None:
        return decode_text(descriptions.get((printer_index,)))
    return decode_text(next(iter(descriptions.values()), None))


def _printer_index(raw: RawReading) -> int | None:
    for suffix, value in raw.column(mibs.HR_DEVICE_TYPE).items():
        if value == mibs.HR_DEVICE_PRINTER and len(suffix) == 1:
            return suffix[0]
    return None


def _charset(raw: RawReading, selector: Oid) -> int | None:
    row = as_int(raw.scalars.get(selector))
    if row is None:
        return None
    for suffix, value in raw.column(mibs.PRT_LOCALIZATION_CHARSET).items():
        if suffix[-1:] == (row,):
            return as_int(value)
    return None


def _text(raw: RawReading, oid: Oid, charset: int | None = None) -> str | None:
    return decode_text(raw.scalars.get(oid), charset)


def _identity(raw: RawReading, hr_descr: str | None, charset: int | None) -> Identity:
    sys_descr = _text(raw, mibs.SYS_DESCR)
    sys_object_id = as_oid(raw.scalars.get(mibs.SYS_OBJECT_ID))
    manufacturer = identify_manufacturer(sys_object_id, sys_descr, hr_descr, None)
    vendor = (
        vendor_identity(raw.profile, raw.scalars, lambda v: unhex(decode_text(v)))
        if raw.profile is not None
        else {}
    )
    serial = usable_serial(unhex(_text(raw, mibs.PRT_GENERAL_SERIAL_NUMBER, charset)))
    serial = serial or vendor.get("serial")
    if serial is None and sys_descr:
        match = _SERIAL_IN_DESCR.search(sys_descr)
        serial = match.group(1) if match else None
    # model: 1284 MDL or hrDeviceDescr, then the vendor's model object, then sysDescr
    model = model_from(None, hr_descr, None, manufacturer)
    if model is None and vendor.get("model"):
        model = strip_brand(vendor["model"], manufacturer) or None
    return Identity(
        manufacturer=manufacturer,
        model=model or model_from(sys_descr, hr_descr, None, manufacturer),
        serial=serial,
        firmware=vendor.get("firmware"),
        asset_number=vendor.get("asset_number"),
        mac=_mac(raw),
        hostname=_text(raw, mibs.SYS_NAME),
        location=_text(raw, mibs.SYS_LOCATION),
        contact=_text(raw, mibs.SYS_CONTACT),
        sys_object_id=sys_object_id,
        sys_descr=sys_descr,
        uptime_s=uptime_seconds(raw.scalars.get(mibs.SYS_UPTIME)),
    )


def _mac(raw: RawReading) -> str | None:
    types = raw.column(mibs.IF_TYPE)
    candidates = sorted(
        raw.column(mibs.IF_PHYS_ADDRESS).items(),
        key=lambda item: as_int(types.get(item[0])) not in _ETHERNET_TYPES,
    )
    for _, value in candidates:
        mac = format_mac(value)
        if mac is not None:
            return mac
    return None


def _kind(
    raw: RawReading, printer_index: int | None, identity: Identity, hr_descr: str | None
) -> DeviceKind:
    printer_data = any(raw.column(oid) for oid in _SUPPLY_COLUMNS) or raw.column(
        mibs.PRT_MARKER_LIFE_COUNT
    )
    if printer_index is not None or printer_data:
        return DeviceKind.PRINTER
    text = " ".join(filter(None, (identity.sys_descr, hr_descr))).lower()
    if "print" in text or mibs.PRT_GENERAL_SERIAL_NUMBER in raw.scalars:
        return DeviceKind.PRINTER
    if any(hint in text for hint in mibs.HR_DEVICE_SCANNER_HINTS):
        return DeviceKind.SCANNER
    if is_printer_object(identity.sys_object_id):
        return DeviceKind.PRINTER
    return DeviceKind.OTHER


def decode_error_state(value: Value) -> tuple[str, ...]:
    """hrPrinterDetectedErrorState bits (1 or 2 octets, MSB first) as snake_case names."""
    if not isinstance(value, bytes):
        return ()
    names = []
    for bit, name in enumerate(mibs.ERROR_STATE_BITS):
        octet, shift = divmod(bit, 8)
        if octet < len(value) and value[octet] & (0x80 >> shift):
            names.append(name)
    return tuple(names)


def _status(
    raw: RawReading, printer_index: int | None, console_charset: int | None, charset: int | None
) -> Status:
    device = None
    if printer_index is not None:
        device_code = as_int(raw.column(mibs.HR_DEVICE_STATUS).get((printer_index,)))
        device = mibs.HR_DEVICE_STATUS_NAMES.get(device_code or 0)
    printer_code = as_int(raw.scalars.get(mibs.HR_PRINTER_STATUS))
    display = tuple(
        line
        for line in (
            decode_text(v, console_charset)
            for v in raw.column(mibs.PRT_CONSOLE_DISPLAY_TEXT).values()
        )
        if line
    )
    return Status(
        device=device,
        printer=mibs.HR_PRINTER_STATUS_NAMES.get(printer_code or 0),
        errors=decode_error_state(raw.scalars.get(mibs.HR_PRINTER_ERROR_STATE)),
        display=display,
        alerts=_alerts(raw, charset),
    )


def _alerts(raw: RawReading, charset: int | None) -> tuple[Alert, ...]:
    severities = raw.column(mibs.PRT_ALERT_SEVERITY)
    codes = raw.column(mibs.PRT_ALERT_CODE)
    descriptions = raw.column(mibs.PRT_ALERT_DESCRIPTION)
    alerts = []
    for suffix in dict.fromkeys([*severities, *codes]):
        severity = as_int(severities.get(suffix))
        code = as_int(codes.get(suffix))
        alerts.append(
            Alert(
                severity=mibs.ALERT_SEVERITY_NAMES.get(severity or 0, "other"),
                code=mibs.ALERT_CODE_NAMES.get(code or 0, "other"),
                description=decode_text(descriptions.get(suffix), charset),
            )
        )
    return tuple(alerts)


def supply_level(
    level: int | None, max_capacity: int | None, unit: int | None, supply_class: int | None
) -> tuple[int | None, SupplyState]:
    """Percentage (or None) and state of one supply row, by the Printer-MIB's rules."""
    del supply_class  # receptacle levels are free room: same arithmetic, documented meaning
    if level is None or level == -2:
        return None, SupplyState.UNKNOWN
    if level == -3:
        return None, SupplyState.SOME_REMAINING
    if level == -1:
        return None, SupplyState.OK
    if level < 0:
        return None, SupplyState.UNKNOWN
    capacity = max_capacity
    if unit == mibs.UNIT_PERCENT and (capacity is None or capacity <= 0):
        capacity = 100
    if capacity is None or capacity <= 0:
        return None, SupplyState.EMPTY if level == 0 else SupplyState.UNKNOWN
    percent = max(0, min(100, round(100 * level / capacity)))
    if level == 0:
        return 0, SupplyState.EMPTY
    return percent, SupplyState.LOW if percent <= LOW_PERCENT else SupplyState.OK


def _supplies(raw: RawReading, charset: int | None) -> tuple[Supply, ...]:
    """The supply rows, memoised by their raw values (they rarely change between polls)."""
    columns = tuple(raw.column(oid) for oid in _SUPPLY_COLUMNS)
    colorants = raw.column(mibs.PRT_COLORANT_VALUE)
    key = (charset, tuple(colorants.items()), *(tuple(c.items()) for c in columns))
    found = _SUPPLY_ROWS.get(key)
    if found is None:
        found = _SUPPLY_ROWS.put(key, _supply_rows(columns, colorants, charset))
    return found


def _supply_rows(
    columns: tuple[Column, ...], colorant_values: Column, charset: int | None
) -> tuple[Supply, ...]:
    colorant_index, classes, types, descriptions, units, maxima, levels = columns
    colorants = {suffix[-1]: decode_text(v) for suffix, v in colorant_values.items()}
    suffixes = dict.fromkeys(
        [*colorant_index, *classes, *types, *descriptions, *units, *maxima, *levels]
    )
    out = []
    for suffix in suffixes:
        level = as_int(levels.get(suffix))
        max_capacity = as_int(maxima.get(suffix))
        unit = as_int(units.get(suffix))
        supply_class = as_int(classes.get(suffix))
        description, serial = split_supply_serial(decode_text(descriptions.get(suffix), charset))
        kind = mibs.SUPPLY_TYPE_NAMES.get(as_int(types.get(suffix)) or 0, "other")
        percent, state = supply_level(level, max_capacity, unit, supply_class)
        color = _color(as_int(colorant_index.get(suffix)), colorants, kind, description)
        out.append(
            Supply(
                index=suffix[-1],
                description=description,
                kind=kind,
                color=color,
                level_percent=percent,
                state=state,
                level=level,
                max_capacity=max_capacity,
                unit=mibs.SUPPLY_UNIT_NAMES.get(unit or 0),
                supply_class=mibs.SUPPLY_CLASS_NAMES.get(supply_class or 0),
                serial=serial,
            )
        )
    return tuple(out)


_SUPPLY_COLUMNS: Final = (
    mibs.PRT_SUPPLIES_COLORANT_INDEX,
    mibs.PRT_SUPPLIES_CLASS,
    mibs.PRT_SUPPLIES_TYPE,
    mibs.PRT_SUPPLIES_DESCRIPTION,
    mibs.PRT_SUPPLIES_UNIT,
    mibs.PRT_SUPPLIES_MAX_CAPACITY,
    mibs.PRT_SUPPLIES_LEVEL,
)


def _color(
    colorant: int | None, colorants: dict[int, str | None], kind: str, description: str | None
) -> str | None:
    if colorant and colorant in colorants:
        name = colorants[colorant]
        return name.lower() if name else None
    if colorant == 0 or kind not in ("toner", "ink", "ink_cartridge", "toner_cartridge"):
        return None
    # no colorant table: infer from the description, only for marking supplies
    words = (description or "").lower()
    found = [c for c in _COLOR_WORDS if c in words]
    return found[0] if len(found) == 1 else None


def _counters(raw: RawReading) -> Counters:
    counts = raw.column(mibs.PRT_MARKER_LIFE_COUNT)
    units = raw.column(mibs.PRT_MARKER_COUNTER_UNIT)
    if not counts:
        return Counters()
    suffix, value = next(iter(counts.items()))
    count = as_int(value)
    unit = as_int(units.get(suffix))
    pages = count if count is not None and count >= 0 and unit in (*_PAGE_UNITS, None) else None
    return Counters(total=pages, unit=mibs.COUNTER_UNIT_NAMES.get(unit or 0))


def _vendor(
    raw: RawReading,
    profile: VendorProfile,
    supplies: tuple[Supply, ...],
    counters: Counters,
    charset: int | None,
) -> tuple[tuple[Supply, ...], Counters]:
    """Apply a vendor profile: its supply rules and its counters."""
    counts, anomalies = read_meters(profile, raw.scalars, raw.tables)

    def text(value: Value) -> str | None:
        return decode_text(value, charset)

    rows, more = vendor_supplies(profile, supplies, raw.scalars, raw.tables, text, LOW_PERCENT)
    return rows, merge_counters(profile, counters, counts, (*anomalies, *more))


def _trays(raw: RawReading, charset: int | None) -> tuple[Tray, ...]:
    """The input trays, memoised by their raw values like the supplies."""
    columns = tuple(raw.column(oid) for oid in _TRAY_COLUMNS)
    key = (charset, *(tuple(c.items()) for c in columns))
    found = _TRAY_ROWS.get(key)
    if found is None:
        found = _TRAY_ROWS.put(key, _tray_rows(columns, charset))
    return found


_TRAY_COLUMNS: Final = (
    mibs.PRT_INPUT_NAME,
    mibs.PRT_INPUT_MEDIA_NAME,
    mibs.PRT_INPUT_CURRENT_LEVEL,
    mibs.PRT_INPUT_MAX_CAPACITY,
)


def _tray_rows(columns: tuple[Column, ...], charset: int | None) -> tuple[Tray, ...]:
    names, media, levels, maxima = columns
    suffixes = dict.fromkeys([*names, *levels, *maxima])
    return tuple(
        Tray(
            index=s[-1],
            name=decode_text(names.get(s), charset),
            media=decode_text(media.get(s), charset),
            level=as_int(levels.get(s)),
            max_capacity=as_int(maxima.get(s)),
        )
        for s in suffixes
    )
