"""The store: SQLAlchemy models, Alembic migrations, `ArticleStore`, WARC files."""

from .config import database_url, data_dir
from .store import ArticleStore, UpsertCounts

__all__ = ["ArticleStore", "UpsertCounts", "data_dir", "database_url"]
