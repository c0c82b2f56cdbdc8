from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.support")  # its asserts explain themselves too

from tests.support import require_service  # noqa: E402

# Prefect's own INFO lines ("Stopping temporary server") arrive after pytest has
# closed its streams and print a logging traceback; our tests read no Prefect logs.
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no network here

ROOT = Path(__file__).resolve().parent.parent
SITE_PAGES = ROOT / "tests" / "site" / "pages"
SHARED = ROOT.parent / "shared"
SEED_URL = "https://eng-archive.aawsat.com/theaawsat/news-middle-east/syria-assad-troops-advance-in-homs"


def page_bytes(name: str) -> bytes:
    return (SITE_PAGES / name).read_bytes()


@pytest.fixture
def seed_html() -> bytes:
    return page_bytes("syria-assad-troops-advance-in-homs.html")


@pytest.fixture
def seed_text_blocks() -> list[str]:
    """The seed's article text, from the dateline to the end, one block a paragraph."""
    text_file = SHARED / "seed" / "page-text.txt"
    require_service(text_file.exists(), "../shared (the seed's text)", str(text_file))
    lines = text_file.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Beirut, Asharq Al-Awsat"))
    return [" ".join(line.split()) for line in lines[start:] if line.strip()]


# --- databases ------------------------------------------------------------------
PG_ADMIN_URL = os.environ.get("ARCHIVE_TEST_PG_URL", "postgresql://root@127.0.0.1:5432/test")


def _pg_admin():
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)


@pytest.fixture(scope="session")
def pg_error() -> str | None:
    """Why PostgreSQL at PG_ADMIN_URL cannot be used, or None."""
    try:
        with _pg_admin():
            return None
    except Exception as error:
        return f"{PG_ADMIN_URL} (set ARCHIVE_TEST_PG_URL) answered: {error}"


@pytest.fixture
def pg_url(pg_error) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    require_service(pg_error is None, "PostgreSQL", pg_error or "")
    name = f"archive_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'archive.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def db_url(request) -> str:
    """Every storage test runs on both databases (the PostgreSQL half is an
    integration test: it needs the server)."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


# --- Redis --------------------------------------------------------------------------
REDIS_URL = os.environ.get("ARCHIVE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url() -> str:
    """Redis for the shared request budget (database 15 unless ARCHIVE_TEST_REDIS_URL)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5).ping()
        error = ""
    except redis.RedisError as failure:
        error = f"{REDIS_URL} (set ARCHIVE_TEST_REDIS_URL) answered: {failure}"
    require_service(not error, "Redis", error)
    return REDIS_URL


# --- Prefect ----------------------------------------------------------------------
@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """One throwaway Prefect API (prefect_test_harness) for every in-process
    flow test of the session: starting one costs about 9 s. Tests find their
    own runs by id, never by being the only ones there."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
