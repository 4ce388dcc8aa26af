"""Who made a printer and what model it is, decided from several identity signals.

Pure functions over data tables; no I/O. The signals are the IANA enterprise number (PEN) in
sysObjectID, the IEEE 1284 Device ID (``MFG``/``MDL``), hrDeviceDescr of the printer row and
sysDescr. Brands are spelled as the scan-json contract lists them (the brand as sold).

Precedence, strongest first:

1. A rebadge brand named in any text (Savin, Develop, UTAX, Dell, ...) whose devices are built
   on the engine of the brand that the PEN or the 1284 ``MFG`` names. A Savin answers with
   Ricoh's PEN, so the PEN alone would say "Ricoh".
2. The 1284 ``MFG``: the print engine names its own maker.
3. A brand named in hrDeviceDescr of the printer row, which describes the printer itself.
4. The PEN of sysObjectID.
5. A brand named in sysDescr, then a product line (LaserJet, bizhub, ...) in any text.

sysDescr ranks below the PEN because on external print servers it names the network box, not
the printer: an HP JetDirect EX in front of a Kyocera reports "HP ETHERNET MULTI-ENVIRONMENT"
with Kyocera's PEN, and the printer is a Kyocera.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

from printscout.domain.manufacturer_tables import (
    DEVICE_ID_ALIASES,
    ENTERPRISE_BRANDS,
    GENERIC_DESCRIPTIONS,
    INTERFACE_DESCRIPTIONS,
    NAME_KEYWORDS,
    PRODUCT_LINES,
    REBADGES,
)

ENTERPRISE_PREFIX: Final = "1.3.6.1.4.1."

_SEPARATORS: Final = re.compile(r"[\s_-]+")
_WORD: Final = "(?<![0-9A-Za-z]){}(?![0-9A-Za-z])"
_LINE_WORD: Final = "(?<![0-9A-Za-z]){}(?![A-Za-z])"  # "e-STUDIO2505AC": digits may follow


def _fold(name: str) -> str:
    """Lower-case a name and drop spaces, hyphens and underscores, for table lookups."""
    return _SEPARATORS.sub("", name).casefold()


def _name_pattern(names: Iterable[str], word: str = _WORD) -> re.Pattern[str]:
    """Compile whole-word alternatives, longest first, tolerant of separators."""
    parts = [
        r"[\s_-]*".join(re.escape(piece) for piece in _SEPARATORS.split(name))
        for name in sorted(names, key=len, reverse=True)
    ]
    return re.compile(word.format("(?:" + "|".join(parts) + ")"), re.I)


_KEYWORD_BRANDS: Final = {_fold(k): v for k, v in NAME_KEYWORDS.items()}
_KEYWORD_PATTERN: Final = _name_pattern(NAME_KEYWORDS)
_LINE_BRANDS: Final = {_fold(k): v for k, v in PRODUCT_LINES.items()}
_LINE_PATTERN: Final = _name_pattern(PRODUCT_LINES, _LINE_WORD)


def parse_device_id(text: str) -> dict[str, str]:
    """Parse an IEEE 1284 Device ID into {upper-case short key: stripped value}."""
    fields: dict[str, str] = {}
    for segment in text.strip("\x00 \t\r\n").split(";"):
        key, colon, value = segment.partition(":")  # values may contain further colons
        key = " ".join(key.split()).upper()
        if not colon or not key:
            continue
        fields.setdefault(DEVICE_ID_ALIASES.get(key, key), value.strip(" \t\r\n\x00"))
    return fields


def _looks_like_device_id(text: str | None) -> bool:
    """Tell whether a description is really a whole 1284 Device ID (some firmware does this)."""
    if not text or ";" not in text:
        return False
    fields = parse_device_id(text)
    return "MFG" in fields or "MDL" in fields


def enterprise_number(sys_object_id: str | None) -> int | None:
    """Return the PEN from a sysObjectID such as "1.3.6.1.4.1.11.2.3.9.1" (leading dot allowed)."""
    if not sys_object_id:
        return None
    oid = sys_object_id.strip().lstrip(".")
    if not oid.startswith(ENTERPRISE_PREFIX):
        return None
    arc = oid[len(ENTERPRISE_PREFIX) :].split(".", 1)[0]
    return int(arc) if arc.isdigit() else None


def brand_for_enterprise(pen: int | None) -> str | None:
    """Return the brand that owns an enterprise number, if it is a known printer vendor."""
    return None if pen is None else ENTERPRISE_BRANDS.get(pen)


def engine_makers(brand: str) -> frozenset[str]:
    """Return the engine makers whose identity a rebadged brand's devices may carry."""
    return REBADGES.get(brand, frozenset())


def brand_in_text(text: str | None) -> str | None:
    """Return the brand named first in a free text, by whole-word name keywords."""
    if not text:
        return None
    match = _KEYWORD_PATTERN.search(text)
    return _KEYWORD_BRANDS[_fold(match.group(0))] if match else None


def _brand_by_product_line(text: str | None) -> str | None:
    """Return the brand implied by the first product-line name in a text."""
    if not text:
        return None
    match = _LINE_PATTERN.search(text)
    return _LINE_BRANDS[_fold(match.group(0))] if match else None


def _device_fields(hr_device_descr: str | None, device_id: str | None) -> dict[str, str]:
    """Return the 1284 fields from the Device ID, or from hrDeviceDescr when it holds one."""
    if device_id and device_id.strip():
        return parse_device_id(device_id)
    if _looks_like_device_id(hr_device_descr):
        return parse_device_id(hr_device_descr or "")
    return {}


@lru_cache(maxsize=4096)  # pure, and called with the same identity on every poll
def identify_manufacturer(
    sys_object_id: str | None,
    sys_descr: str | None,
    hr_device_descr: str | None,
    device_id: str | None,
) -> str | None:
    """Return the brand as sold, weighing PEN, 1284 MFG and descriptions (module docstring)."""
    fields = _device_fields(hr_device_descr, device_id)
    if _looks_like_device_id(hr_device_descr):
        hr_device_descr = None
    mfg_brand = brand_in_text(fields.get("MFG"))
    pen_brand = brand_for_enterprise(enterprise_number(sys_object_id))
    hr_brand = brand_in_text(hr_device_descr)
    sys_brand = brand_in_text(sys_descr)
    texts = (fields.get("MFG"), fields.get("MDL"), fields.get("DES"), hr_device_descr, sys_descr)
    engines = {brand for brand in (pen_brand, mfg_brand) if brand}
    for text in texts:
        named = brand_in_text(text)
        if named and engines & engine_makers(named):
            return named
    for brand in (mfg_brand, hr_brand, pen_brand, sys_brand):
        if brand:
            return brand
    for text in texts:
        brand = _brand_by_product_line(text)
        if brand:
            return brand
    return None


def _brand_prefixes(manufacturer: str) -> re.Pattern[str]:
    """Compile the names a model string may start with when it repeats the brand."""
    names = [k for k, v in NAME_KEYWORDS.items() if v.casefold() == manufacturer.casefold()]
    names.append(manufacturer)
    return _name_pattern(names)


def strip_brand(model: str, manufacturer: str | None) -> str:
    """Remove leading repetitions of the manufacturer's name from a model string."""
    model = " ".join(model.split())
    if not manufacturer:
        return model
    pattern = _brand_prefixes(manufacturer)
    while match := pattern.match(model):
        rest = model[match.end() :].lstrip(" _-")
        if not rest:
            break  # the whole string is the brand; keep it rather than return nothing
        model = rest
    return model


def _model_from_sys_descr(sys_descr: str) -> str | None:
    """Pick the model out of a sysDescr; None when it only describes a network interface."""
    product = re.search(r"\bPID:([^,;]+)", sys_descr)
    if product and brand_in_text(product.group(1)):
        return product.group(1)  # newer HP JetDirect firmware names the printer here
    text = sys_descr.strip()
    if any(pattern.search(text) for pattern in INTERFACE_DESCRIPTIONS):
        return None
    text = re.split(r";| /|,", text, maxsplit=1)[0]
    text = re.split(r"\s+(?:version|ver\.|firmware)\b", text, maxsplit=1, flags=re.I)[0]
    text = re.sub(r"\s+v?\d+(?:\.\d+)+$", "", text)  # Ricoh: "RICOH MP C2503 1.35"
    return text or None


def _usable_description(text: str | None) -> bool:
    """Tell whether an hrDeviceDescr names a model (not empty, generic or a 1284 id)."""
    return (
        bool(text)
        and not _looks_like_device_id(text)
        and not GENERIC_DESCRIPTIONS.match(text or "")
    )


@lru_cache(maxsize=4096)
def model_from(
    sys_descr: str | None,
    hr_device_descr: str | None,
    device_id: str | None,
    manufacturer: str | None,
) -> str | None:
    """Return the model: 1284 MDL, else hrDeviceDescr, else sysDescr; brand prefix removed."""
    fields = _device_fields(hr_device_descr, device_id)
    candidate = fields.get("MDL") or None
    if candidate is None and _usable_description(hr_device_descr):
        candidate = hr_device_descr
    if candidate is None and sys_descr:
        candidate = _model_from_sys_descr(sys_descr)
    if candidate is None:
        return None
    model = strip_brand(candidate.strip("\x00 \t\r\n"), manufacturer)
    return model or None


# sysObjectID prefixes under which (nearly) every device is a printer or MFP: a device that
# answers with one of them is a printer even when its recording lacks the Printer-MIB.
PRINTER_OBJECT_PREFIXES: Final = tuple(
    f"{ENTERPRISE_PREFIX}{p}."
    for p in (
        "11.2.3.9", "236.11", "253.8", "297", "367", "641", "674.10898", "1129", "1248",
        "1347", "1602", "2001", "2385", "2435", "10642", "683", "18334", "40093", "51966",
    )
)  # fmt: skip


def is_printer_object(sys_object_id: str | None) -> bool:
    """Whether the sysObjectID lies in a subtree that only printers use."""
    if not sys_object_id:
        return False
    return f"{sys_object_id.lstrip('.')}.".startswith(PRINTER_OBJECT_PREFIXES)
