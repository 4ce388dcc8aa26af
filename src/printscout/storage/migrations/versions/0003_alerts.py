"""Alerts: rules, alert history, notification channels and deliveries, forecasts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Reserved in the chain so features developed side by side can each fill one revision."""


def downgrade() -> None:
    """Nothing to undo while the revision is empty."""
