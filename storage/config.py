"""Where things live: from the environment, overridable on the command line."""

from __future__ import annotations

import os
import re
from pathlib import Path


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    path = Path(override or os.environ.get("ARCHIVE_DATA_DIR") or "./data")
    path.mkdir(parents=True, exist_ok=True)
    return path


class StoreError(Exception):
    """The store cannot be opened or used; the message never holds a password."""


def database_url(override: str | None = None) -> str:
    """The store's URL (nothing is created here: reading a store never makes one)."""
    url = override or os.environ.get("ARCHIVE_DB_URL")
    if url and "://" not in url:  # a path where a URL belongs: say which URL was meant
        path = Path(url).expanduser()
        raise StoreError(f"{url!r} is a path, not a database URL: for a SQLite file give "
                         f"sqlite:///{path.absolute()} (sqlite:/// and the path)")
    if url:
        return url
    folder = Path(os.environ.get("ARCHIVE_DATA_DIR") or "./data")
    return f"sqlite:///{folder / 'archive.db'}"


# The password part of any URL's userinfo: scheme://user:PASSWORD@host
_PASSWORD_RE = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^/@:\s]*:)(?P<password>[^\s/]*)@")


def redact(text: str) -> str:
    """A URL (or any text holding URLs) fit for logs and reports: passwords
    become ***, everything else is left as written."""
    return _PASSWORD_RE.sub(lambda m: f"{m.group('head')}***@", text)

