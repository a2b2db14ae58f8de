"""the verifiable change log: each entry's leaf, the Merkle tree's nodes, the signing keys

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 19:00:00

Every change-feed entry gets its leaf: the entry as `GET /api/v1/changes` served it, in
RFC 8785 canonical JSON, hashed into an RFC 9162 Merkle tree in sequence order. Existing
entries become the first leaves here. Entries may now concern no initiative (organisation
figures, API keys); downgrading deletes those.
"""

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import rfc8785
import sqlalchemy as sa
from alembic import op
from pydantic import TypeAdapter

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
SERVED_FIELDS = (
    "sequence entity entity_id initiative_id action version occurred_at actor_kind actor_key_id"
    " actor_organisation_code changes snapshot"
).split()
change = sa.table(
    "change",
    sa.column("sequence", sa.BigInteger()),
    sa.column("entity", sa.String()),
    sa.column("entity_id", sa.Uuid()),
    sa.column("initiative_id", sa.Uuid()),
    sa.column("action", sa.String()),
    sa.column("version", sa.Integer()),
    sa.column("occurred_at", sa.DateTime(timezone=True)),
    sa.column("actor_kind", sa.String()),
    sa.column("actor_key_id", sa.Uuid()),
    sa.column("actor_organisation_code", sa.String()),
    sa.column("changes", sa.JSON()),
    sa.column("snapshot", sa.JSON()),
    sa.column("leaf", sa.LargeBinary()),
    sa.column("leaf_index", sa.BigInteger()),
)
log_node = sa.table(
    "log_node",
    sa.column("level", sa.Integer()),
    sa.column("index", sa.BigInteger()),
    sa.column("hash", sa.LargeBinary()),
)
# pydantic renders the values as the feed did (UUIDs, ISO 8601 timestamps ending in Z).
AS_SERVED = TypeAdapter(dict[str, Any])


def upgrade() -> None:
    op.create_table(
        "log_node",
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("index", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "index", name="pk_log_node"),
    )
    op.create_table(
        "log_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("private_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_log_key"),
        sa.UniqueConstraint("public_key", name="uq_log_key_public_key"),
        sa.UniqueConstraint("current", name="uq_log_key_current"),
    )
    with op.batch_alter_table("change") as batch:
        batch.add_column(sa.Column("leaf", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("leaf_index", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True))
        batch.alter_column("initiative_id", existing_type=sa.Uuid(), nullable=True)
    _log_existing_entries()
    with op.batch_alter_table("change") as batch:
        batch.alter_column("leaf", existing_type=sa.LargeBinary(), nullable=False)
        batch.alter_column(
            "leaf_index", existing_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        )
        batch.create_unique_constraint("uq_change_leaf_index", ["leaf_index"])


def _log_existing_entries() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(*(change.c[name] for name in SERVED_FIELDS)).order_by(change.c.sequence))
    frontier: dict[tuple[int, int], bytes] = {}  # the perfect subtrees not yet inside a bigger one
    size = 0
    while batch := rows.fetchmany(BATCH):
        leaves, nodes = [], []
        for row in batch:
            leaf = _leaf(row._asdict())
            leaves.append({"seq": row.sequence, "leaf": leaf, "leaf_index": size})
            nodes.extend(_append(frontier, size, hashlib.sha256(b"\x00" + leaf).digest()))
            size += 1
        connection.execute(
            change.update()
            .where(change.c.sequence == sa.bindparam("seq"))
            .values(leaf=sa.bindparam("leaf"), leaf_index=sa.bindparam("leaf_index")),
            leaves,
        )
        connection.execute(log_node.insert(), [{"level": lv, "index": ix, "hash": h} for lv, ix, h in nodes])


def _leaf(row: dict[str, Any]) -> bytes:
    occurred_at: datetime = row["occurred_at"]
    row["occurred_at"] = occurred_at.replace(tzinfo=UTC) if occurred_at.tzinfo is None else occurred_at.astimezone(UTC)
    return rfc8785.dumps(AS_SERVED.dump_python(row, mode="json"))


def _append(frontier: dict[tuple[int, int], bytes], position: int, value: bytes) -> list[tuple[int, int, bytes]]:
    """RFC 9162's node hash for every perfect subtree the leaf at `position` completes."""
    level, index = 0, position
    written = [(0, index, value)]
    while index & 1:
        value = hashlib.sha256(b"\x01" + frontier.pop((level, index - 1)) + value).digest()
        level, index = level + 1, index >> 1
        written.append((level, index, value))
    frontier[(level, index)] = value
    return written


def downgrade() -> None:
    op.execute(change.delete().where(change.c.initiative_id.is_(None)))
    with op.batch_alter_table("change") as batch:
        batch.drop_constraint("uq_change_leaf_index", type_="unique")
        batch.drop_column("leaf_index")
        batch.drop_column("leaf")
        batch.alter_column("initiative_id", existing_type=sa.Uuid(), nullable=False)
    op.drop_table("log_key")
    op.drop_table("log_node")
