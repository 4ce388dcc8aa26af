"""Web console: login sessions, login throttling, user preferences.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user(primary_key: bool = False) -> sa.Column[object]:
    return sa.Column(
        "user_id",
        sa.Integer(),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def upgrade() -> None:
    """Create the console's tables."""
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        _user(),
        sa.Column("csrf", sa.String(64), nullable=False),
        _time("created_at"),
        _time("expires_at"),
    )
    op.create_index(op.f("ix_console_sessions_user_id"), "console_sessions", ["user_id"])
    op.create_table(
        "login_throttles",
        sa.Column("email", sa.String(320), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        _time("last_failure_at"),
        _time("locked_until", nullable=True),
    )
    op.create_table(
        "user_preferences",
        _user(primary_key=True),
        sa.Column("language", sa.String(8), nullable=False),
    )


def downgrade() -> None:
    """Drop the console's tables."""
    for table in ("user_preferences", "login_throttles", "console_sessions"):
        op.drop_table(table)
