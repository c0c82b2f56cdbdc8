"""Sites: the sections, tags and authors each site's pages show (their slugs
and display names), the site every article belongs to, and the parser
version that read each revision.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_terms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("slug", sa.Text, nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("site", "kind", "slug"),
    )
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("site", sa.Text))
        batch.create_index("ix_articles_site", ["site"])
    with op.batch_alter_table("revisions") as batch:
        batch.add_column(sa.Column("parser", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("revisions") as batch:
        batch.drop_column("parser")
    with op.batch_alter_table("articles") as batch:
        batch.drop_index("ix_articles_site")
        batch.drop_column("site")
    op.drop_table("site_terms")
