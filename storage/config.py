"""Where things live: from the environment, overridable on the command line."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    path = Path(override or os.environ.get("ARCHIVE_DATA_DIR") or "./data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(override: str | None = None) -> str:
    url = override or os.environ.get("ARCHIVE_DB_URL")
    if url:
        return url
    return f"sqlite:///{data_dir() / 'archive.db'}"


def redact(url: str) -> str:
    """A database URL fit for logs and reports: never the password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: show only its scheme
        return url.split(":", 1)[0] + "://***"
