"""A PostgreSQL that goes away in the middle of a crawl: a private cluster this
test starts with initdb / pg_ctl, stops and starts again. Writes wait and are
retried; every article ends up stored exactly once."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from replica import ReplicaServer, ReplicaSite
from spiders.config import CrawlConfig
from spiders.runner import run_crawl
from storage.store import ArticleStore
from tests.prefect_stack import free_port


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


class PrivateCluster:
    def __init__(self, root: Path) -> None:
        self.data = root / "data"
        self.port = free_port()
        root.mkdir(parents=True, exist_ok=True)
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(root, "postgres")
        self._run(_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "root")
        self.socket_dir = str(root)

    def _run(self, *command: str | None) -> None:
        subprocess.run([*self.as_postgres, *[c for c in command if c]], check=True,
                       capture_output=True, timeout=120)

    def start(self) -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.data / "log"),
                  "-o", f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1",
                  "start")

    def stop(self) -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql://root@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def cluster(tmp_path):
    if not _bin("initdb") or not _bin("pg_ctl") or (os.geteuid() == 0
                                                   and not shutil.which("runuser")):
        if os.environ.get("CI") == "true":
            pytest.fail("CI has PostgreSQL's initdb and pg_ctl: this test must run")
        pytest.skip("no initdb / pg_ctl here")
    private = PrivateCluster(Path("/tmp") / f"archive-pg-{tmp_path.name}")
    private.start()
    yield private
    subprocess.run([*private.as_postgres, _bin("pg_ctl") or "pg_ctl", "-D", str(private.data),
                    "-m", "immediate", "stop"], capture_output=True)
    shutil.rmtree(private.data.parent, ignore_errors=True)


def test_the_database_restarts_mid_crawl(cluster, tmp_path):
    ArticleStore(cluster.url)  # schema
    with ReplicaServer(ReplicaSite(articles=40), article_delay_s=0.1) as server:
        config = CrawlConfig(site="aawsat", base_url=server.base, db_url=cluster.url,
                             data_dir=str(tmp_path), download_delay=0, autothrottle=False,
                             concurrency_per_domain=4, store_batch=5)
        results: list[dict] = []
        crawl = threading.Thread(target=lambda: results.append(run_crawl(config, timeout=300)))
        crawl.start()
        deadline = time.monotonic() + 120
        while ArticleStore(cluster.url).stats()["articles"] < 10:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        cluster.stop()
        time.sleep(3)  # the crawl goes on fetching; its writes wait
        cluster.start()
        crawl.join(300)
    assert results, "the crawl did not finish"
    store = ArticleStore(cluster.url)
    assert store.stats()["articles"] == len(server.site.public_articles())
    assert store.stats()["revisions"] == store.stats()["articles"]  # nothing twice
    log = Path(results[0]["log_file"]).read_text()
    assert "database unavailable" in log  # the waits are on record
