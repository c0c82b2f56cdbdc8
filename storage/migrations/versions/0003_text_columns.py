"""Columns that hold what pages and servers send (URLs, names, ETags,
datelines, WARC paths) become TEXT: one 400-character tag must not stop a
crawl's storage on PostgreSQL. SQLite never enforced the lengths.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = {
    "authors": ["name"], "categories": ["name"], "tags": ["name"],
    "articles": ["canonical_url", "url", "dateline", "etag", "last_modified"],
    "revisions": ["warc_file"],
    "quarantine": ["url", "warc_file"],
    "fetch_failures": ["url"],
    "listing_state": ["listing"],
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in COLUMNS.items():
        for column in columns:
            op.alter_column(table, column, type_=sa.Text())


def downgrade() -> None:
    raise NotImplementedError("TEXT columns are not narrowed again: values may not fit")
