"""Every article carries its site, and names are scoped per site.

- `articles.site` is filled where it is empty: the registered site whose host
  the article's URL is on (the archive's hosts: `aawsat`), else the URL's
  host[:port], the name a profile crawl stores it under.
- Authors, categories and tags get a `site`, unique (site, name) instead of
  unique (name): an "Opinion" of one site is not another site's. Each name
  row goes to the site of the articles that use it; a name used by articles
  of two sites becomes one row per site, each article linked to its own
  site's row. A name no article uses is kept, under the site ''.

The same steps on SQLite and PostgreSQL. SQLite cannot drop the unique
constraint a table was created with, so each name table is rebuilt; its
link table goes first and comes back last, so no link ever points at a
dropped row (SQLite checks foreign keys inside a migration too, and a
deferred check would fail at commit).

Revision ID: 0008
Revises: 0007
"""

from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The registered sites' hosts when this migration was written, frozen here:
# a migration must mean the same whatever the registry holds later.
REGISTERED_HOSTS = {"eng-archive.aawsat.com": "aawsat", "english.aawsat.com": "aawsat",
                    "aawsat.net": "aawsat"}
KINDS = (("authors", "article_authors", "author_id"),
         ("categories", "article_categories", "category_id"),
         ("tags", "article_tags", "tag_id"))
BATCH = 2000
LINKS = "_name_links_0008"
UNUSED = "_unused_names_0008"

articles = sa.table("articles", sa.column("id", sa.Integer),
                    sa.column("canonical_url", sa.Text), sa.column("site", sa.Text))


def site_of(url: str) -> str:
    """The site an article of this URL is stored under (the rule that
    sites/stored.py's site_for_url keeps, written out as it was then)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in REGISTERED_HOSTS:
        return REGISTERED_HOSTS[host]
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def upgrade() -> None:
    fill_article_sites()
    for table, links, column in KINDS:
        split_per_site(table, links, column)


def fill_article_sites() -> None:
    """In batches by id: a large store is never read into memory at once."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(articles.c.id, articles.c.canonical_url)
            .where(articles.c.site.is_(None), articles.c.id > last)
            .order_by(articles.c.id).limit(BATCH)).all()
        if not rows:
            return
        bind.execute(
            articles.update().where(articles.c.id == sa.bindparam("b_id"))
            .values(site=sa.bindparam("b_site")),
            [{"b_id": row_id, "b_site": site_of(url)} for row_id, url in rows])
        last = rows[-1][0]


def split_per_site(table: str, links: str, column: str) -> None:
    # What each article is linked to, by site and name; and the names no article uses.
    op.create_table(LINKS, sa.Column("article_id", sa.Integer, nullable=False),
                    sa.Column("site", sa.Text, nullable=False),
                    sa.Column("name", sa.Text, nullable=False))
    op.execute(f"INSERT INTO {LINKS} (article_id, site, name) "
               f"SELECT l.article_id, COALESCE(a.site, ''), n.name FROM {links} l "
               f"JOIN articles a ON a.id = l.article_id JOIN {table} n ON n.id = l.{column}")
    op.create_table(UNUSED, sa.Column("name", sa.Text, nullable=False))
    op.execute(f"INSERT INTO {UNUSED} (name) SELECT n.name FROM {table} n WHERE NOT EXISTS "
               f"(SELECT 1 FROM {links} l WHERE l.{column} = n.id)")
    op.drop_table(links)
    op.drop_table(table)
    op.create_table(table, sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("site", sa.Text, nullable=False),
                    sa.Column("name", sa.Text, nullable=False),
                    sa.UniqueConstraint("site", "name"))
    op.execute(f"INSERT INTO {table} (site, name) SELECT DISTINCT site, name FROM {LINKS}")
    op.execute(f"INSERT INTO {table} (site, name) SELECT '', name FROM {UNUSED} "
               f"WHERE name NOT IN (SELECT name FROM {LINKS} WHERE site = '')")
    create_links(links, column, table)
    op.execute(f"INSERT INTO {links} (article_id, {column}) SELECT s.article_id, n.id "
               f"FROM {LINKS} s JOIN {table} n ON n.site = s.site AND n.name = s.name")
    op.drop_table(UNUSED)
    op.drop_table(LINKS)


def create_links(links: str, column: str, table: str) -> None:
    op.create_table(
        links,
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column(column, sa.Integer, sa.ForeignKey(f"{table}.id"), primary_key=True),
    )
    op.create_index(f"ix_{links}_{column}", links, [column])


def downgrade() -> None:
    """Names shared again: the rows of one name in several sites become one.
    The articles keep their sites (the column is 0007's)."""
    for table, links, column in KINDS:
        op.create_table(LINKS, sa.Column("article_id", sa.Integer, nullable=False),
                        sa.Column("name", sa.Text, nullable=False))
        op.execute(f"INSERT INTO {LINKS} (article_id, name) SELECT l.article_id, n.name "
                   f"FROM {links} l JOIN {table} n ON n.id = l.{column}")
        op.create_table(UNUSED, sa.Column("name", sa.Text, nullable=False))
        op.execute(f"INSERT INTO {UNUSED} (name) SELECT DISTINCT name FROM {table}")
        op.drop_table(links)
        op.drop_table(table)
        op.create_table(table, sa.Column("id", sa.Integer, primary_key=True),
                        sa.Column("name", sa.Text, nullable=False, unique=True))
        op.execute(f"INSERT INTO {table} (name) SELECT name FROM {UNUSED}")
        op.create_table(
            links,
            sa.Column("article_id", sa.Integer,
                      sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
            sa.Column(column, sa.Integer, sa.ForeignKey(f"{table}.id"), primary_key=True),
        )
        op.execute(f"INSERT INTO {links} (article_id, {column}) SELECT DISTINCT s.article_id, "
                   f"n.id FROM {LINKS} s JOIN {table} n ON n.name = s.name")
        op.drop_table(UNUSED)
        op.drop_table(LINKS)
