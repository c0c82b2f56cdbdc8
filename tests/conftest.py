from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE_PAGES = ROOT / "tests" / "site" / "pages"
SHARED = ROOT.parent / "shared"
SEED_URL = "https://eng-archive.aawsat.com/theaawsat/news-middle-east/syria-assad-troops-advance-in-homs"


def page_bytes(name: str) -> bytes:
    return (SITE_PAGES / name).read_bytes()


@pytest.fixture
def seed_html() -> bytes:
    return page_bytes("syria-assad-troops-advance-in-homs.html")


@pytest.fixture
def seed_text_blocks() -> list[str]:
    """The seed's article text, from the dateline to the end, one block a paragraph."""
    lines = (SHARED / "seed" / "page-text.txt").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Beirut, Asharq Al-Awsat"))
    return [" ".join(line.split()) for line in lines[start:] if line.strip()]
