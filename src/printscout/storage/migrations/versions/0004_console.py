"""Web console: login sessions, login throttling, user preferences.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Reserved in the chain so features developed side by side can each fill one revision."""


def downgrade() -> None:
    """Nothing to undo while the revision is empty."""
