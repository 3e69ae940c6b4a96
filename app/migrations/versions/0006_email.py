"""Outbox rows carry a kind: `webhook` (every row so far), `email` (a notification sent over SMTP)
or `message` (a notification posted to a message sender's URL). One queue, one worker, one
delivery log for all of them (docs/notifications.md).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("kind", sa.String(20), nullable=False, server_default="webhook"))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("kind")
