"""The schema. Every OrderCloud resource is a JSON document in `resources`, keyed by
(kind, scope, id): `scope` is the parent the ID is unique within (the buyer of a user, the order
of a line item; empty for top-level resources). List filters compile to JSON path expressions on
`doc`, so one list module serves every resource on both databases.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

# Byte-wise ordering on PostgreSQL so that sorting by ID matches SQLite's BINARY collation.
Key = String(100).with_variant(String(100, collation="C"), "postgresql")
Doc = JSON().with_variant(JSONB(), "postgresql")
# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL wants a 64-bit identity.
Seq = BigInteger().with_variant(Integer(), "sqlite")

resources = Table(
    "resources",
    metadata,
    Column("pk", Seq, primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),
    Column("scope", Key, nullable=False, server_default=""),
    Column("id", Key, nullable=False),
    Column("doc", Doc, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    # A value unique across the marketplace (for example `user:<lower-case username>`).
    Column("uniq", String(300), nullable=True),
    UniqueConstraint("kind", "scope", "id", name="uq_resources_kind_scope_id"),
    Index("ix_resources_uniq", "uniq", unique=True),
    Index("ix_resources_kind_id", "kind", "id"),
)
# IDs are case-insensitive, as under OrderCloud's collation: `Acme` and `acme` are one ID, on
# both databases alike. A caller's ID is looked up by `lower(scope)` and `lower(id)` through these
# indexes; joins between stored rows (which carry the stored spelling) keep the exact ones above.
Index(
    "uq_resources_kind_lscope_lid",
    resources.c.kind,
    func.lower(resources.c.scope),
    func.lower(resources.c.id),
    unique=True,
)
Index("ix_resources_kind_lid", resources.c.kind, func.lower(resources.c.id))

# What brings each product to buyers, one row per (product or bundle) assignment and (product or
# bundle) catalog assignment document (`src`: its `pk`), with the product's Active: kept by
# triggers on `resources` (migration 0008), read by the storefront's visibility
# (`app.catalog.visibility`) as one index-only probe per product.
product_reach = Table(
    "product_reach",
    metadata,
    Column("src", Seq, primary_key=True),
    Column("product_id", Text().with_variant(Text(collation="C"), "postgresql")),
    # the assignment's kind
    Column("via", String(40), nullable=False),
    # its CatalogID, or its BuyerID
    Column("holder", Text().with_variant(Text(collation="C"), "postgresql")),
    # its UserGroupID (null: the whole buyer, or a catalog assignment)
    Column("grp", Text().with_variant(Text(collation="C"), "postgresql")),
    Column("active", Boolean, nullable=False),
    Index("ix_reach_product", "product_id", "active", "via", "holder", "grp"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("pk", Seq, primary_key=True, autoincrement=True),
    Column("webhook_id", Key, nullable=False),
    Column("delivery_id", String(40), nullable=False, unique=True),
    # Deliveries that share an ordering key (the order ID) go out one after another.
    Column("ordering_key", String(200), nullable=True),
    Column("status", String(20), nullable=False, server_default="Pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("body", Text, nullable=False),
    Column("last_error", Text, nullable=True),
    # The X-Request-ID of the request that wrote the row; sent with every attempt.
    Column("request_id", String(128), nullable=True),
    # What the row is: `webhook` (webhook_id names a webhook), `email` or `message` (a
    # notification; webhook_id names its message sender). See app/notifications.
    Column("kind", String(20), nullable=False, server_default="webhook"),
    Index("ix_outbox_due", "status", "next_attempt_at"),
    Index("ix_outbox_webhook", "webhook_id", "pk"),
    Index("ix_outbox_ordering", "ordering_key", "pk"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("pk", Seq, primary_key=True, autoincrement=True),
    Column("delivery_id", String(40), nullable=False, index=True),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("duration_ms", Integer, nullable=False),
    Column("error", Text, nullable=True),
    # The first 2 KiB of the receiver's answer, for the delivery log.
    Column("response_body", Text, nullable=True),
)
