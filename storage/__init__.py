"""The store: SQLAlchemy models, Alembic migrations, `ArticleStore`, WARC files."""

from .config import data_dir, database_url
from .store import ArticleStore, UpsertCounts

__all__ = ["ArticleStore", "UpsertCounts", "data_dir", "database_url"]
