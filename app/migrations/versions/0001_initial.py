"""The resources document table and the webhook outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Key = sa.String(100).with_variant(sa.String(100, collation="C"), "postgresql")
Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "resources",
        sa.Column("pk", Seq, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("scope", Key, nullable=False, server_default=""),
        sa.Column("id", Key, nullable=False),
        sa.Column("doc", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("uniq", sa.String(300), nullable=True),
        sa.UniqueConstraint("kind", "scope", "id", name="uq_resources_kind_scope_id"),
    )
    op.create_index("ix_resources_uniq", "resources", ["uniq"], unique=True)
    op.create_index("ix_resources_kind_id", "resources", ["kind", "id"])
    op.create_table(
        "outbox",
        sa.Column("pk", Seq, primary_key=True, autoincrement=True),
        sa.Column("webhook_id", Key, nullable=False),
        sa.Column("delivery_id", sa.String(40), nullable=False, unique=True),
        sa.Column("ordering_key", sa.String(200), nullable=True),
        sa.Column("status", sa.String(20), nullable=False, server_default="Pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_webhook", "outbox", ["webhook_id", "pk"])
    op.create_table(
        "delivery_attempts",
        sa.Column("pk", Seq, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.String(40), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
    )
    op.create_index("ix_delivery_attempts_delivery_id", "delivery_attempts", ["delivery_id"])


def downgrade() -> None:
    op.drop_table("delivery_attempts")
    op.drop_table("outbox")
    op.drop_table("resources")
