"""WARC locations that resolve from anywhere.

Crawls recorded each WARC file as the path their writer was given, relative
to the crawl's working folder (`data/demo/warc/...`): a re-extraction or a
name mending started from another folder found none of them. Crawls now
record absolute paths; this mends the relative ones already stored.

A relative path is resolved against the folders it can have been relative to:
the store file's folder and each folder above it (a crawl keeps its store in
its data folder, whose WARC folder is `<data>/warc`), then the folder the
migration runs in. The first under which the file exists wins; a path found
under none is left as it was (the reader names it as unreadable).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("revisions", "quarantine")


def _bases(connection: sa.Connection) -> list[Path]:
    bases: list[Path] = []
    if connection.dialect.name == "sqlite":
        for row in connection.exec_driver_sql("PRAGMA database_list"):
            if row[1] == "main" and row[2]:
                store = Path(row[2]).resolve()
                bases += list(store.parents)
    bases.append(Path.cwd())
    return list(dict.fromkeys(bases))


def upgrade() -> None:
    connection = op.get_bind()
    bases = _bases(connection)
    for table in TABLES:
        # One UPDATE per WARC file: indexed for the migration, or each scans the table.
        connection.execute(sa.text(f"CREATE INDEX IF NOT EXISTS tmp_0010_{table} "
                                   f"ON {table} (warc_file)"))
        relative = [path for (path,) in connection.execute(sa.text(
            f"SELECT DISTINCT warc_file FROM {table} WHERE warc_file IS NOT NULL "
            "AND warc_file <> '' AND warc_file NOT LIKE '/%'"))]
        for path in relative:
            found = next((base / path for base in bases if (base / path).is_file()), None)
            if found is not None:
                connection.execute(sa.text(f"UPDATE {table} SET warc_file = :new "
                                           "WHERE warc_file = :old"),
                                   {"new": str(found), "old": path})
        connection.execute(sa.text(f"DROP INDEX tmp_0010_{table}"))


def downgrade() -> None:
    pass  # an absolute path reads from the old folder as well
