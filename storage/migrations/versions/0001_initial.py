"""Initial schema: articles, revisions, names, crawl runs, quarantine, failures,
listing state, and full-text search (SQLite FTS5 / PostgreSQL tsvector).

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    for name in ("authors", "categories", "tags"):
        op.create_table(name, sa.Column("id", sa.Integer, primary_key=True),
                        sa.Column("name", sa.String(300), nullable=False, unique=True))
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started", TZ, nullable=False),
        sa.Column("finished", TZ),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("stats", sa.JSON, nullable=False),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("canonical_url", sa.String(2000), nullable=False, unique=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("published", TZ, index=True),
        sa.Column("dateline", sa.String(200)),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("images", sa.JSON, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("word_count", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("extractor", sa.String(40), nullable=False),
        sa.Column("fallback", sa.Boolean, nullable=False),
        sa.Column("warnings", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("first_seen", TZ, nullable=False),
        sa.Column("last_fetched", TZ, nullable=False),
        sa.Column("etag", sa.String(300)),
        sa.Column("last_modified", sa.String(100)),
    )
    for table, column, target in (("article_authors", "author_id", "authors"),
                                  ("article_categories", "category_id", "categories"),
                                  ("article_tags", "tag_id", "tags")):
        op.create_table(
            table,
            sa.Column("article_id", sa.Integer,
                      sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
            sa.Column(column, sa.Integer, sa.ForeignKey(f"{target}.id"), primary_key=True),
        )
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("fetched_at", TZ, nullable=False),
        sa.Column("crawl_run_id", sa.Integer, sa.ForeignKey("crawl_runs.id")),
        sa.Column("warc_file", sa.String(500)),
        sa.Column("warc_offset", sa.Integer),
        sa.Column("extractor", sa.String(40), nullable=False),
        sa.Column("cleaner_version", sa.String(40), nullable=False),
        sa.UniqueConstraint("article_id", "number"),
    )
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False, unique=True),
        sa.Column("reason", sa.String(60), nullable=False, index=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("permanent", sa.Boolean, nullable=False),
        sa.Column("crawl_run_id", sa.Integer, sa.ForeignKey("crawl_runs.id")),
        sa.Column("warc_file", sa.String(500)),
        sa.Column("warc_offset", sa.Integer),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_table(
        "fetch_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False, index=True),
        sa.Column("reason", sa.String(60), nullable=False, index=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("permanent", sa.Boolean, nullable=False),
        sa.Column("crawl_run_id", sa.Integer, sa.ForeignKey("crawl_runs.id")),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_table(
        "listing_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("listing", sa.String(2000), nullable=False, unique=True),
        sa.Column("deepest_page", sa.Integer, nullable=False),
        sa.Column("completed", sa.Boolean, nullable=False),
        sa.Column("updated", TZ, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS "
            "(setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
            "to_tsvector('english', coalesce(body, ''))) STORED"
        )
        op.execute("CREATE INDEX articles_search_idx ON articles USING gin (search)")
    else:
        # External-content FTS5 index kept in step with `articles` by triggers.
        op.execute("CREATE VIRTUAL TABLE articles_fts USING fts5("
                   "title, body, content='articles', content_rowid='id')")
        op.execute("CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
                   "INSERT INTO articles_fts(rowid, title, body) "
                   "VALUES (new.id, new.title, new.body); END")
        op.execute("CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
                   "INSERT INTO articles_fts(articles_fts, rowid, title, body) "
                   "VALUES ('delete', old.id, old.title, old.body); END")
        op.execute("CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles "
                   "BEGIN INSERT INTO articles_fts(articles_fts, rowid, title, body) "
                   "VALUES ('delete', old.id, old.title, old.body); "
                   "INSERT INTO articles_fts(rowid, title, body) "
                   "VALUES (new.id, new.title, new.body); END")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE IF EXISTS articles_fts")
    for table in ("listing_state", "fetch_failures", "quarantine", "revisions",
                  "article_tags", "article_categories", "article_authors", "articles",
                  "crawl_runs", "tags", "categories", "authors"):
        op.drop_table(table)
