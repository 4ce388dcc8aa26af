"""Server core: accounts, collectors, users, devices, supplies, readings, roll-ups.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
COUNTERS = ("total", "mono", "color", "print", "copy", "fax", "scan", "large")


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(name: str, target: str, ondelete: str = "CASCADE", **kw: object) -> sa.Column[object]:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target, ondelete=ondelete), **kw)  # type: ignore[arg-type]


def _text(name: str, length: int | None = None, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _counters() -> list[sa.Column[object]]:
    columns: list[sa.Column[object]] = [
        sa.Column(f"counter_{c}", sa.BigInteger(), nullable=True) for c in COUNTERS
    ]
    return [*columns, _text("counter_unit")]


def upgrade() -> None:
    """Create every table of the server core."""
    _accounts()
    _users()
    _devices()
    _history()
    _supplies()
    _readings()
    _rollups()


def _accounts() -> None:
    op.create_table(
        "dealers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        _time("created_at"),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("dealer_id", "dealers.id", nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        _time("created_at"),
        sa.UniqueConstraint("dealer_id", "name"),
    )
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("customer_id", "customers.id", nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        _time("created_at"),
        sa.UniqueConstraint("customer_id", "name"),
    )
    op.create_table(
        "collectors",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("public_id", sa.Uuid(), nullable=False, unique=True),
        _fk("site_id", "sites.id", nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("api_key_hash", sa.String(64), nullable=True, unique=True),
        _time("created_at"),
        _time("last_seen_at", nullable=True),
        _time("revoked_at", nullable=True),
    )
    op.create_index(op.f("ix_collectors_site_id"), "collectors", ["site_id"])


def _users() -> None:
    role = sa.Enum(
        "admin",
        "operator",
        "viewer",
        name="role",
        native_enum=False,
        create_constraint=True,
        length=16,
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("dealer_id", "dealers.id", nullable=False),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", role, nullable=False),
        sa.Column("all_customers", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        _time("created_at"),
        _time("disabled_at", nullable=True),
    )
    op.create_index(op.f("ix_users_dealer_id"), "users", ["dealer_id"])
    op.create_table(
        "user_customers",
        _fk("user_id", "users.id", primary_key=True),
        _fk("customer_id", "customers.id", primary_key=True),
    )
    op.create_index(op.f("ix_user_customers_customer_id"), "user_customers", ["customer_id"])


def _devices() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("dealer_id", "dealers.id", nullable=False),
        _fk("site_id", "sites.id", nullable=False),
        _fk("collector_id", "collectors.id", "SET NULL", nullable=True),
        _text("serial", 128),
        _text("mac", 17),
        _text("address", 255, nullable=False),
        _text("kind", 16, nullable=False),
        *(_text(name) for name in ("manufacturer", "model", "firmware", "hostname")),
        *(_text(name) for name in ("location", "contact", "asset_number", "sys_object_id")),
        _time("first_seen_at"),
        _time("last_seen_at"),
        sa.UniqueConstraint("dealer_id", "serial"),
        sa.UniqueConstraint("dealer_id", "mac"),
        postgresql_with={"fillfactor": 70},
    )
    op.create_index(op.f("ix_devices_site_id"), "devices", ["site_id"])
    op.create_index(op.f("ix_devices_collector_id_address"), "devices", ["collector_id", "address"])


def _history() -> None:
    op.create_table(
        "device_addresses",
        sa.Column("id", BIG_ID, primary_key=True),
        _fk("device_id", "devices.id", nullable=False),
        _fk("collector_id", "collectors.id", "SET NULL", nullable=True),
        _text("address", 255, nullable=False),
        _time("since"),
        _time("until", nullable=True),
    )
    op.create_index(
        op.f("ix_device_addresses_device_id_since"), "device_addresses", ["device_id", "since"]
    )
    op.create_index(
        op.f("ix_device_addresses_address_since"), "device_addresses", ["address", "since"]
    )
    op.create_table(
        "device_events",
        sa.Column("id", BIG_ID, primary_key=True),
        _fk("device_id", "devices.id", nullable=False),
        _time("at"),
        _text("kind", 32, nullable=False),
        _text("field", 32),
        _text("old"),
        _text("new"),
    )
    op.create_index(op.f("ix_device_events_device_id_at"), "device_events", ["device_id", "at"])


def _supplies() -> None:
    op.create_table(
        "supplies",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("device_id", "devices.id", nullable=False),
        sa.Column("supply_index", sa.Integer(), nullable=False),
        _text("kind", nullable=False),
        *(_text(name) for name in ("color", "description", "unit", "supply_class")),
        _text("level_source"),
        sa.Column("max_capacity", sa.Integer(), nullable=True),
        _text("serial"),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("level_percent", sa.Integer(), nullable=True),
        _text("state", 16, nullable=False),
        _time("first_seen_at"),
        _time("changed_at"),
        _time("installed_at", nullable=True),
        sa.UniqueConstraint("device_id", "supply_index"),
        postgresql_with={"fillfactor": 80},
    )
    op.create_index(op.f("ix_supplies_state_device_id"), "supplies", ["state", "device_id"])
    op.create_table(
        "supply_events",
        sa.Column("id", BIG_ID, primary_key=True),
        _fk("supply_id", "supplies.id", nullable=False),
        _fk("device_id", "devices.id", nullable=False),
        _time("observed_at"),
        _text("kind", 16, nullable=False),
        sa.Column("old_level_percent", sa.Integer(), nullable=True),
        sa.Column("new_level_percent", sa.Integer(), nullable=True),
        _text("old_serial"),
        _text("new_serial"),
        sa.Column("page_count", sa.BigInteger(), nullable=True),
    )
    op.create_index(
        op.f("ix_supply_events_device_id_observed_at"),
        "supply_events",
        ["device_id", "observed_at"],
    )
    op.create_index(op.f("ix_supply_events_supply_id"), "supply_events", ["supply_id"])


def _readings() -> None:
    op.create_table(
        "ingest_batches",
        sa.Column("batch_id", sa.Uuid(), primary_key=True),
        _fk("collector_id", "collectors.id", nullable=False),
        _time("created_at"),
        _time("received_at"),
        sa.Column("readings", sa.Integer(), nullable=False),
        _time("observed_from"),
        _time("observed_to"),
    )
    op.create_index(op.f("ix_ingest_batches_received_at"), "ingest_batches", ["received_at"])
    op.create_table(
        "readings",
        _fk("device_id", "devices.id", primary_key=True),
        sa.Column("observed_at", sa.DateTime(timezone=True), primary_key=True),
        _fk("collector_id", "collectors.id", "SET NULL", nullable=True),
        sa.Column("uptime_s", sa.BigInteger(), nullable=True),
        *_counters(),
        _text("device_status"),
        _text("printer_status"),
        sa.Column("counter_anomalies", JSON, nullable=True),
        *(sa.Column(n, JSON, nullable=False) for n in ("errors", "display", "alerts")),
        *(sa.Column(n, JSON, nullable=False) for n in ("supplies", "trays")),
    )
    op.create_index(
        op.f("ix_readings_observed_at"), "readings", ["observed_at"], postgresql_using="brin"
    )


def _rollups() -> None:
    op.create_table(
        "reading_days",
        _fk("device_id", "devices.id", primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("readings", sa.Integer(), nullable=False),
        _time("first_observed_at"),
        _time("last_observed_at"),
        *_counters(),
        sa.Column("pages", sa.BigInteger(), nullable=True),
        sa.Column("errors", JSON, nullable=False),
        sa.Column("supplies", JSON, nullable=False),
    )
    op.create_index(op.f("ix_reading_days_day"), "reading_days", ["day"])
    op.create_table(
        "meter_reads",
        _fk("device_id", "devices.id", primary_key=True),
        sa.Column("month", sa.Date(), primary_key=True),
        _time("observed_at"),
        *_counters(),
    )
    op.create_table(
        "rollup_marks",
        sa.Column("name", sa.String(32), primary_key=True),
        _time("done_before"),
    )


def downgrade() -> None:
    """Drop every table of the server core, dependants first."""
    for table in (
        "rollup_marks",
        "meter_reads",
        "reading_days",
        "readings",
        "ingest_batches",
        "supply_events",
        "supplies",
        "device_events",
        "device_addresses",
        "devices",
        "user_customers",
        "users",
        "collectors",
        "sites",
        "customers",
        "dealers",
    ):
        op.drop_table(table)
