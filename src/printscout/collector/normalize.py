"""Raw SNMP answers to one :class:`~printscout.domain.reading.Reading`: pure, no I/O.

Identity, device kind, status, alerts and counters are read here; supply and tray rows by
:mod:`rows` (RFC 3805's level rules are documented there and in docs/reading.md). A vendor
profile, when the Reader found one, adds the vendor's identity fallbacks, counters and supply
rules (``protocols/snmp/vendors``; documented in docs/devices.md).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

from printscout.collector import rows
from printscout.collector.raw import RawReading, as_int, as_oid, uptime_seconds
from printscout.collector.rows import LOW_PERCENT
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
)
from printscout.protocols.snmp import mibs
from printscout.protocols.snmp.ber import Oid, Value
from printscout.protocols.snmp.vendors.base import VendorProfile
from printscout.protocols.snmp.vendors.codecs import usable_serial
from printscout.protocols.snmp.vendors.meters import (
    consistency,
    merge_counters,
    read_meters,
    vendor_identity,
)
from printscout.protocols.snmp.vendors.supplies import vendor_supplies

_PAGE_UNITS: Final = frozenset({7, 8})
_SERIAL_IN_DESCR: Final = re.compile(r"(?:\bS/?N\s*[:#]?\s*)([A-Za-z0-9-]{4,})")
_ETHERNET_TYPES: Final = frozenset({6, 62, 69, 117, 71})


def normalize(raw: RawReading) -> Reading:
    """Build the reading of one device from its raw answers."""
    printer_index = _printer_index(raw)
    charset = _charset(raw, mibs.PRT_GENERAL_CURRENT_LOCALIZATION)
    console_charset = _charset(raw, mibs.PRT_CONSOLE_LOCALIZATION) or charset
    hr_descr = _hr_descr(raw, printer_index)
    identity = _identity(raw, hr_descr, charset)
    supplies = rows.supplies(raw, charset)
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
        trays=rows.trays(raw, charset),
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
    printer_data = any(raw.column(oid) for oid in rows.SUPPLY_COLUMNS) or raw.column(
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
