"""What cleaning a page came to, as a plain value: an article, or why not.
For callers that clean in worker processes (a crawl, re-extraction), where
a value crosses the process boundary more safely than an exception."""

from __future__ import annotations

from dataclasses import dataclass

from w3lib.encoding import http_content_type_encoding

from .errors import ExtractionError, NotAnArticle
from .extract import Profile, extract_article
from .models import Article
from .quality import gate
from .urls import storage_key


@dataclass
class Cleaned:
    """An article, or why the page did not make one: "not_an_article" or
    "parse_error" with the cleaner's reason, a quality gate's reason
    ("too_short", "boilerplate_leaked", ...); "cleaner_crashed", transient,
    when the process cleaning it died."""

    article: Article | None = None
    problem: str | None = None
    detail: str = ""
    transient: bool = False


def clean_page(body: bytes | str, url: str, site: str | Profile,
               content_type: str | None = None) -> Cleaned:
    """`extract_article` with the fallback to generic, then the quality gate;
    never raising. The one way a raw page becomes a storable article.
    `content_type`: the HTTP header, whose charset is tried first."""
    charset = http_content_type_encoding(content_type) if content_type else None
    try:
        article = extract_article(body, url, site=site, fallback=True, declared_charset=charset)
    except NotAnArticle as error:
        return Cleaned(problem="not_an_article", detail=error.reason)
    except ExtractionError as error:
        return Cleaned(problem="parse_error", detail=error.reason)
    problem = gate(article)
    if problem is not None:
        return Cleaned(problem=problem[0], detail=problem[1])
    key, declared = storage_key(url, article.canonical_url)
    if key != article.canonical_url:  # the page's canonical link names another page
        article = article.model_copy(update={"canonical_url": key,
                                             "declared_canonical": declared})
    return Cleaned(article=article)
