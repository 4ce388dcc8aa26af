"""IPP printer attributes → a partial :class:`~printscout.domain.reading.Reading` (pure), and
``read_ipp`` that polls one printer with the IPP client.

The vocabulary is the one SNMP readings use, so that the two can be merged
(:mod:`printscout.collector.merge`); docs/ipp.md has the full mapping. What the printer does
not say stays ``None``: IPP has no MAC, contact or sysObjectID, and the printer-uuid is an
identifier, not a serial number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from printscout.collector.rows import supply_level
from printscout.collector.text import decode_text
from printscout.domain.manufacturers import identify_manufacturer, model_from, parse_device_id
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
from printscout.protocols.ipp.client import DEFAULT_PORT, IppClient
from printscout.protocols.ipp.values import AttributeGroup, Collection, OctetString
from printscout.protocols.snmp import mibs

# printer-state → the hrPrinterStatus names of status.printer (scan-json contract)
PRINTER_STATES: Final = {3: "idle", 4: "printing", 5: "other"}
STOPPED: Final = 5
# printer-state-reasons keyword (severity suffix removed) → hrPrinterDetectedErrorState name
REASON_ERRORS: Final = {
    "media-low": "low_paper",
    "media-empty": "no_paper",
    "toner-low": "low_toner",
    "marker-supply-low": "low_toner",
    "toner-empty": "no_toner",
    "marker-supply-empty": "no_toner",
    "door-open": "door_open",
    "media-jam": "jammed",
    "offline": "offline",
    "input-tray-missing": "input_tray_missing",
    "output-tray-missing": "output_tray_missing",
    "marker-supply-missing": "marker_supply_missing",
    "output-area-almost-full": "output_near_full",
    "output-area-full": "output_full",
}
SEVERITY_SUFFIXES: Final = ("-error", "-warning", "-report")
# marker-colors → colorant names as prtMarkerColorantValue spells them
MARKER_COLORS: Final = {
    "#000000": "black",
    "#00FFFF": "cyan",
    "#FF00FF": "magenta",
    "#FFFF00": "yellow",
    "#FF0000": "red",
    "#00FF00": "green",
    "#0000FF": "blue",
    "#FFFFFF": "white",
}
SUPPLY_CLASSES: Final = {
    "supplyThatIsConsumed": "consumed",
    "receptacleThatIsFilled": "receptacle",
    "other": "other",
}
ALERT_SEVERITIES: Final = {
    "critical": "critical",
    "warning": "warning",
    "warningBinaryChangeEvent": "warning_binary_change",
    "other": "other",
}
NO_COLOR: Final = frozenset({"", "none", "unknown", "#none"})
LEVEL_SOURCE_SUPPLY: Final = "ipp_printer_supply"  # Supply.level_source of each IPP source
LEVEL_SOURCE_MARKER: Final = "ipp_marker"
MAX_UPTIME_S: Final = 10 * 365 * 86400  # beyond this printer-up-time is an epoch time (CUPS)
_CAMEL: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


async def read_ipp(
    client: IppClient, address: str, port: int = DEFAULT_PORT, *, tls: bool = False
) -> Reading:
    """Get-Printer-Attributes from one printer, as a reading."""
    response = await client.get_printer_attributes(address, port, tls=tls)
    return ipp_reading(address, response.attributes)


def ipp_reading(address: str, attributes: AttributeGroup) -> Reading:
    """The reading of one printer from its printer attributes."""
    return Reading(
        address=address,
        kind=DeviceKind.PRINTER,
        identity=_identity(attributes),
        status=_status(attributes),
        supplies=ipp_supplies(attributes),
        counters=_counters(attributes),
        trays=_trays(attributes),
    )


def _text(value: str | None) -> str | None:
    return decode_text(value) if value is not None else None


def _first(attributes: AttributeGroup, *names: str) -> str | None:
    """The first non-empty cleaned string among ``names``."""
    for name in names:
        text = _text(attributes.string(name))
        if text:
            return text
    return None


def _identity(attributes: AttributeGroup) -> Identity:
    device_id = _first(attributes, "printer-device-id")
    make_and_model = _first(attributes, "printer-make-and-model")
    manufacturer = identify_manufacturer(None, None, make_and_model, device_id)
    fields = parse_device_id(device_id) if device_id else {}
    uptime = attributes.integer("printer-up-time")
    return Identity(
        manufacturer=manufacturer,
        model=model_from(None, make_and_model, device_id, manufacturer),
        serial=_text(fields.get("SN")) or _first(attributes, "printer-serial-number"),
        firmware=_firmware(attributes),
        hostname=_first(attributes, "printer-dns-sd-name", "printer-name"),
        location=_first(attributes, "printer-location"),
        uptime_s=uptime if uptime is not None and 0 <= uptime < MAX_UPTIME_S else None,
    )


def _firmware(attributes: AttributeGroup) -> str | None:
    """printer-firmware-string-version (named per component when there are several)."""
    versions = [v for v in map(_text, attributes.strings("printer-firmware-string-version")) if v]
    if not versions:
        raw = attributes.get("printer-firmware-version")
        for value in raw.values if raw else ():
            # octetString: use it only when it is printable text, never as invented dotted bytes
            if isinstance(value, OctetString) and value.value.isascii():
                text = _text(value.value.decode("ascii"))
                if text and text.isprintable():
                    versions.append(text)
    if len(versions) <= 1:
        return versions[0] if versions else None
    names = [_text(n) for n in attributes.strings("printer-firmware-name")]
    if len(names) == len(versions):
        return "; ".join(f"{n}: {v}" if n else v for n, v in zip(names, versions, strict=True))
    return "; ".join(versions)


def split_reason(keyword: str) -> tuple[str, str]:
    """A printer-state-reasons keyword as (condition, severity); no suffix means error."""
    for suffix in SEVERITY_SUFFIXES:
        if keyword.endswith(suffix) and len(keyword) > len(suffix):
            return keyword[: -len(suffix)], suffix[1:]
    return keyword, "error"


def _status(attributes: AttributeGroup) -> Status:
    state = attributes.integer("printer-state")
    errors: dict[str, None] = {}
    severities = set()
    for keyword in attributes.strings("printer-state-reasons"):
        condition, severity = split_reason(keyword.strip().lower())
        if condition and condition != "none":
            errors[REASON_ERRORS.get(condition, condition)] = None
            severities.add(severity)
    if state is None:
        device = None
    elif state == STOPPED:
        device = "down"
    else:
        device = "warning" if severities & {"error", "warning"} else "running"
    message = _first(attributes, "printer-state-message")
    return Status(
        device=device,
        printer=PRINTER_STATES.get(state or 0, "unknown" if state is not None else None),
        errors=tuple(errors),
        display=(message,) if message else (),
        alerts=_alerts(attributes),
    )


def parse_key_values(text: str) -> dict[str, str]:
    """PWG ``key=value;key=value;`` strings (printer-supply, printer-alert, trays)."""
    out: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if sep and key.strip():
            out.setdefault(key.strip().lower(), value.strip())
    return out


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    return int(text) if text.lstrip("-").isdigit() and len(text) < 12 else None


def _alerts(attributes: AttributeGroup) -> tuple[Alert, ...]:
    descriptions = attributes.strings("printer-alert-description")
    alerts = []
    for n, entry in enumerate(attributes.strings("printer-alert")):
        fields = parse_key_values(entry)
        severity = fields.get("severity", "other")
        alerts.append(
            Alert(
                severity=ALERT_SEVERITIES.get(severity, severity.lower() or "other"),
                code=fields.get("code") or "other",
                description=_text(descriptions[n]) if n < len(descriptions) else None,
            )
        )
    return tuple(alerts)


def _snake(word: str | None) -> str | None:
    """``tonerCartridge`` / ``toner-cartridge`` → ``toner_cartridge``."""
    if not word or not word.strip():
        return None
    return _CAMEL.sub("_", word.strip()).replace("-", "_").lower()


def ipp_supplies(attributes: AttributeGroup) -> tuple[Supply, ...]:
    """Supplies from printer-supply when the printer gives it, else from marker-*."""
    entries = attributes.strings("printer-supply")
    if entries:
        return _printer_supply(entries, attributes.strings("printer-supply-description"))
    return _markers(attributes)


def _printer_supply(entries: Sequence[str], descriptions: Sequence[str]) -> tuple[Supply, ...]:
    """printer-supply mirrors prtMarkerSuppliesTable, so its levels mean what the MIB says."""
    supplies = []
    for n, entry in enumerate(entries):
        fields = parse_key_values(entry)
        level, max_capacity = _int(fields.get("level")), _int(fields.get("maxcapacity"))
        unit = _snake(fields.get("unit"))
        unit_code = mibs.UNIT_PERCENT if unit == "percent" else None
        percent, state = supply_level(level, max_capacity, unit_code, None)
        colorant = fields.get("colorantname", "").strip().lower()
        supplies.append(
            Supply(
                index=_int(fields.get("index")) or n + 1,
                description=_text(descriptions[n]) if n < len(descriptions) else None,
                kind=_snake(fields.get("type")) or "other",
                color=None if colorant in NO_COLOR else colorant,
                level_percent=percent,
                state=state,
                level=level,
                max_capacity=max_capacity,
                unit=unit,
                supply_class=SUPPLY_CLASSES.get(fields.get("class", ""), None),
                level_source=LEVEL_SOURCE_SUPPLY,
            )
        )
    return tuple(supplies)


def _markers(attributes: AttributeGroup) -> tuple[Supply, ...]:
    """marker-* (CUPS/AirPrint): levels are percentages; waste levels count what is filled."""
    names = attributes.strings("marker-names")
    colors = attributes.strings("marker-colors")
    types = attributes.strings("marker-types")
    levels = attributes.integers("marker-levels")
    supplies = []
    for n in range(max(len(names), len(levels))):
        kind = _snake(types[n]) if n < len(types) else None
        receptacle = bool(kind and kind.startswith("waste_"))
        level = levels[n] if n < len(levels) else None
        if level is not None and level >= 0 and receptacle:
            level = 100 - min(level, 100)  # back to the MIB's meaning: the room still free
        if level == -1:  # IPP: "unavailable", not the MIB's "no restriction"
            percent, state = None, SupplyState.UNKNOWN
        else:
            percent, state = supply_level(level, 100, mibs.UNIT_PERCENT, None)
        supplies.append(
            Supply(
                index=n + 1,
                description=_text(names[n]) if n < len(names) else None,
                kind=kind or "other",
                color=_marker_color(colors[n]) if n < len(colors) else None,
                level_percent=percent,
                state=state,
                level=level,
                max_capacity=100 if level is not None else None,
                unit="percent" if level is not None else None,
                supply_class="receptacle" if receptacle else None,
                level_source=LEVEL_SOURCE_MARKER,
            )
        )
    return tuple(supplies)


def _marker_color(value: str) -> str | None:
    """``#00FFFF`` → cyan; several colours in one value (a tri-colour cartridge) → None."""
    text = value.strip().upper()
    if text.lower() in NO_COLOR or text.count("#") > 1:
        return None
    return MARKER_COLORS.get(text, text.lower())


def _counters(attributes: AttributeGroup) -> Counters:
    total = attributes.integer("printer-impressions-completed")
    if total is None:
        total = attributes.integer("impressions-completed")
    mono = color = None
    split = attributes.get("printer-impressions-completed-col")
    if split and isinstance(split.values[0], Collection):
        members = split.values[0]
        mono = _member(members, "monochrome")
        color = _member(members, "full-color")
    total = total if total is not None and total >= 0 else None
    found = (total, mono, color) != (None, None, None)
    return Counters(total=total, mono=mono, color=color, unit="impressions" if found else None)


def _member(collection: Collection, name: str) -> int | None:
    member = collection.get(name)
    values = member.integers() if member else ()
    return values[0] if values and values[0] >= 0 else None


def _trays(attributes: AttributeGroup) -> tuple[Tray, ...]:
    """printer-input-tray mirrors prtInputTable: raw levels (-2 unknown, -3 some remaining)."""
    trays = []
    for n, entry in enumerate(attributes.strings("printer-input-tray")):
        fields = parse_key_values(entry)
        trays.append(
            Tray(
                index=n + 1,
                name=_text(fields.get("name")),
                media=_text(fields.get("medianame")),
                level=_int(fields.get("level")),
                max_capacity=_int(fields.get("maxcapacity")),
            )
        )
    return tuple(trays)
