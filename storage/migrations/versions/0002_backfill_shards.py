"""Backfill shards: which shard of which backfill finished, where, with what.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backfill_shards",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("backfill", sa.String(200), nullable=False, index=True),
        sa.Column("shard", sa.String(500), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("worker", sa.String(200)),
        sa.Column("stats", sa.JSON, nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("backfill", "shard"),
    )


def downgrade() -> None:
    op.drop_table("backfill_shards")
