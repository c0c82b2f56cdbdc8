"""Ingest: pages that did not come from a live crawl's fetch become stored
revisions here (WARC import, re-extraction, name mending). It sits above
`storage` (which it writes through) and `sites` (which reads the pages),
below the spiders, flows and CLI that call it."""
