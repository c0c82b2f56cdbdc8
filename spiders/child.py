"""One crawl in this process, from a JSON config to a JSON stats file:

    python -m spiders.child CONFIG.json STATS.json RUN_ID [PROGRESS.json]

Started by `spiders.runner`, never imported by a worker: Twisted's reactor
cannot be restarted and wants the main thread."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess

from storage.store import ArticleStore

from .archive import ArchiveSpider
from .config import CrawlConfig
from .settings import scrapy_settings


def main(argv: list[str]) -> int:
    config = CrawlConfig.model_validate_json(Path(argv[0]).read_text())
    stats_path = Path(argv[1])
    run_id = int(argv[2]) if len(argv) > 2 and argv[2] else None
    store = ArticleStore(config.db_url)
    settings = scrapy_settings(config)  # logs go to stderr: the runner keeps and forwards them
    if len(argv) > 3:
        settings["PROGRESS_FILE"] = argv[3]
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ArchiveSpider)
    process.crawl(crawler, config=config, store=store, run_id=run_id)
    process.start()
    stats: dict[str, Any] = crawler.stats.get_stats() if crawler.stats else {}
    stats_path.write_text(json.dumps(stats, default=str))
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
