"""Collector service: enrolment tokens, certificates, schedules, commands, check-ins.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Reserved in the chain so features developed side by side can each fill one revision."""


def downgrade() -> None:
    """Nothing to undo while the revision is empty."""
