"""Readings: ingested batches, the raw time series, daily roll-ups and monthly meter reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, ForeignKey, Index, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from printscout.storage.base import Base, Json


class IngestBatch(Base):
    """A batch id already stored: a batch sent again is recognised and changes nothing."""

    __tablename__ = "ingest_batches"
    __table_args__ = (Index(None, "received_at"),)

    batch_id: Mapped[UUID] = mapped_column(primary_key=True)
    collector_id: Mapped[int] = mapped_column(ForeignKey("collectors.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    received_at: Mapped[datetime]
    readings: Mapped[int]
    observed_from: Mapped[datetime]
    observed_to: Mapped[datetime]


class MeterColumns:
    """The counters of a reading, kept alike in readings, daily roll-ups and month-end reads."""

    counter_total: Mapped[int | None] = mapped_column(BigInteger)
    counter_mono: Mapped[int | None] = mapped_column(BigInteger)
    counter_color: Mapped[int | None] = mapped_column(BigInteger)
    counter_print: Mapped[int | None] = mapped_column(BigInteger)
    counter_copy: Mapped[int | None] = mapped_column(BigInteger)
    counter_fax: Mapped[int | None] = mapped_column(BigInteger)
    counter_scan: Mapped[int | None] = mapped_column(BigInteger)
    counter_large: Mapped[int | None] = mapped_column(BigInteger)
    counter_unit: Mapped[str | None] = mapped_column(String())


class ReadingRecord(MeterColumns, Base):
    """One reading of one device: counters, status, errors and supply levels at a moment.

    The key is the device and the moment: no surrogate id, so each insert maintains one
    B-tree less, and a reading resent in another batch can never be stored twice.
    """

    __tablename__ = "readings"
    __table_args__ = (
        # Roll-up and purge scan by time. Readings arrive roughly in time order, so on
        # PostgreSQL a BRIN index (a few pages, nearly free to maintain) does it.
        Index(None, "observed_at", postgresql_using="brin"),
    )

    device_id: Mapped[int] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True
    )
    collector_id: Mapped[int | None] = mapped_column(
        ForeignKey("collectors.id", ondelete="SET NULL")
    )
    observed_at: Mapped[datetime] = mapped_column(primary_key=True)
    uptime_s: Mapped[int | None] = mapped_column(BigInteger)
    device_status: Mapped[str | None] = mapped_column(String())
    printer_status: Mapped[str | None] = mapped_column(String())
    # What the collector found wrong with the counters (None when nothing).
    counter_anomalies: Mapped[list[str] | None] = mapped_column(Json)
    errors: Mapped[list[str]] = mapped_column(Json)
    display: Mapped[list[str]] = mapped_column(Json)
    alerts: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    # [{"index", "level_percent", "state", "level", "serial"}]: the levels over time.
    supplies: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    trays: Mapped[list[dict[str, Any]]] = mapped_column(Json)


COUNTER_COLUMNS = (
    "counter_total",
    "counter_mono",
    "counter_color",
    "counter_print",
    "counter_copy",
    "counter_fax",
    "counter_scan",
    "counter_large",
)


class ReadingDay(MeterColumns, Base):
    """The roll-up of one device's readings over one UTC day; kept for years.

    Its counters are those of the day's last reading (the day's meter read).
    """

    __tablename__ = "reading_days"
    __table_args__ = (Index(None, "day"),)

    device_id: Mapped[int] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    readings: Mapped[int]
    first_observed_at: Mapped[datetime]
    last_observed_at: Mapped[datetime]
    # Sum of the increases of the total counter between the day's readings (resets ignored).
    pages: Mapped[int | None] = mapped_column(BigInteger)
    errors: Mapped[list[str]] = mapped_column(Json)
    supplies: Mapped[list[dict[str, Any]]] = mapped_column(Json)


class MeterRead(MeterColumns, Base):
    """The last reading of a device in a calendar month (UTC): what billing uses. Kept forever."""

    __tablename__ = "meter_reads"

    device_id: Mapped[int] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(primary_key=True)
    observed_at: Mapped[datetime]


class RollupMark(Base):
    """How far the roll-up has read: batches received before ``done_before`` are rolled up."""

    __tablename__ = "rollup_marks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    done_before: Mapped[datetime]


def latest_readings(session: Session, device_ids: Sequence[int]) -> dict[int, ReadingRecord]:
    """The newest reading of each device given (one index probe per device)."""
    newest = (
        select(ReadingRecord.device_id, func.max(ReadingRecord.observed_at).label("at"))
        .where(ReadingRecord.device_id.in_(list(device_ids)))
        .group_by(ReadingRecord.device_id)
        .subquery()
    )
    rows = session.scalars(
        select(ReadingRecord).join(
            newest,
            (ReadingRecord.device_id == newest.c.device_id)
            & (ReadingRecord.observed_at == newest.c.at),
        )
    )
    return {r.device_id: r for r in rows}


def readings_between(
    session: Session, device_id: int, start: datetime, end: datetime
) -> list[ReadingRecord]:
    """A device's readings with ``start <= observed_at < end``, oldest first."""
    return list(
        session.scalars(
            select(ReadingRecord)
            .where(
                ReadingRecord.device_id == device_id,
                ReadingRecord.observed_at >= start,
                ReadingRecord.observed_at < end,
            )
            .order_by(ReadingRecord.observed_at)
        )
    )


def days_between(session: Session, device_id: int, first: date, last: date) -> list[ReadingDay]:
    """A device's daily roll-ups from ``first`` to ``last`` inclusive."""
    return list(
        session.scalars(
            select(ReadingDay)
            .where(ReadingDay.device_id == device_id, ReadingDay.day.between(first, last))
            .order_by(ReadingDay.day)
        )
    )


def meter_reads(session: Session, device_ids: Sequence[int], month: date) -> list[MeterRead]:
    """The month-end meter reads of the devices for the month starting ``month``."""
    return list(
        session.scalars(
            select(MeterRead)
            .where(MeterRead.device_id.in_(list(device_ids)), MeterRead.month == month)
            .order_by(MeterRead.device_id)
        )
    )
