"""Scrapy side: the archive spider, its pipeline and settings, and the runner
that starts every crawl in a child process."""
