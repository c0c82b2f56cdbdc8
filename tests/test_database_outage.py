"""A PostgreSQL that goes away in the middle of a crawl: a private cluster this
test starts with initdb / pg_ctl, stops and starts again. Writes wait and are
retried; every article ends up stored exactly once."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from replica import ReplicaServer, ReplicaSite
from spiders.config import CrawlConfig
from spiders.runner import run_crawl
from spiders.summary import CrawlSummary
from storage.store import ArticleStore
from tests.support import candidate_ports, join, require_service, wait_until

pytestmark = pytest.mark.integration


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


class PrivateCluster:
    """A PostgreSQL cluster of this test's own, on 127.0.0.1. Its port goes on
    the server's command line: `start` tries candidate ports until the server
    binds one (`pg_ctl -w` waits for our own postmaster to accept connections,
    so the server answering on the port is ours); a restart keeps that port."""

    def __init__(self, root: Path) -> None:
        self.data = root / "data"
        self.port: int | None = None
        root.mkdir(parents=True, exist_ok=True)
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(root, "postgres")
        self._run(_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "root")
        self.socket_dir = str(root)

    def _run(self, *command: str | None, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_postgres, *[c for c in command if c]], check=check,
                              capture_output=True, text=True, timeout=120)

    def _pg_ctl_start(self, port: int) -> subprocess.CompletedProcess:
        return self._run(_bin("pg_ctl"), "-D", str(self.data), "-w", "-t", "60",
                         "-l", str(self.data / "log"),
                         "-o", f"-p {port} -k {self.socket_dir} -c listen_addresses=127.0.0.1",
                         "start", check=False)

    def start(self) -> None:
        if self.port is not None:  # a restart: the crawl's URL names this port
            result = self._pg_ctl_start(self.port)
            if result.returncode:
                pytest.fail(f"the cluster did not start again on port {self.port}:\n"
                            f"{result.stdout}{result.stderr}\n{self.log_tail()}")
            return
        for port in candidate_ports(10):
            result = self._pg_ctl_start(port)
            if result.returncode == 0:
                self.port = port
                return
            if "Address already in use" not in self.log_tail():
                raise RuntimeError(f"pg_ctl start failed:\n{result.stdout}{result.stderr}\n"
                                   f"{self.log_tail()}")
        raise RuntimeError("no candidate port was free for the private cluster")

    def stop(self) -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def log_tail(self) -> str:
        log = self.data / "log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    @property
    def url(self) -> str:
        return f"postgresql://root@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def cluster(tmp_path):
    require_service(bool(_bin("initdb") and _bin("pg_ctl")
                         and (os.geteuid() != 0 or shutil.which("runuser"))),
                    "PostgreSQL's initdb and pg_ctl (and runuser, as root)")
    private = PrivateCluster(Path("/tmp") / f"archive-pg-{tmp_path.name}")
    try:
        private.start()
        yield private
    finally:
        subprocess.run([*private.as_postgres, _bin("pg_ctl") or "pg_ctl", "-D",
                        str(private.data), "-m", "immediate", "stop"], capture_output=True,
                       timeout=120)
        shutil.rmtree(private.data.parent, ignore_errors=True)


class ArticleGate:
    """Holds article requests at the replica while closed (the test stops the
    database meanwhile); listings, robots.txt and feeds go through."""

    def __init__(self, site: ReplicaSite) -> None:
        self.open = threading.Event()
        self.open.set()
        self._page = site.page
        site.page = self.page  # type: ignore[method-assign]

    def page(self, path: str, base: str):
        if path.count("/") == 3:  # /<author>/<category>/<slug>
            self.open.wait(timeout=120)
        return self._page(path, base)


@pytest.mark.timeout(900)  # its own waits add up to more than the default
def test_the_database_restarts_mid_crawl(cluster, tmp_path):
    ArticleStore(cluster.url)  # schema
    watcher = ArticleStore(cluster.url)
    site = ReplicaSite(articles=40)
    gate = ArticleGate(site)
    lines: list[str] = []
    with ReplicaServer(site, article_delay_s=0.1) as server:
        config = CrawlConfig(site="aawsat", base_url=server.base, db_url=cluster.url,
                             data_dir=str(tmp_path), download_delay=0, autothrottle=False,
                             concurrency_per_domain=4, store_batch=5)
        results: list[CrawlSummary] = []
        crawl = threading.Thread(target=lambda: results.append(
            run_crawl(config, timeout=300, log_sink=lines.append)))
        crawl.start()
        try:
            wait_until(lambda: watcher.stats()["articles"] >= 10, 120,
                       "the crawl to store 10 articles", max_interval=0.5)
            watcher.close()
            gate.open.clear()  # the rest of the articles wait until the database is down
            cluster.stop()
            gate.open.set()
            # The crawl goes on fetching; its writes wait for the database.
            wait_until(lambda: any("database unavailable" in line for line in lines), 120,
                       "the crawl to find the database gone",
                       details=lambda: "\n".join(lines[-20:]))
            cluster.start()
        finally:
            gate.open.set()
            join(crawl, 360, "the crawl")  # run_crawl's own timeout is 300 s
    assert results, "the crawl did not finish"
    store = ArticleStore(cluster.url)
    assert store.stats()["articles"] == len(server.site.public_articles())
    assert store.stats()["revisions"] == store.stats()["articles"]  # nothing twice
    log = Path(results[0].log_file).read_text()
    assert "database unavailable" in log  # the waits are on record
