"""One request budget per domain, shared through Redis by concurrent crawls
(two "workers"), holds: together they never go faster than the budget."""

from __future__ import annotations

import threading

import pytest

from replica import ReplicaServer, ReplicaSite
from spiders.config import CrawlConfig
from spiders.runner import run_crawl
from spiders.summary import CrawlSummary
from tests.support import join

pytestmark = pytest.mark.integration
BUDGET = 8.0  # requests per second for the domain, all crawls together


def test_two_concurrent_crawls_share_one_budget(redis_url, tmp_path):
    with ReplicaServer(ReplicaSite(articles=24)) as server:
        # The budget's key is the host (127.0.0.1): a crawl of 127.0.0.1 by another
        # test run sharing this Redis at the same moment would share the budget too.
        configs = [CrawlConfig(
            site="aawsat", base_url=server.base, db_url=f"sqlite:///{tmp_path}/w{i}.db",
            data_dir=str(tmp_path / f"w{i}"), download_delay=0, autothrottle=False,
            concurrency_per_domain=8, shared_rate_limit_per_s=BUDGET,
            redis_url=redis_url) for i in (1, 2)]
        results: list[CrawlSummary] = []
        threads = [threading.Thread(target=lambda c=c: results.append(run_crawl(c, timeout=300)))
                   for c in configs]
        for thread in threads:
            thread.start()
        for thread in threads:
            join(thread, 360, "a crawl")  # run_crawl's own timeout is 300 s
        times = sorted(server.times)
    assert len(results) == 2 and all(r.articles_new == 24 for r in results)
    # Slots are spaced 1/BUDGET apart across both processes. A request sent late
    # (a busy machine delays a process by up to a second or so) lands nearer the
    # next ones, so a window of W seconds holds at most BUDGET * (W + delay) + 1;
    # over 4 s that bound (41) is far below what the two do unlimited (~400).
    window = 4.0
    busiest = max(sum(1 for t in times if start <= t < start + window) for start in times)
    assert busiest <= BUDGET * (window + 1) + 1, busiest
    average = (len(times) - 1) / (times[-1] - times[0])
    assert average <= BUDGET * 1.02, average  # unlimited, the two would do ~100/s here
