"""Search text indexed after the write on PostgreSQL; FTS5 tuned for batches on SQLite.

PostgreSQL: `articles.search`, a stored generated tsvector with its GIN
index, was computed and indexed inside every INSERT and UPDATE of an
article: a bare COPY of articles of 480 words (their revisions and names
too) takes 9,750 rows/s without it (bench/store.py's ceiling at 100,000),
a COPY of the articles alone 1,790 with it (--options, at 20,000).

It becomes `article_search`, one row per article, which the store's search
indexer (storage/search_index.py) fills after the write from
`search_pending`, the ids of articles written and not yet indexed, on
threads of its own while the writer goes on; a search computes the text of
the pending ones on the fly when they are few (storage/reader.py): an
article is found from its commit on, and during a bulk ingest within
seconds of it.

Measured with `bench/store.py --options` (COPY, then each batch's search
text indexed, one connection; rows/s):

                                                 20,000 rows   100,000 rows
  in the write, GIN fastupdate on, 4 MB (0006)        1,791
  in the write, fastupdate off                          613
  after the write, fastupdate off                       807
  after, fastupdate on, 4 MB pending list             2,011          1,444
  after, 4 MB list, work_mem 64 MB                    2,008   1,581 / 1,673
  after, 16 MB list, work_mem 4 MB                                   1,646
  after, 16 MB list, work_mem 64 MB (chosen)          2,239   1,825 / 2,228
  after, 64 MB list, work_mem 64 MB                   2,270   2,229 / 2,301

- So fastupdate stays on, with a 16 MB pending list (the indexer merges it
  with work_mem 64 MB): a 64 MB list wrote 3% faster, but a search during
  an ingest reads the list whole: 10.6 ms at 100,000 with 64 MB, 2.9 ms
  with 16 MB (1.8 ms once merged, which the indexer does when idle).
- The tsvector is stored uncompressed (STORAGE EXTERNAL): pglz gives up on
  it (less than a quarter saved), after spending the time trying.
- No foreign key to articles: checking one locks the article's row, which
  would dirty every article's page a second time; articles are never
  deleted, and every read of article_search joins articles.
- Titles and bodies (of articles and revisions) are compressed with lz4 where
  the server has it: a bare COPY of articles went from 8,400 to 13,700
  rows/s, for a third more space.

SQLite: FTS5 stays in step through its triggers (0006). Its pending-data hash
grows from 1 MB to 16 MB (a batch of 500 articles was flushed as three
segments, now one), automerge from 4 to 16 and crisismerge from 16 to 64
(segments merged less often: each word is rewritten fewer times). A bare
INSERT of 100,000 articles with their revisions and names, rows/s (search
median at 100,000): defaults 2,892 (5.4 ms); hashsize 16 MB 3,183 (5.1 ms);
and automerge 8 3,395 (8.7 ms); automerge 16, crisismerge 64 3,709 (6.7 ms,
chosen); automerge 0, crisismerge 64 3,940 (7.1 ms, but no merge ever but a
crisis's: segments pile up to 63 a level).

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Frozen here (storage/search.py has the store's own copy): a migration means
# the same whatever the code says later.
VECTOR = ("setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
          "to_tsvector('simple', coalesce(body, ''))")
PENDING_LIST_KB = 16 * 1024
COMPRESSED = (("articles", "title"), ("articles", "body"), ("revisions", "title"),
              ("revisions", "body"))
FTS_OPTIONS = (("hashsize", 16 * 1024 * 1024), ("automerge", 16), ("crisismerge", 64))
FTS_DEFAULTS = (("hashsize", 1024 * 1024), ("automerge", 4), ("crisismerge", 16))


def _has_lz4() -> bool:
    return bool(op.get_bind().exec_driver_sql(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
        "WHERE name = 'default_toast_compression'").scalar())


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for option, value in FTS_OPTIONS:
            op.execute(f"INSERT INTO articles_fts(articles_fts, rank) VALUES ('{option}', {value})")
        return
    op.execute("DROP INDEX IF EXISTS articles_search_idx")
    op.execute("ALTER TABLE articles DROP COLUMN IF EXISTS search")
    op.execute("CREATE TABLE article_search (article_id integer PRIMARY KEY, "
               "search tsvector NOT NULL)")
    op.execute("ALTER TABLE article_search ALTER COLUMN search SET STORAGE EXTERNAL")
    op.execute(f"INSERT INTO article_search (article_id, search) SELECT id, {VECTOR} "
               "FROM articles")
    op.execute("CREATE INDEX article_search_idx ON article_search USING gin (search) "
               f"WITH (fastupdate = on, gin_pending_list_limit = {PENDING_LIST_KB})")
    op.execute("CREATE TABLE search_pending (article_id integer PRIMARY KEY)")
    if _has_lz4():
        for table, column in COMPRESSED:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for option, value in FTS_DEFAULTS:
            op.execute(f"INSERT INTO articles_fts(articles_fts, rank) VALUES ('{option}', {value})")
        return
    if _has_lz4():
        for table, column in COMPRESSED:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION pglz")
    op.execute("DROP TABLE search_pending")
    op.execute("DROP TABLE article_search")
    op.execute(f"ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS ({VECTOR}) "
               "STORED")
    op.execute("CREATE INDEX articles_search_idx ON articles USING gin (search)")
