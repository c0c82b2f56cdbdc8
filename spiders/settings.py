"""Scrapy settings for one crawl: politeness and limits come from the config."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from .config import CrawlConfig

VERSION = version("news-archive-pipeline")  # the installed package's (pyproject.toml)
LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"


def scrapy_settings(config: CrawlConfig) -> dict[str, Any]:
    settings = base_settings(config)
    if config.shared_rate_limit_per_s:
        settings["SHARED_RATE_LIMIT_REDIS_URL"] = config.redis_url or "redis://127.0.0.1:6379/0"
        settings["SHARED_RATE_LIMIT_PER_SECOND"] = config.shared_rate_limit_per_s
        settings["DOWNLOADER_MIDDLEWARES"]["spiders.ratelimit.SharedRateLimitMiddleware"] = 590
    return settings


def base_settings(config: CrawlConfig) -> dict[str, Any]:
    return {
        "BOT_NAME": "news-archive-pipeline",
        "USER_AGENT": f"news-archive-pipeline/{VERSION} (+{config.contact})",
        "ROBOTSTXT_OBEY": True,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy 2.19's remote control runs a local HTTP server that executes
        # Python: a crawl child must listen on no port.
        "REMOTE_CONTROL_ENABLED": False,
        "CONCURRENT_REQUESTS": max(16, config.concurrency_per_domain),
        "CONCURRENT_REQUESTS_PER_DOMAIN": config.concurrency_per_domain,
        "DOWNLOAD_DELAY": config.download_delay,
        "AUTOTHROTTLE_ENABLED": config.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(config.download_delay, 0.1),
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(config.concurrency_per_domain),
        # Scrapy starts this many tasks per response to process its output; an
        # article page yields one item, a listing page a few dozen requests.
        "CONCURRENT_ITEMS": 16,
        "DOWNLOAD_TIMEOUT": config.download_timeout,
        "DOWNLOAD_MAXSIZE": config.max_page_bytes,
        "DOWNLOAD_WARNSIZE": min(config.max_page_bytes, 5 * 1024 * 1024),
        "REDIRECT_MAX_TIMES": 10,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": config.retries,
        "RETRY_HTTP_CODES": [429, 500, 502, 503, 504, 408, 522, 524],
        "RETRY_BACKOFF_BASE": 0.5,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "spiders.middlewares.BackoffRetryMiddleware": 550,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "spiders.middlewares.StrictRobotsTxtMiddleware": 100,
            # Before robots.txt: an off-site URL is refused before its robots.txt is asked.
            "spiders.middlewares.SiteHostsMiddleware": 60,
        },
        # Only http(s): no file://, ftp://, s3:// or data: requests, whatever a page links to.
        "DOWNLOAD_HANDLERS": {"file": None, "ftp": None, "s3": None, "data": None},
        "ITEM_PIPELINES": {"spiders.scrapy_pipeline.ScrapyArchivePipeline": 300},
        "EXTENSIONS": {"spiders.extensions.ProgressFile": 500},
        "LOGSTATS_INTERVAL": 10.0,
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": LOG_FORMAT,
    }
