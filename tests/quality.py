"""Body quality against a generated site's truth: paragraph-level precision,
recall and F1 (a paragraph counts when it matches a truth paragraph exactly,
whitespace folded; each truth paragraph matched once), and a token-level F1
(casefolded word tokens, as bags). For the crawl tests of sites we generate
(replica/newsroom.py), whose truth is the body as the reader sees it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class BodyScore:
    precision: float
    recall: float
    f1: float
    token_f1: float

    def __str__(self) -> str:
        return (f"P {self.precision:.3f} R {self.recall:.3f} F1 {self.f1:.3f} "
                f"token F1 {self.token_f1:.3f}")


def blocks_of(body: str | Iterable[str]) -> list[str]:
    """A stored body ("\\n\\n" between blocks) or a list of blocks, each
    whitespace-folded, empty ones left out."""
    parts = body.split("\n\n") if isinstance(body, str) else body
    return [folded for part in parts if (folded := " ".join(part.split()))]


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _overlap(truth: Counter[str], got: Counter[str]) -> tuple[float, float, float]:
    if not truth and not got:
        return 1.0, 1.0, 1.0  # nothing to find, nothing found
    matched = sum((truth & got).values())
    precision = matched / sum(got.values()) if got else 0.0
    recall = matched / sum(truth.values()) if truth else 0.0
    return precision, recall, _f1(precision, recall)


def score_body(truth: Iterable[str], body: str | Iterable[str]) -> BodyScore:
    """How well `body` (a stored body or its blocks) matches the `truth` blocks."""
    want, got = blocks_of(truth), blocks_of(body)
    precision, recall, f1 = _overlap(Counter(want), Counter(got))
    tokens = [Counter(_TOKEN_RE.findall(" ".join(b).casefold())) for b in (want, got)]
    return BodyScore(precision, recall, f1, _overlap(tokens[0], tokens[1])[2])


def mean_score(scores: Iterable[BodyScore]) -> BodyScore:
    """The per-page figures averaged (macro): each article weighs the same."""
    listed = list(scores)
    if not listed:
        raise ValueError("no scores to average")
    return BodyScore(*(sum(getattr(s, name) for s in listed) / len(listed)
                       for name in ("precision", "recall", "f1", "token_f1")))
