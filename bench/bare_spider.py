"""The baseline a user would otherwise run: a bare Scrapy spider that walks
the same listings with the same selectors and concurrency as our crawl,
fetches every article and throws it away.

    python bench/bare_spider.py BASE_URL STATS.json [--concurrency 16]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# The repo root, not bench/ (whose incremental.py would shadow Twisted's `incremental`).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import scrapy  # noqa: E402
from scrapy.crawler import CrawlerProcess  # noqa: E402
from scrapy.http import Request, Response  # noqa: E402

from sites.catalog.aawsat import AawsatSources  # noqa: E402

# The replica's sections (a bare spider discovers nothing: it walks these).
SECTIONS = ("news-middle-east", "world-news", "opinion", "majalla-blogs")


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.site = AawsatSources(base_url)

    async def start(self) -> Any:
        for slug in SECTIONS:
            yield Request(self.site.listing_url("category", slug), callback=self.parse_listing)

    def parse_listing(self, response: Response) -> Iterator[Request]:
        links, _ = self.site.article_links(response)
        for url in links:
            yield Request(url, callback=self.discard, priority=10)
        next_url = self.site.next_page(response)
        if next_url:
            yield Request(next_url, callback=self.parse_listing)

    def discard(self, response: Response) -> None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("stats")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    process = CrawlerProcess({
        "ROBOTSTXT_OBEY": True, "COOKIES_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING",
    })
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, base_url=args.base_url)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    Path(args.stats).write_text(json.dumps(stats, default=str))


if __name__ == "__main__":
    main()
