"""Search says what it does: words, phrases, OR, -word and prefix* mean the
same on SQLite and PostgreSQL, words match as written (no stemming), and
articles in other languages are found by their own words."""

from __future__ import annotations

import pytest

from replica.divi import Post, article_page
from sites import extract_article
from storage.search import QueryError, parse, to_fts5, to_tsquery
from storage.store import ArticleStore, PageRecord
from tests.test_reextract import FETCHED

pytestmark = pytest.mark.integration
BASE = "https://eng-archive.aawsat.com/theaawsat/news-middle-east/"
BODIES = {
    "oil": "Oil exports rose sharply in the spring, the ministry said on Monday morning.",
    "gas": "Gas prices fell while oil output stayed flat across the region this month.",
    "exported": "The company exported grain to Egypt and Lebanon during the past winter.",
    "arabic": "قالت الحكومة إن المحادثات ستستأنف يوم الاثنين بعد توقف دام ثلاثة أسابيع.",
    "geneva": "Le ministre a déclaré à Genève que les négociations reprendraient lundi matin.",
}


@pytest.fixture
def store(db_url) -> ArticleStore:
    store = ArticleStore(db_url)
    records = []
    for slug, sentence in BODIES.items():
        html = article_page(Post(slug=slug, title=f"Report {slug}",
                                 body_html=f"<p>{sentence}</p><p>{sentence}</p>"))
        records.append(PageRecord(article=extract_article(html, BASE + slug, site="aawsat"),
                                  fetched_at=FETCHED))
    store.upsert_articles(records)
    return store


def found(store: ArticleStore, query: str) -> set[str]:
    hits = {hit["canonical_url"].removeprefix(BASE) for hit in store.search(query, limit=50)}
    assert store.count_matches(query) == len(hits)
    return hits


@pytest.mark.parametrize("query, expected", [
    ("oil exports", {"oil"}),
    ('"oil exports"', {"oil"}),
    ('"exports oil"', set()),
    ("oil", {"oil", "gas"}),
    ("oil -exports", {"gas"}),
    ("expor*", {"oil", "exported"}),
    ("exported", {"exported"}),  # as written: no stemming into "exports"
    ("grain OR gas", {"exported", "gas"}),
    ("Oil OR grain -gas", {"oil", "exported"}),
    ("المحادثات", {"arabic"}),
    ("Genève", {"geneva"}),
    ("négociations lundi", {"geneva"}),
])
def test_one_query_one_set_on_both_databases(store, query, expected):
    assert found(store, query) == expected


@pytest.mark.parametrize("query", ["", "***", "-oil", "OR"])
def test_a_query_with_nothing_to_look_for_is_refused(query):
    with pytest.raises(QueryError):
        parse(query)


def test_user_text_never_reaches_either_syntax():
    parsed = parse('oil") OR 1=1 -- \' & !x:* NEAR(a b)')
    for rendered in (to_fts5(parsed), to_tsquery(parsed)):
        assert "--" not in rendered and "1=1" not in rendered and "NEAR(" not in rendered
