"""The article-extraction benchmark's metric (see ../shared/README.md).

Texts become `\\w+` tokens (case kept), then overlapping 4-token shingles
counted as multisets. Per page tp/fp/fn are divided by tp+fp+fn so long pages
weigh no more than short ones; precision and recall are averaged over pages
and F1 is computed from the two averages. Accuracy: the share of pages whose
token sequence equals the truth's exactly.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_TOKEN_RE = re.compile(r"\w+")
SHINGLE = 4


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def shingles(words: list[str]) -> Counter[tuple[str, ...]]:
    if len(words) < SHINGLE:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


@dataclass
class PageScore:
    tp: float
    fp: float
    fn: float
    exact: bool


def score_page(predicted: str, truth: str) -> PageScore:
    predicted_tokens, truth_tokens = tokens(predicted), tokens(truth)
    p, t = shingles(predicted_tokens), shingles(truth_tokens)
    tp = sum((p & t).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    exact = predicted_tokens == truth_tokens
    if total == 0:  # both empty: a perfect answer
        return PageScore(1.0, 0.0, 0.0, exact)
    return PageScore(tp / total, fp / total, fn / total, exact)


@dataclass
class Summary:
    precision: float
    recall: float
    f1: float
    accuracy: float


def summarise(scores: list[PageScore]) -> Summary:
    precisions = [s.tp / (s.tp + s.fp) if s.tp + s.fp else 0.0 for s in scores]
    recalls = [s.tp / (s.tp + s.fn) if s.tp + s.fn else 0.0 for s in scores]
    precision = sum(precisions) / len(scores)
    recall = sum(recalls) / len(scores)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = sum(s.exact for s in scores) / len(scores)
    return Summary(precision, recall, f1, accuracy)
