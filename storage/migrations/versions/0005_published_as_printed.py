"""Publication dates as the page printed them: the UTC offset and the local
calendar day beside the UTC instant. Rows stored before keep their instant;
their offset is taken as UTC until a new revision is stored (the offset was
not kept, so no schema step can restore it).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("published_offset", sa.Integer))
        batch.add_column(sa.Column("published_day", sa.Date))
    op.create_index("ix_articles_published_day", "articles", ["published_day"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE articles SET published_offset = 0, "
                   "published_day = (published AT TIME ZONE 'UTC')::date "
                   "WHERE published IS NOT NULL")
    else:
        op.execute("UPDATE articles SET published_offset = 0, "
                   "published_day = date(published) WHERE published IS NOT NULL")


def downgrade() -> None:
    op.drop_index("ix_articles_published_day", "articles")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("published_day")
        batch.drop_column("published_offset")
