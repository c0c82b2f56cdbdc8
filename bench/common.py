"""What every benchmark records beside its figures: the machine and the command."""

from __future__ import annotations

import json
import os
import platform
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def save(name: str, figures: dict[str, Any]) -> Path:
    """Write `bench/results/<name>.json`: the figures with the core count, the
    command line and when it ran."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    record = {
        "benchmark": name,
        "command": " ".join(["python", *sys.argv]),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **figures,
    }
    path.write_text(json.dumps(record, indent=2, default=str))
    print(f"{os.cpu_count()} cores; figures written to {path}")
    return path


@contextmanager
def scratch_postgres(admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database beside `admin_url`'s, dropped afterwards."""
    import psycopg

    name = f"archive_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
