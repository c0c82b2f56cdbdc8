"""Ingest: a raw page becomes a stored revision. What every path shares (the
pool of cleaning processes with its budget per page, the rule for rows the
database refuses, the display-name rule) and the paths that do not fetch
(WARC import, re-extraction, the names' mend). It sits above `storage`
(which it writes through) and `sites` (which reads the pages), below the
spiders, flows and CLI that call it."""
