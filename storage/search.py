"""The search query language, one meaning on both databases.

    oil exports          both words (any order)
    "oil exports"        the phrase
    oil OR gas           either word
    oil -exports         oil, not exports
    expor*               words starting with "expor"

Words are matched as written (case folded, accents kept, no stemming), on
SQLite's FTS5 and PostgreSQL's tsvector alike, so both return the same
articles for the same query (ranking may differ). A query is parsed here and
rendered for each database from words made only of word characters, then
bound as a parameter: no user text ever reaches either syntax.

Ranking: SQLite ranks every match by FTS5's bm25 from its index (ORDER BY
rank LIMIT). PostgreSQL ranks the SEARCH_CANDIDATES most recently stored
matches by ts_rank and returns the best of those: a ranking needs each
match's tsvector, read from TOAST, and ranking every match of a common word
takes half a second at 100,000 articles (bench/store.py). When no more match
than that, the order is the full ranking's (tests/test_bulk_store.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN_RE = re.compile(r'"([^"]*)"|(\S+)')
_WORD_RE = re.compile(r"\w+")


# What PostgreSQL searches (migration 0006's words as written): the title,
# weighted above the body, and the body. Computed after the write by the
# search indexer (storage/search_index.py, migration 0009); `{a}` is the
# articles table's alias in the statement.
PG_SEARCH_VECTOR = ("setweight(to_tsvector('simple', coalesce({a}.title, '')), 'A') || "
                    "to_tsvector('simple', coalesce({a}.body, ''))")

# PostgreSQL ranks this many of the newest matches (above). At 100,000
# articles a search took a median 10 ms with 1,000 (7 ms with 500, 15 ms with
# 2,000); ranking every match of a common word took 470 ms.
SEARCH_CANDIDATES = 1000


class QueryError(ValueError):
    """A query with nothing to look for."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase
    prefix: bool = False  # the last word is a prefix
    negated: bool = False


# A query: clauses all of which must hold; a clause: terms any of which may.
Query = list[list[Term]]


def parse(text: str) -> Query:
    clauses: Query = []
    join_next = False
    for phrase, bare in _TOKEN_RE.findall(text):
        if bare == "OR":
            join_next = bool(clauses)
            continue
        raw = phrase if phrase or not bare else bare
        negated = bool(bare) and bare.startswith("-") and len(bare) > 1
        words = tuple(w.lower() for w in _WORD_RE.findall(raw))
        if not words:
            continue
        term = Term(words, prefix=bool(bare) and bare.endswith("*"), negated=negated)
        if join_next and not negated and not any(t.negated for t in clauses[-1]):
            clauses[-1].append(term)
        else:
            clauses.append([term])
        join_next = False
    if not any(not t.negated for clause in clauses for t in clause):
        raise QueryError("the search query has no words to look for")
    return clauses


def to_fts5(query: Query) -> str:
    """FTS5 MATCH syntax: NOT is binary there, so negations come last."""
    def term(t: Term) -> str:
        quoted = '"' + " ".join(t.words) + '"'
        return quoted + ("*" if t.prefix else "")

    positive = [c for c in query if not c[0].negated]
    negative = [c[0] for c in query if c[0].negated]
    text = " AND ".join("(" + " OR ".join(term(t) for t in clause) + ")" for clause in positive)
    for t in negative:
        text += f" NOT {term(t)}"
    return text


def to_tsquery(query: Query) -> str:
    """PostgreSQL to_tsquery('simple', ...) syntax."""
    def term(t: Term) -> str:
        parts = [f"'{w}'" for w in t.words]
        if t.prefix:
            parts[-1] += ":*"
        text = " <-> ".join(parts)
        if len(parts) > 1:
            text = f"({text})"
        return f"!{text}" if t.negated else text

    return " & ".join("(" + " | ".join(term(t) for t in clause) + ")" for clause in query)
