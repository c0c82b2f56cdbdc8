"""Prefect flows: thin orchestration over spiders/, cleaning/ and storage/."""
