"""One request budget per domain, shared through Redis by concurrent crawls
(two "workers"), holds: together they never go faster than the budget."""

from __future__ import annotations

import os
import threading
import uuid

import pytest
import redis

from replica import ReplicaServer, ReplicaSite
from spiders.config import CrawlConfig
from spiders.runner import run_crawl

REDIS_URL = os.environ.get("ARCHIVE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
BUDGET = 8.0  # requests per second for the domain, all crawls together


@pytest.fixture
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis must run in CI: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


def test_two_concurrent_crawls_share_one_budget(redis_url, tmp_path):
    with ReplicaServer(ReplicaSite(articles=24)) as server:
        prefix = uuid.uuid4().hex  # a host name of its own, so that old keys do not count
        configs = [CrawlConfig(
            site="aawsat", base_url=server.base, db_url=f"sqlite:///{tmp_path}/w{i}.db",
            data_dir=str(tmp_path / f"w{i}"), download_delay=0, autothrottle=False,
            concurrency_per_domain=8, shared_rate_limit_per_s=BUDGET,
            redis_url=redis_url) for i in (1, 2)]
        redis.Redis.from_url(redis_url).delete(f"archive:ratelimit:127.0.0.1:{prefix}")
        results: list[dict] = []
        threads = [threading.Thread(target=lambda c=c: results.append(run_crawl(c, timeout=300)))
                   for c in configs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        times = sorted(server.times)
    assert len(results) == 2 and all(r["articles_new"] == 24 for r in results)
    # Slots are spaced 1/BUDGET apart across both processes; the event loops add
    # a few milliseconds of jitter, so a one-second window may hold a slot or two more.
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= BUDGET + 2, busiest
    average = (len(times) - 1) / (times[-1] - times[0])
    assert average <= BUDGET * 1.02, average  # unlimited, the two would do ~100/s here
