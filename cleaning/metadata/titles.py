"""The article's title: the page's <h1> when it agrees with the headline the
page declares, else the declared headline without its site name."""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urlsplit

from ..text import clean_inline
from .head import TITLE_SEPARATORS_RE, PageMeta

_TITLE_SEPARATOR_KEEP_RE = re.compile(r"((?<!\s)\s+(?:\||-|–|—|::|·|»)\s+)")
_WORD_RE = re.compile(r"\w+")
_STOPWORDS = frozenset(
    "the a an of in on at to for and or is are was be with by from as it its this that".split())


def words(text: str) -> list[str]:
    return _WORD_RE.findall(text.casefold())


def _content_words(text: str) -> set[str]:
    return {w for w in words(text) if w not in _STOPWORDS and len(w) > 1}


def comparable(text: str) -> str:
    return "".join(words(text))


def strip_site_name(title: str, meta: PageMeta, url: str = "") -> str:
    """A declared title without its site name and the sections printed beside
    it ("Story | World | News | Express.co.uk", "Site: Story")."""
    sites = {comparable(n) for n in meta.site_names()}
    label, _, rest = title.partition(": ")
    if rest and comparable(label) in sites:
        title = rest  # "Site: Headline"
    pieces = _TITLE_SEPARATOR_KEEP_RE.split(title)  # part, separator, part, ...
    parts, separators = pieces[0::2], pieces[1::2]
    if len(parts) < 2:
        return title
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    label = host.split(".")[0] if host else ""

    def is_site(part: str) -> bool:
        normal = comparable(part)
        if not normal:
            return True
        if normal in sites or any(s in normal or normal in s for s in sites
                                  if len(s) >= 4 and len(normal) >= 4):
            return True
        return len(label) >= 3 and normal.startswith(label) and len(normal) <= len(label) + 6

    chain = len(parts) >= 3
    while len(parts) > 1 and is_site(parts[-1]):
        parts.pop()
        separators.pop()
        # Section names printed between the headline and the site name
        # ("Story | World | News | Express.co.uk").
        while chain and len(parts) > 1 and len(parts[-1].split()) <= 2 \
                and is_site_section(parts[-1]):
            parts.pop()
            separators.pop()
    while len(parts) > 1 and is_site(parts[0]):
        parts.pop(0)
        separators.pop(0)
    return "".join(p + s for p, s in zip(parts, [*separators, ""], strict=True))


def is_site_section(part: str) -> bool:
    return bool(part) and part[:1].isupper() and len(part) <= 30


def declared_titles(meta: PageMeta, url: str = "") -> list[str]:
    """The headlines the page declares, best first, without site names."""
    titles: list[str] = []
    headline = meta.jsonld.get("headline") or meta.jsonld.get("name")
    if isinstance(headline, str):
        titles.append(clean_inline(html_lib.unescape(headline)))
    titles += meta.microdata.get("headline", [])[:1]
    for candidate in (meta.first("og:title"), meta.first("twitter:title"),
                      meta.first("dc.title", "dcterms.title", "sailthru.title", "parsely-title"),
                      meta.title):
        if candidate:
            titles.append(strip_site_name(clean_inline(html_lib.unescape(candidate)), meta, url))
    return [t for t in dict.fromkeys(titles) if t]


def agrees(h1: str, declared: list[str], meta: PageMeta) -> bool:
    """Whether an <h1> is this article's headline: it shares words with one
    the page declares, and is not the site's name."""
    if not h1 or comparable(h1) in {comparable(n) for n in meta.site_names()}:
        return False
    if comparable(h1) in {comparable(t) for t in (meta.title, meta.first("og:title")) if t}:
        return True  # the page's own title, site name and all
    if meta.title and comparable(h1) != comparable(meta.title):
        # The site's name is the part of <title> after the headline.
        tail = TITLE_SEPARATORS_RE.split(meta.title)[1:]
        if any(comparable(h1) == comparable(part) for part in tail):
            return False
    mine = _content_words(h1)
    for title in declared:
        if comparable(title) == comparable(h1):
            return True
        shared = mine & _content_words(title)
        if len(shared) >= 2 or (mine and len(shared) >= 0.5 * len(mine)):
            return True
    return not declared


def article_title(h1s: list[str], meta: PageMeta, url: str = "") -> str:
    """The article's headline (see the module's precedence)."""
    if len(h1s) == 1:
        # The common case, cheaply: the <h1> is the declared headline, or the
        # head of the og:title ("Headline - Site").
        h1 = clean_inline(h1s[0])
        headline = meta.jsonld.get("headline")
        for raw in (headline if isinstance(headline, str) else None, meta.first("og:title")):
            if raw and h1 and comparable(TITLE_SEPARATORS_RE.split(raw)[0]) == comparable(h1) \
                    and comparable(h1) not in {comparable(n) for n in meta.site_names()}:
                return h1
    declared = declared_titles(meta, url)
    h1 = next((h for h in (clean_inline(h) for h in h1s) if agrees(h, declared, meta)), "")
    if not h1:
        return declared[0] if declared else ""
    main = declared[0] if declared else ""
    if main and comparable(main) != comparable(h1):
        mine, theirs = words(h1), words(main)
        # The <h1> is the declared headline with a kicker or label put before
        # it ("LIVE: ..."). Not when the declared one is the <h1>'s start: a
        # headline cut to length, or a title whose end was taken for a site name.
        if 0 < len(theirs) < len(mine) and _contains(mine, theirs) \
                and mine[: len(theirs)] != theirs:
            return main
    return h1


def _contains(haystack: list[str], needle: list[str]) -> bool:
    size = len(needle)
    return any(haystack[i:i + size] == needle for i in range(len(haystack) - size + 1))
