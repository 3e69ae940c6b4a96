"""Webhook delivery log: the receiver's answer per attempt, and an index for ordered claiming.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery_attempts") as batch:
        batch.add_column(sa.Column("response_body", sa.Text, nullable=True))
    # The claim query asks "is an older delivery with this ordering key still pending?".
    op.create_index("ix_outbox_ordering", "outbox", ["ordering_key", "pk"])


def downgrade() -> None:
    op.drop_index("ix_outbox_ordering", "outbox")
    with op.batch_alter_table("delivery_attempts") as batch:
        batch.drop_column("response_body")
