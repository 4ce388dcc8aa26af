"""Integration API: access tokens.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Reserved in the chain so features developed side by side can each fill one revision."""


def downgrade() -> None:
    """Nothing to undo while the revision is empty."""
