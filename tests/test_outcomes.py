"""A run that achieved nothing never looks green (docs/outcomes.md): through
the `archive crawl` command as a user types it (exit code, one-line error),
against a real Prefect API, and through `run_crawl` for the causes the
runner judges."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

from replica import ReplicaServer, ReplicaSite
from spiders.config import CrawlConfig
from spiders.runner import CrawlFailed, run_crawl
from storage.store import ArticleStore
from tests.background_crawl import BackgroundCrawl, wait_until
from tests.prefect_stack import ROOT, prefect_server
from tests.support import mounted, read_only

pytestmark = pytest.mark.integration
ARCHIVE = str(Path(sys.executable).parent / "archive")


@pytest.fixture(scope="module")
def prefect_env(tmp_path_factory) -> Iterator[dict[str, str]]:
    with prefect_server(tmp_path_factory.mktemp("prefect-home")) as env:
        yield env


def archive(env: dict[str, str], *args: str, timeout: float = 300
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARCHIVE, *args], env={**env, "COLUMNS": "80"}, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port nobody listens on, held by us so nobody can start to."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        yield held.getsockname()[1]


def config_for(base: str, tmp_path: Path, **extra: object) -> CrawlConfig:
    return CrawlConfig(site="aawsat", base_url=base, db_url=f"sqlite:///{tmp_path / 'a.db'}",
                       data_dir=str(tmp_path / "data"), download_delay=0, autothrottle=False,
                       **extra)


def test_a_site_that_never_answers_fails_the_run(prefect_env, tmp_path, closed_port):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    result = archive(prefect_env, "crawl", "--site", "aawsat", "--base-url",
                     f"http://127.0.0.1:{closed_port}", "--db", db, "--data-dir",
                     str(tmp_path / "data"))
    assert result.returncode == 1
    line = error_line(result)
    assert "site_unreachable" in line and "connection_refused" in line
    run = ArticleStore(db).runs(1)[0]
    assert run["status"] == "failed"
    assert run["stats"]["outcome"]["cause"] == "site_unreachable"
    assert run["stats"]["failures"]["connection_refused"] >= 1
    assert not any(reason.endswith("error") and reason != "dns_error"
                   for reason in run["stats"]["failures"])  # no exception class names


def test_a_mistyped_category_fails_the_run_naming_the_listing(prefect_env, tmp_path):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with ReplicaServer() as server:
        result = archive({**prefect_env, "ARCHIVE_DOWNLOAD_DELAY": "0"}, "crawl", "--site",
                         "aawsat", "--base-url", server.base, "--category", "opnion",
                         "--db", db, "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 1
    line = error_line(result)
    assert "start_listings_failed" in line
    assert f"{server.base}/category/opnion (http_404)" in line


def test_an_off_host_url_is_refused_before_anything_runs(prefect_env, tmp_path):
    with ReplicaServer() as server:
        result = archive(prefect_env, "crawl", "--base-url", server.base, "--url",
                         "https://example.com/x", "--db", f"sqlite:///{tmp_path / 'a.db'}",
                         "--data-dir", str(tmp_path / "data"))
        assert server.take_requests() == []
    assert result.returncode == 2
    assert "https://example.com/x is not on the site being crawled" in error_line(result)
    assert ArticleStore(f"sqlite:///{tmp_path / 'a.db'}").runs(1) == []


def test_a_url_that_answers_404_fails_the_run_with_articles_failed(prefect_env, tmp_path):
    """`--url` of one story that is not there: nothing stored, exit 1, not a
    green run with a failure in its small print."""
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with ReplicaServer() as server:
        url = f"{server.base}/theaawsat/news-middle-east/no-such-story"
        result = archive({**prefect_env, "ARCHIVE_DOWNLOAD_DELAY": "0"}, "crawl", "--site",
                         "aawsat", "--base-url", server.base, "--url", url, "--db", db,
                         "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 1, result.stderr
    line = error_line(result)
    assert "articles_failed" in line and "http_404 x1" in line
    run = ArticleStore(db).runs(1)[0]
    assert run["status"] == "failed" and run["stats"]["outcome"]["cause"] == "articles_failed"


@pytest.mark.parametrize("value", ["-5", "0"])
def test_a_timeout_that_is_not_positive_is_refused(tmp_path, value):
    result = archive(dict(os.environ), "crawl", "--timeout", value, "--db",
                     f"sqlite:///{tmp_path / 'a.db'}")
    assert result.returncode == 2
    assert "positive number of seconds" in result.stderr


def test_robots_txt_answering_500_disallows_everything_and_fails_the_run(tmp_path):
    class BrokenRobots(ReplicaSite):
        def page(self, path: str, base: str) -> tuple[int, str, str]:
            if path == "/robots.txt":
                return 500, "text/plain", "internal error"
            return super().page(path, base)

    with ReplicaServer(BrokenRobots(articles=5)) as server:
        summary = run_crawl(config_for(server.base, tmp_path, retries=1), timeout=120)
        served = server.take_requests()
    assert summary.outcome.cause == "robots_unavailable"
    assert [path for path in served if path != "/robots.txt"] == []  # nothing else asked
    assert summary.articles_new == 0


def test_a_refused_redis_password_fails_the_run_and_is_never_stored(tmp_path):
    redis_url = "redis://:not-the-password@127.0.0.1:6379/15"
    with ReplicaServer(ReplicaSite(articles=5)) as server:
        summary = run_crawl(config_for(server.base, tmp_path, redis_url=redis_url,
                                       shared_rate_limit_per_s=50), timeout=120)
    assert summary.outcome.cause == "rate_limit_unavailable"
    run = ArticleStore(f"sqlite:///{tmp_path / 'a.db'}").runs(1)[0]
    assert run["status"] == "failed"
    assert "not-the-password" not in repr(run)
    assert run["params"]["redis_url"] == "redis://:***@127.0.0.1:6379/15"
    assert "not-the-password" not in Path(summary.log_file).read_text()


def test_a_completed_run_with_some_failures_is_completed(tmp_path):
    """A 404 among the articles, a feed that is missing: the summary says so,
    the run is completed."""
    with ReplicaServer(ReplicaSite(articles=12)) as server:
        config = config_for(server.base, tmp_path)
        run_crawl(config, timeout=120)
        server.site.remove_article(server.site.public_articles()[0])
        summary = run_crawl(config.model_copy(update={"refresh": True}), timeout=120)
    assert summary.outcome.state == "completed"
    assert summary.failures["http_404"] == 1
    assert "failed http_404 1" in summary.outcome.message


def test_robots_txt_binds_the_requests_that_waited_for_it(tmp_path):
    """Scrapy hands robots.txt's verdict only to the first request waiting for
    it; the start requests queued beside it went out unchecked."""
    class NoListings(ReplicaSite):
        def page(self, path: str, base: str) -> tuple[int, str, str]:
            if path == "/robots.txt":
                return 200, "text/plain", "User-agent: *\nDisallow: /category/\n"
            return super().page(path, base)

    with ReplicaServer(NoListings(articles=5)) as server:
        summary = run_crawl(config_for(server.base, tmp_path), timeout=120)
        served = server.take_requests()
        sections = [k for k in server.site.listings() if k.startswith("/category/")]
    assert not [path for path in served if path.startswith("/category/")], served
    # Every section the site names was a start listing, and robots.txt refused each.
    assert summary.failures["robots_txt"] == len(sections)
    assert summary.start_failures == {server.base + k: "robots_txt" for k in sections}


def test_a_read_only_data_folder_is_one_clear_error_and_no_run_left_running(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    with read_only(source, tmp_path / "ro") as target:
        db = f"sqlite:///{tmp_path / 'a.db'}"
        result = archive(dict(os.environ), "crawl", "--base-url", "http://127.0.0.1:9",
                         "--db", db, "--data-dir", str(target / "data"))
        assert result.returncode == 2
        assert f"the data folder {target / 'data'} cannot be written" in error_line(result)
        with pytest.raises(CrawlFailed, match="cannot be written"):
            run_crawl(CrawlConfig(base_url="http://127.0.0.1:9", db_url=db,
                                  data_dir=str(target / "data")))
    assert ArticleStore(db).runs(5) == []


def test_a_full_disk_fails_the_run_at_once_with_disk_full(tmp_path):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with mounted(tmp_path / "small", "-t", "tmpfs", "-o", "size=4m", "tmpfs") as small, \
            ReplicaServer(ReplicaSite(articles=120), article_delay_s=0.1) as server:
        config = config_for(server.base, tmp_path).model_copy(update={"data_dir": str(small)})
        crawl = BackgroundCrawl(config).start()
        wait_until(lambda: (tmp_path / "a.db").exists()
                   and ArticleStore(db).stats()["articles"] >= 10, 120, "10 stored articles")
        with suppress(OSError), (small / "filler").open("wb", buffering=0) as filler:
            while True:  # the disk fills up mid-crawl
                filler.write(b"\0" * 65536)
        crawl.join(timeout=120)
    assert not crawl.errors, crawl.errors
    summary = crawl.summary
    assert summary is not None
    assert summary.outcome.state == "failed"
    assert summary.outcome.cause == "disk_full"
    assert summary.pages_fetched < 120  # it stopped, not fetched everything to drop it
    assert summary.articles_new >= 10  # what was stored stays stored
    run = ArticleStore(db).runs(1)[0]
    assert run["status"] == "failed" and run["stats"]["outcome"]["cause"] == "disk_full"
