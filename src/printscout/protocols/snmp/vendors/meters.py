"""Meter reads: a profile's counters from raw answers, and the checks every reading gets.

Pure functions over the raw values of one poll. A counter the device did not give stays absent;
a blob that fails its check gives no counters and an anomaly; counters that contradict each
other (colour above total) or the device's previous reading (a count that went down) are
reported as they are, with an anomaly naming what is wrong, never silently corrected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Final

from printscout.domain.reading import Counters
from printscout.protocols.snmp.ber import Oid, Value
from printscout.protocols.snmp.vendors.base import COUNTER_KINDS, CounterTable, VendorProfile
from printscout.protocols.snmp.vendors.codecs import label, number, parse_records, usable_serial

Column = Mapping[Oid, Value]
# The parts of a total that cannot be larger than it.
_PARTS_OF_TOTAL: Final = ("mono", "color", "print", "copy", "large")


def read_meters(
    profile: VendorProfile, objects: Mapping[Oid, Value], tables: Mapping[Oid, Column]
) -> tuple[dict[str, int], list[str]]:
    """The profile's counters (kind -> count) and the anomalies met reading them."""
    counts: dict[str, int] = {}
    anomalies: list[str] = []
    for counter in profile.counters:
        if counter.kind in counts:
            continue
        parts = [number(objects.get(part)) for part in counter.parts]
        if parts and all(p is not None for p in parts):
            counts[counter.kind] = sum(p for p in parts if p is not None)
    blobs: dict[Oid, dict[int, int]] = {}
    for record in profile.record_counters:
        if record.blob not in blobs:
            decoded = parse_records(objects.get(record.blob))
            blobs[record.blob] = decoded.values
            if decoded.problem not in (None, "missing"):
                anomalies.append(f"counter_records_rejected:{decoded.problem}")
        found = blobs[record.blob].get(record.code)
        if found is not None:
            counts.setdefault(record.kind, found)
    for table in profile.counter_tables:
        for kind, count in _table_counts(table, tables).items():
            counts.setdefault(kind, count)
    return counts, anomalies


def _table_counts(table: CounterTable, tables: Mapping[Oid, Column]) -> dict[str, int]:
    """Sum each kind over the rows whose key the table maps to it."""
    values = tables.get(table.values)
    if not values:
        return {}
    key_columns = [tables.get(column) or {} for column in table.key_columns]
    by_key = table.kinds_by_key
    sums: dict[str, int] = {}
    for suffix, value in values.items():
        key = tuple(label(c.get(suffix)) for c in key_columns) if key_columns else suffix
        kinds = by_key.get(key)  # type: ignore[arg-type]  # None in a key never matches
        if kinds is None:
            continue
        count = number(value)
        if count is None:
            continue
        for kind in kinds:
            sums[kind] = sums.get(kind, 0) + count
    return sums


def consistency(counters: Counters, same_unit: bool = True) -> tuple[str, ...]:
    """Anomalies within one reading: a part of the total (colour, mono...) above the total.

    Not judged when the parts are in another unit than the total (``same_unit`` False:
    Ricoh's vendor counts against prtMarkerLifeCount in sheets).
    """
    total = counters.total
    if total is None or not same_unit:
        return ()
    return tuple(
        f"{kind}_exceeds_total"
        for kind in _PARTS_OF_TOTAL
        if (value := getattr(counters, kind)) is not None and value > total
    )


def went_backwards(previous: Counters, current: Counters) -> tuple[str, ...]:
    """Anomalies against the same device's previous reading: counters that went down."""
    out = []
    for kind in COUNTER_KINDS:
        before, now = getattr(previous, kind), getattr(current, kind)
        if before is not None and now is not None and now < before:
            out.append(f"{kind}_went_backwards")
    return tuple(out)


def merge_counters(
    profile: VendorProfile,
    counters: Counters,
    counts: Mapping[str, int],
    anomalies: tuple[str, ...],
) -> Counters:
    """The standard counters with the vendor's added. The vendor's total wins where the
    profile prefers it (the number the device's own status page shows) and its unit is known,
    and stands in wherever prtMarkerLifeCount gives no page total."""
    if not counts and not anomalies:
        return counters
    total, unit = counters.total, counters.unit
    vendor_total = counts.get("total")
    preferred = profile.vendor_total_first and profile.counter_unit is not None
    if vendor_total is not None and (preferred or total is None):
        total, unit = vendor_total, profile.counter_unit
    merged = replace(
        counters,
        total=total,
        unit=unit,
        mono=counts.get("mono", counters.mono),
        color=counts.get("color", counters.color),
        print=counts.get("print", counters.print),
        copy=counts.get("copy", counters.copy),
        fax=counts.get("fax", counters.fax),
        scan=counts.get("scan", counters.scan),
        large=counts.get("large", counters.large),
    )
    return replace(merged, anomalies=(*counters.anomalies, *anomalies))


def vendor_identity(
    profile: VendorProfile, objects: Mapping[Oid, Value], text: Callable[[Value], str | None]
) -> dict[str, str]:
    """The profile's identity objects the device answered: the first answer per field."""
    out: dict[str, str] = {}
    for item in profile.identity:
        if item.field in out:
            continue
        value = text(objects.get(item.oid))
        if item.field == "serial":
            value = usable_serial(value)
        if value:
            out[item.field] = value
    return out
