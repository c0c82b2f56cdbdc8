"""The docs' command blocks: how many run, how many are marked illustrative,
and that each mark says why (the blocks themselves run from the root
conftest.py, through tests/docs_examples.py)."""

from __future__ import annotations

import re

from tests.docs_examples import DOCUMENTS, ROOT

SKIP_RE = re.compile(r'<!-- skip: next "([^"]+)" -->\n```sh\n')


def test_every_illustrative_block_says_why_and_most_blocks_run():
    documents = sorted({p for pattern in DOCUMENTS for p in ROOT.glob(pattern)})
    blocks = illustrative = 0
    for path in documents:
        text = path.read_text(encoding="utf-8")
        blocks += text.count("```sh\n")
        marked = SKIP_RE.findall(text)
        illustrative += len(marked)
        assert text.count("<!-- skip") == len(marked), f"{path}: a skip mark without its reason"
    print(f"docs: {blocks} command blocks, {blocks - illustrative} run, "
          f"{illustrative} illustrative")
    assert blocks - illustrative >= 3
