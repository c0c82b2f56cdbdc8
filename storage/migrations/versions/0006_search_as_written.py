"""Search matches words as written on both databases: PostgreSQL's tsvector
moves from the 'english' configuration (stemmed: "exported" matched
"exports") to 'simple', and SQLite's FTS5 keeps accents
(remove_diacritics 0) as PostgreSQL does, so one query finds one set of
articles on either (storage/search.py).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FTS_TRIGGERS = (
    "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
)


def _postgresql(config: str) -> None:
    op.execute("DROP INDEX IF EXISTS articles_search_idx")
    op.execute("ALTER TABLE articles DROP COLUMN search")
    op.execute(
        "ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS "
        f"(setweight(to_tsvector('{config}', coalesce(title, '')), 'A') || "
        f"to_tsvector('{config}', coalesce(body, ''))) STORED")
    op.execute("CREATE INDEX articles_search_idx ON articles USING gin (search)")


def _sqlite(tokenizer: str) -> None:
    for name in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS articles_fts_{name}")
    op.execute("DROP TABLE IF EXISTS articles_fts")
    op.execute("CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, content='articles', "
               f"content_rowid='id', tokenize='{tokenizer}')")
    for statement in FTS_TRIGGERS:
        op.execute(statement)
    op.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql("simple")
    else:
        _sqlite("unicode61 remove_diacritics 0")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql("english")
    else:
        _sqlite("unicode61")
