"""Collector service: enrolment tokens, certificates, schedules, commands, check-ins.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TABLES = (
    "collector_events",
    "collector_checkins",
    "collector_commands",
    "site_ranges",
    "site_schedules",
    "collector_certificates",
    "enrolment_tokens",
)


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(name: str, target: str, ondelete: str = "CASCADE", **kw: object) -> sa.Column[object]:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target, ondelete=ondelete), **kw)  # type: ignore[arg-type]


def upgrade() -> None:
    """Create the collector service's tables."""
    op.create_table(
        "enrolment_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        _fk("site_id", "sites.id", nullable=False),
        _time("created_at"),
        _time("expires_at"),
        _time("used_at", nullable=True),
        _fk("collector_id", "collectors.id", ondelete="SET NULL", nullable=True),
    )
    op.create_index(op.f("ix_enrolment_tokens_site_id"), "enrolment_tokens", ["site_id"])
    op.create_table(
        "collector_certificates",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("collector_id", "collectors.id", nullable=False),
        sa.Column("serial", sa.String(40), nullable=False, unique=True),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        _time("not_after"),
        _time("created_at"),
        _time("revoked_at", nullable=True),
        sa.Column("pem", sa.Text(), nullable=True),
    )
    op.create_index(
        op.f("ix_collector_certificates_collector_id"), "collector_certificates", ["collector_id"]
    )
    _schedules()
    _commands()


def _schedules() -> None:
    op.create_table(
        "site_schedules",
        _fk("site_id", "sites.id", primary_key=True),
        sa.Column("discover_every_s", sa.Integer(), nullable=False),
        sa.Column("poll_every_s", sa.Integer(), nullable=False),
        sa.Column("identity_every_s", sa.Integer(), nullable=False),
        sa.Column("mask_addresses", sa.Boolean(), nullable=False),
        _time("updated_at"),
    )
    op.create_table(
        "site_ranges",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("site_id", "sites.id", nullable=False),
        sa.Column("targets", sa.Text(), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("credentials", sa.Text(), nullable=False),
        _time("created_at"),
    )
    op.create_index(op.f("ix_site_ranges_site_id"), "site_ranges", ["site_id"])


def _commands() -> None:
    op.create_table(
        "collector_commands",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("collector_id", "collectors.id", nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        _time("created_at"),
        _time("delivered_at", nullable=True),
        _time("done_at", nullable=True),
        sa.Column("result", JSON, nullable=True),
    )
    op.create_index(
        op.f("ix_collector_commands_collector_id"), "collector_commands", ["collector_id"]
    )
    op.create_table(
        "collector_checkins",
        _fk("collector_id", "collectors.id", primary_key=True),
        _time("at"),
        sa.Column("report", JSON, nullable=False),
    )
    op.create_table(
        "collector_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("collector_id", "collectors.id", nullable=False),
        _time("at"),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("detail", JSON, nullable=False),
    )
    op.create_index(op.f("ix_collector_events_collector_id"), "collector_events", ["collector_id"])


def downgrade() -> None:
    """Drop the collector service's tables, dependants first."""
    for table in TABLES:
        op.drop_table(table)
