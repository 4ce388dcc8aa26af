"""Alerts: rules, alerts with their history, notification channels, the delivery outbox and log.

Several servers may evaluate the same device at once, so the database decides: an open alert
holds ``open_key`` (rule, subject, condition), which is unique, and is set to NULL when the
alert closes; an INSERT that finds the key taken does nothing. Deliveries are an outbox written
in the same transaction as the alert change, claimed by one sender at a time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from printscout.storage.base import Base, BigId, Json, utcnow


class AlertRule(Base):
    """A condition to watch on a dealer's devices or collectors, optionally one customer's or
    one site's; ``threshold`` means percent, days or minutes depending on ``kind``."""

    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealers.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    threshold: Mapped[float | None]
    # Error names for device_error rules (None: the default set); unused by other kinds.
    errors: Mapped[list[str] | None] = mapped_column(Json)
    severity: Mapped[str] = mapped_column(String(16), default="warning")
    # Notify again while the alert stays open, every so many minutes (None: once).
    renotify_minutes: Mapped[int | None]
    # Close only after the condition has been gone this long (None: at once): no flapping.
    clear_minutes: Mapped[int | None]
    channel_ids: Mapped[list[int]] = mapped_column(Json, default=list)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertRecord(Base):
    """One alert: opened when a rule's condition starts, closed when it ends."""

    __tablename__ = "alerts"
    __table_args__ = (Index(None, "dealer_id", "closed_at"), Index(None, "device_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"))
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealers.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    collector_id: Mapped[int | None] = mapped_column(
        ForeignKey("collectors.id", ondelete="CASCADE")
    )
    subject: Mapped[str] = mapped_column(String(64))
    condition: Mapped[str] = mapped_column(String(64))
    # "<rule>|<subject>|<condition>" while open, NULL once closed: one open alert per condition.
    open_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None]
    opened_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    notified_at: Mapped[datetime | None]
    notifications: Mapped[int] = mapped_column(default=0)
    # Since when the condition has been gone while the alert waits out the rule's clear_minutes.
    cleared_at: Mapped[datetime | None]


class AlertEvent(Base):
    """The history of an alert: opened, updated, renotified, acknowledged, closed."""

    __tablename__ = "alert_events"
    __table_args__ = (Index(None, "alert_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    alert_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("alerts.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class NotificationChannel(Base):
    """Where notifications go: an email address list or a webhook URL with its signing secret."""

    __tablename__ = "notification_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(Text)
    secret: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One notification to send to one channel (the outbox), and how it went."""

    __tablename__ = "deliveries"
    __table_args__ = (Index(None, "state", "next_attempt_at"), Index(None, "alert_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    alert_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("alerts.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("notification_channels.id", ondelete="CASCADE")
    )
    event: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    # pending → delivered | failed (attempts exhausted or a permanent refusal)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    # A sender owns the delivery until then; another may take it over after a crash.
    claimed_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class DeliveryAttempt(Base):
    """The delivery log: every attempt with its outcome."""

    __tablename__ = "delivery_attempts"
    __table_args__ = (Index(None, "delivery_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("deliveries.id", ondelete="CASCADE")
    )
    at: Mapped[datetime]
    ok: Mapped[bool]
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    ms: Mapped[float]


class SweepMark(Base):
    """When a periodic job last ran: the server that moves the mark runs it, the others skip."""

    __tablename__ = "sweep_marks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    ran_at: Mapped[datetime]
