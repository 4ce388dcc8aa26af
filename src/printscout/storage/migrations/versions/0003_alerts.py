"""Alerts: rules, alert history, notification channels and deliveries, forecasts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TABLES = (
    "sweep_marks",
    "delivery_attempts",
    "deliveries",
    "notification_channels",
    "alert_events",
    "alerts",
    "alert_rules",
)


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(
    name: str, target: str, ondelete: str = "CASCADE", nullable: bool = False, big: bool = False
) -> sa.Column[object]:
    kind = sa.BigInteger() if big else sa.Integer()
    return sa.Column(name, kind, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


def _text(name: str, length: int | None = None, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def upgrade() -> None:
    """Create the alert tables."""
    _rules()
    _alerts()
    _deliveries()


def _rules() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("dealer_id", "dealers.id"),
        _fk("customer_id", "customers.id", nullable=True),
        _fk("site_id", "sites.id", nullable=True),
        _text("name", 200),
        _text("kind", 32),
        sa.Column("threshold", sa.Double(), nullable=True),
        sa.Column("errors", JSON, nullable=True),
        _text("severity", 16),
        sa.Column("renotify_minutes", sa.Integer(), nullable=True),
        sa.Column("clear_minutes", sa.Integer(), nullable=True),
        sa.Column("channel_ids", JSON, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        _time("created_at"),
    )
    op.create_index("ix_alert_rules_dealer_id", "alert_rules", ["dealer_id"])
    op.create_table(
        "notification_channels",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("dealer_id", "dealers.id"),
        _text("name", 200),
        _text("kind", 16),
        sa.Column("target", sa.Text(), nullable=False),
        _text("secret", 200, nullable=True),
        _time("created_at"),
    )
    op.create_index("ix_notification_channels_dealer_id", "notification_channels", ["dealer_id"])
    op.create_table(
        "sweep_marks",
        sa.Column("name", sa.String(32), primary_key=True),
        _time("ran_at"),
    )


def _alerts() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", BIG_ID, primary_key=True),
        _fk("rule_id", "alert_rules.id"),
        _fk("dealer_id", "dealers.id"),
        _fk("customer_id", "customers.id"),
        _fk("site_id", "sites.id"),
        _fk("device_id", "devices.id", nullable=True),
        _fk("collector_id", "collectors.id", nullable=True),
        _text("subject", 64),
        _text("condition", 64),
        _text("open_key", 200, nullable=True),
        _text("kind", 32),
        _text("severity", 16),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        _time("opened_at"),
        _time("updated_at"),
        _time("closed_at", True),
        _time("acknowledged_at", True),
        _fk("acknowledged_by", "users.id", "SET NULL", nullable=True),
        _time("notified_at", True),
        sa.Column("notifications", sa.Integer(), nullable=False),
        _time("cleared_at", True),
        sa.UniqueConstraint("open_key"),
    )
    op.create_index("ix_alerts_dealer_id_closed_at", "alerts", ["dealer_id", "closed_at"])
    op.create_index("ix_alerts_device_id", "alerts", ["device_id"])
    op.create_table(
        "alert_events",
        sa.Column("id", BIG_ID, primary_key=True),
        _fk("alert_id", "alerts.id", big=True),
        _time("at"),
        _text("kind", 16),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        _fk("user_id", "users.id", "SET NULL", nullable=True),
    )
    op.create_index("ix_alert_events_alert_id_at", "alert_events", ["alert_id", "at"])


def _deliveries() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", BIG_ID, primary_key=True),
        _fk("alert_id", "alerts.id", big=True),
        _fk("channel_id", "notification_channels.id"),
        _text("event", 16),
        sa.Column("payload", JSON, nullable=False),
        _text("state", 16),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _time("created_at"),
        _time("next_attempt_at"),
        _time("claimed_until", True),
        _time("finished_at", True),
    )
    op.create_index(
        "ix_deliveries_state_next_attempt_at", "deliveries", ["state", "next_attempt_at"]
    )
    op.create_index("ix_deliveries_alert_id", "deliveries", ["alert_id"])
    op.create_table(
        "delivery_attempts",
        sa.Column("id", BIG_ID, primary_key=True),
        _fk("delivery_id", "deliveries.id", big=True),
        _time("at"),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("ms", sa.Double(), nullable=False),
    )
    op.create_index("ix_delivery_attempts_delivery_id", "delivery_attempts", ["delivery_id"])


def downgrade() -> None:
    """Drop the alert tables."""
    for table in TABLES:
        op.drop_table(table)
