"""The documents' command blocks, collected as tests (tests/docs_examples.py)."""

import pytest

from tests.docs_examples import sybil_collector

pytest_collect_file = sybil_collector()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The blocks run real commands (crawls, servers): never in `make unit`.
    for item in items:
        if item.path.suffix == ".md":
            item.add_marker(pytest.mark.integration)
