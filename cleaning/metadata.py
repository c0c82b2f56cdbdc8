"""What a page says about itself: <title>, meta tags (Open Graph, Dublin
Core, PRISM, Parse.ly, Sailthru, `byl`), the canonical link, language,
JSON-LD and microdata. Read once per page; profiles fall back on it.

Precedence, for every profile that asks (`article_title`, `article_authors`,
`date_candidates`):

- title: the page's <h1> when it agrees with the headline the page declares
  (JSON-LD `headline`, og:title, <title>), except where the <h1> is that
  headline with a kicker or ticker added ("LIVE: ..."): then the declared
  headline; a declared headline loses its site suffix ("... | Site").
- authors: people first (JSON-LD, microdata, meta, then the byline's
  markup), else the organisation that is the byline (a wire agency, a house
  byline); never the publisher beside a person, an e-mail, a URL, an id.
- date: JSON-LD `datePublished`, then publication meta tags, then microdata
  and <time> in the page.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag

from .text import clean_inline
from .tree import FoldedText, NearestAncestor, Subtrees

_HEAD_TAGS = frozenset({"meta", "title", "link", "script"})
# schema.org's article types: every *Article (NewsArticle and its subtypes
# ReportageNewsArticle, AnalysisNewsArticle, OpinionNewsArticle,
# BackgroundNewsArticle, ReviewNewsArticle, AskPublicNewsArticle;
# ScholarlyArticle, TechArticle, SatiricalArticle ...), the postings, Report.
_ARTICLE_TYPE_RE = re.compile(
    r"(?:Article|BlogPosting|LiveBlogPosting|SocialMediaPosting|Report|ReportageNews)$")
_PAGE_TYPE_RE = re.compile(r"WebPage$")  # WebPage, MedicalWebPage, ItemPage: a weaker source
_ORG_TYPE_RE = re.compile(r"Organization$|^Corporation$|^NGO$|^NewsMediaOrganization$")


@dataclass
class PageMeta:
    title: str = ""
    canonical: str | None = None
    language: str | None = None
    body_classes: frozenset[str] = frozenset()
    meta: dict[str, list[str]] = field(default_factory=dict)
    # The page's article object, if any, its author references resolved.
    jsonld: dict[str, Any] = field(default_factory=dict)
    # Every JSON-LD object of the page, nested ones included.
    jsonld_objects: list[dict[str, Any]] = field(default_factory=list)
    # Microdata of the page's article (itemtype *Article): headline, author, datePublished.
    microdata: dict[str, list[str]] = field(default_factory=dict)
    _site_names: list[str] | None = field(default=None, repr=False, compare=False)

    def first(self, *names: str) -> str | None:
        for name in names:
            values = self.meta.get(name)
            if values:
                return values[0]
        return None

    def all(self, name: str) -> list[str]:
        return self.meta.get(name, [])

    def site_names(self) -> list[str]:
        """What the site calls itself: og:site_name, application-name, the
        JSON-LD publisher and WebSite names, the <title>'s tail."""
        if self._site_names is None:
            self._site_names = self._read_site_names()
        return self._site_names

    def _read_site_names(self) -> list[str]:
        names = [*self.all("og:site_name"), *self.all("application-name")]
        publisher = self.jsonld.get("publisher")
        names += jsonld_names(publisher)
        for item in self.jsonld_objects:
            if _types(item) & {"WebSite"} and isinstance(item.get("name"), str):
                names.append(item["name"])
        # "Headline - Site": the last part of a <title> cut by a separator.
        parts = _TITLE_SEPARATORS_RE.split(self.title)
        if len(parts) > 1 and len(parts[-1]) <= 60:
            names.append(parts[-1])
        return [clean_inline(n) for n in names if clean_inline(n)]


def read_meta(soup: BeautifulSoup, tags: list[Tag] | None = None) -> PageMeta:
    """The page's metadata. `tags`: every tag of `soup` in document order,
    if the caller has them (a plain list is much cheaper to filter than a
    bs4 search by name, which costs milliseconds on a large page)."""
    page = PageMeta()
    if tags is None:
        tags = soup.find_all(True)
    html_tag = next((t for t in tags if t.name == "html"), None)
    if html_tag is not None:
        lang = html_tag.get("lang") or html_tag.get("xml:lang")
        if isinstance(lang, str) and lang.strip():
            page.language = lang.strip().split("-")[0].lower()
    body = next((t for t in tags if t.name == "body"), None)
    if body is not None:
        page.body_classes = frozenset(body.get("class") or [])
    scripts: list[str] = []
    microdata = _Microdata(soup, tags)
    in_svg = NearestAncestor(lambda tag: tag.name == "svg")
    # Meta tags and JSON-LD also sit in <body>: the whole page is read.
    for tag in tags:
        name = tag.name
        if name in _HEAD_TAGS:
            if name == "meta":
                key = tag.get("property") or tag.get("name") or tag.get("itemprop")
                content = tag.get("content")
                if isinstance(key, str) and isinstance(content, str) and content.strip():
                    page.meta.setdefault(key.strip().lower(), []).append(clean_inline(content))
            elif name == "title":
                if not page.title and in_svg(tag) is None:
                    page.title = clean_inline(tag.get_text())
            elif name == "link":
                rel: list[str] | str = tag.get("rel") or []
                href = tag.get("href")
                if page.canonical is None and "canonical" in rel and isinstance(href, str):
                    page.canonical = href.strip() or None
            elif tag.get("type") == "application/ld+json":
                scripts.append(tag.string or tag.get_text())
        if "itemprop" in tag.attrs and name != "meta":
            microdata.read(tag, page.microdata)
    objects: list[dict[str, Any]] = []
    for raw in scripts:
        objects.extend(_flatten(parse_jsonld(raw)))
    page.jsonld_objects = objects
    page.jsonld = _article_object(objects) or {}
    return page


# --- JSON-LD ------------------------------------------------------------------------------
_TRAILING_COMMA_RE = re.compile(r",\s*([\]}])")
_LINE_COMMENT_RE = re.compile(r"(?<![:\"'\w\\])//[^\n]*")
_WRAPPER_RE = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?://\s*)?(?:\]\]>|-->)\s*$")
_FIELD_RE = {
    name: re.compile(rf'"{name}"\s*:\s*"((?:[^"\\]|\\.)*)"')
    for name in ("@type", "headline", "datePublished", "dateCreated")
}
_AUTHOR_NAME_RE = re.compile(r'"author"\s*:\s*\[?\s*(?:"((?:[^"\\]|\\.)*)"|\{[^{}]*?"name"\s*:\s*'
                             r'"((?:[^"\\]|\\.)*)")')


def parse_jsonld(raw: str) -> list[Any]:
    """Every JSON value in one <script type="application/ld+json">, tolerating
    what sites get wrong: comments, trailing commas, raw newlines in strings,
    several objects one after another, HTML comment wrappers. What still does
    not parse gives the fields a regex can read (type, headline, dates, author)."""
    text = _WRAPPER_RE.sub("", raw.strip())
    if not text:
        return []
    for attempt in (text, _repair(text)):
        values = _decode_all(attempt)
        if values is not None:
            return values
    salvaged: dict[str, Any] = {}
    for name, pattern in _FIELD_RE.items():
        match = pattern.search(text)
        if match:
            salvaged[name] = _unescape(match.group(1))
    author = _AUTHOR_NAME_RE.search(text)
    if author:
        salvaged["author"] = {"name": _unescape(author.group(1) or author.group(2))}
    return [salvaged] if salvaged else []


def _repair(text: str) -> str:
    text = _strip_block_comments(text)
    text = _LINE_COMMENT_RE.sub("", text)
    return _TRAILING_COMMA_RE.sub(r"\1", text)


def _strip_block_comments(text: str) -> str:
    """`re.sub(r"/\\*.*?\\*/", "", text, flags=re.S)` in linear time (that regex
    reads from every unclosed "/*" to the end): once no "*/" follows a "/*",
    none follows a later one either."""
    pieces: list[str] = []
    done = 0
    while (start := text.find("/*", done)) >= 0 and (end := text.find("*/", start + 2)) >= 0:
        pieces.append(text[done:start])
        done = end + 2
    return "".join(pieces) + text[done:] if pieces else text


def _decode_all(text: str) -> list[Any] | None:
    decoder = json.JSONDecoder(strict=False)
    values: list[Any] = []
    position = 0
    try:
        while position < len(text):
            value, position = decoder.raw_decode(text, position)
            values.append(value)
            while position < len(text) and text[position] in " \t\r\n;,":
                position += 1
    except (ValueError, RecursionError):
        return values or None
    return values


def _unescape(value: str) -> str:
    try:
        decoded: str = json.loads(f'"{value}"', strict=False)
        return decoded
    except ValueError:
        return value


def _flatten(values: list[Any]) -> list[dict[str, Any]]:
    """Every object in the JSON-LD, nested @graph, mainEntity and list items
    included, in document order."""
    found: list[dict[str, Any]] = []
    stack: list[Any] = list(reversed(values))
    seen = 0
    while stack and seen < 5000:
        seen += 1
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            found.append(item)
            for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement",
                        "hasPart", "item"):
                if isinstance(item.get(key), (dict, list)):
                    stack.append(item[key])
    return found


def _types(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type") or item.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)}


def jsonld_types(item: dict[str, Any]) -> set[str]:
    """An object's schema.org types by name ("https://schema.org/AboutPage": AboutPage)."""
    return _types(item)


def is_article_type(kind: str) -> bool:
    """NewsArticle, BlogPosting, Report...: the types `jsonld` is chosen by."""
    return _ARTICLE_TYPE_RE.search(kind) is not None


def _article_object(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The page's article: the first object of an article type; else a web
    page object that carries a headline or a publication date. Its author
    references ({"@id": ...}) are resolved through the page's other objects."""
    chosen = next((o for o in objects
                   if any(_ARTICLE_TYPE_RE.search(t) for t in _types(o))), None)
    if chosen is None:
        chosen = next((o for o in objects if any(_PAGE_TYPE_RE.search(t) for t in _types(o))
                       and ("headline" in o or "datePublished" in o)), None)
    if chosen is None:
        return None
    by_id = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str) and len(o) > 1}
    resolved = dict(chosen)
    for key in ("author", "creator", "publisher"):
        value = resolved.get(key)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        resolved[key] = [by_id.get(i["@id"], i) if isinstance(i, dict) and "@id" in i
                         and len(i) == 1 else i for i in items]
    if "author" not in resolved and "creator" in resolved:
        resolved["author"] = resolved["creator"]
    return resolved


def jsonld_names(value: Any) -> list[str]:
    """Names from a JSON-LD person/organisation/list field."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list):
            name = next((n for n in name if isinstance(n, str)), None)
        if isinstance(name, str) and clean_inline(html_lib.unescape(name)):
            names.append(clean_inline(html_lib.unescape(name)))
    return names


def jsonld_people(value: Any) -> tuple[list[str], list[str]]:
    """(people, organisations) named by a JSON-LD author field."""
    people: list[str] = []
    organisations: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        names = jsonld_names(item)
        if isinstance(item, dict) and any(_ORG_TYPE_RE.search(t) for t in _types(item)):
            organisations += names
        else:
            people += names
    return people, organisations


# --- microdata ----------------------------------------------------------------------------
_MICRODATA_PROPS = frozenset({"headline", "author", "datepublished", "datecreated"})


# A value longer than this is not a headline, a name or a date, and a page
# names no more than this many of each: what nested itemprops (each one's
# value holding all those below it) can cost is bounded.
MICRODATA_CHARS = 10_000
MICRODATA_VALUES = 100
_SMALL_SUBTREE = 64  # tags below an element whose text is read directly


class _Microdata:
    """Reads the itemprops of the page's article (see `read`)."""

    def __init__(self, soup: BeautifulSoup, tags: list[Tag]) -> None:
        self.soup = soup
        self.tags = tags
        self.scope = NearestAncestor(lambda tag: tag.get("itemscope") is not None)
        self._index: Subtrees | None = None
        self._names: list[int] | None = None  # positions of itemprop="name" tags
        self._text: FoldedText | None = None

    def read(self, tag: Tag, found: dict[str, list[str]]) -> None:
        """An itemprop of the page's article (the nearest itemscope is of an
        article type): its value as microdata defines it."""
        props = str(tag.get("itemprop") or "").lower().split()
        wanted = [p for p in props if p in _MICRODATA_PROPS
                  and len(found.get(p, ())) < MICRODATA_VALUES]
        if not wanted:
            return
        scope = self.scope(tag)
        kind = str(scope.get("itemtype") or "") if scope is not None else ""
        if not any(_ARTICLE_TYPE_RE.search(k.rstrip("/")) for k in kind.split()):
            return
        if "author" in wanted and tag.has_attr("itemscope"):
            name = self._first_name_below(tag)
            if isinstance(name, Tag):
                tag = name
        value = tag.get("content") or tag.get("datetime")
        if value:
            value = clean_inline(value if isinstance(value, str) else " ".join(value))
        else:
            value = self._text_of(tag)
        if value and len(value) <= MICRODATA_CHARS:
            for prop in wanted:
                found.setdefault(prop, []).append(value)

    def _subtrees(self) -> Subtrees:
        if self._index is None:
            self._index = Subtrees(self.tags)
        return self._index

    def _first_name_below(self, tag: Tag) -> Tag | None:
        """`tag.find(True, attrs={"itemprop": "name"})`."""
        index = self._subtrees()
        if tag not in index:
            found = tag.find(True, attrs={"itemprop": "name"})
            return found if isinstance(found, Tag) else None
        if self._names is None:
            self._names = [i for i, t in enumerate(index.tags) if t.get("itemprop") == "name"]
        start = index.position[id(tag)]
        at = bisect_right(self._names, start)
        if at < len(self._names) and self._names[at] < index.end[start]:
            return index.tags[self._names[at]]
        return None

    def _text_of(self, tag: Tag) -> str:
        """`clean_inline(tag.get_text(" "))` ("" past MICRODATA_CHARS)."""
        index = self._subtrees()
        if tag not in index or index.end[index.position[id(tag)]] \
                - index.position[id(tag)] <= _SMALL_SUBTREE:
            return clean_inline(tag.get_text(" "))
        if self._text is None:
            self._text = FoldedText(self.soup)
        _, text = self._text.text(tag, MICRODATA_CHARS)
        return text or ""


# --- titles -------------------------------------------------------------------------------
# A separator's spaces are read from the start of their run only (`(?<!\s)`):
# the same matches, without trying every position of a long run of spaces
# (a quadratic search in a declared headline left unfolded).
_TITLE_SEPARATORS_RE = re.compile(r"(?<!\s)\s+(?:\||-|–|—|::|·|»)\s+")
_TITLE_SEPARATOR_KEEP_RE = re.compile(r"((?<!\s)\s+(?:\||-|–|—|::|·|»)\s+)")
_WORD_RE = re.compile(r"\w+")
_STOPWORDS = frozenset(
    "the a an of in on at to for and or is are was be with by from as it its this that".split())


def words(text: str) -> list[str]:
    return _WORD_RE.findall(text.casefold())


def _content_words(text: str) -> set[str]:
    return {w for w in words(text) if w not in _STOPWORDS and len(w) > 1}


def _normal(text: str) -> str:
    return "".join(words(text))


def strip_site_name(title: str, meta: PageMeta, url: str = "") -> str:
    """A declared title without its site name and the sections printed beside
    it ("Story | World | News | Express.co.uk", "Site: Story")."""
    sites = {_normal(n) for n in meta.site_names()}
    label, _, rest = title.partition(": ")
    if rest and _normal(label) in sites:
        title = rest  # "Site: Headline"
    pieces = _TITLE_SEPARATOR_KEEP_RE.split(title)  # part, separator, part, ...
    parts, separators = pieces[0::2], pieces[1::2]
    if len(parts) < 2:
        return title
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    label = host.split(".")[0] if host else ""

    def is_site(part: str) -> bool:
        normal = _normal(part)
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
    if not h1 or _normal(h1) in {_normal(n) for n in meta.site_names()}:
        return False
    if _normal(h1) in {_normal(t) for t in (meta.title, meta.first("og:title")) if t}:
        return True  # the page's own title, site name and all
    if meta.title and _normal(h1) != _normal(meta.title):
        # The site's name is the part of <title> after the headline.
        tail = _TITLE_SEPARATORS_RE.split(meta.title)[1:]
        if any(_normal(h1) == _normal(part) for part in tail):
            return False
    mine = _content_words(h1)
    for title in declared:
        if _normal(title) == _normal(h1):
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
            if raw and h1 and _normal(_TITLE_SEPARATORS_RE.split(raw)[0]) == _normal(h1) \
                    and _normal(h1) not in {_normal(n) for n in meta.site_names()}:
                return h1
    declared = declared_titles(meta, url)
    h1 = next((h for h in (clean_inline(h) for h in h1s) if agrees(h, declared, meta)), "")
    if not h1:
        return declared[0] if declared else ""
    main = declared[0] if declared else ""
    if main and _normal(main) != _normal(h1):
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


# --- authors ------------------------------------------------------------------------------
# Wire services and agencies: a byline of their own, but never a person's.
AGENCIES = frozenset((
    "ap", "associated press", "the associated press", "reuters", "afp", "agence france-presse",
    "dpa", "pa", "pti", "ians", "ani", "upi", "xinhua", "kyodo", "efe", "ansa", "anadolu",
    "tass", "bloomberg", "cnn", "bbc", "kuna", "wam", "spa", "sana", "irna", "yonhap",
    "press association", "the canadian press", "canadian press", "cnn wire",
    "science x staff", "staff", "agencies", "wire services",
))
_BY_RE = re.compile(
    r"^(?:(?:written|posted|published|reported|analysis|text|story|words|interview|"
    r"publicado|publicada|escrito|escrita|geschrieben|publié|pubblicato)\s+)?"
    r"(?:by|von|por|par|di|av|door|af|przez|de)\b[:\s]*", re.I)
# "... - Publicado por: Name": the byline starts at its "by", wherever it is;
# "Photo by" and the like name someone else.
_BY_INSIDE_RE = re.compile(
    r"(?:^|(?<=[\s|–—:-]))(?<!photo )(?<!photos )(?<!image )(?<!foto )(?<!video )"
    r"(?:(?:written|posted|published|reported|publicado|publicada|escrito|escrita|"
    r"geschrieben|publié|pubblicato)\s+)?(?:by|por|von|par|door)\b\s*:?\s*", re.I)
_HANDLE_RE = re.compile(r"(?<!\w)@\w+")
_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_PHONE_RE = re.compile(r"\(?\+?\d[\d\s().-]{6,}\d")
# A part of a byline that is a job title or a desk, not a name.
_ROLE_RE = re.compile(
    r"\b(?:writer|editor|editors|correspondent|reporter|reporters|columnist|contributor|"
    r"contributing|staff|desk|bureau|producer|analyst|editor-at-large|freelance|"
    r"journalist|intern|photographer|special to|news service|newsroom|chief|senior|"
    r"national|political|security)\b", re.I)
_JOINERS_RE = re.compile(r"\s*(?:,|;|\||&|\+|/)\s*|\s+[-–—]\s+|\s+(?:and|und|og|och|et|y|e|en|"
                         r"i|és|ja|и|ve|dan)\s+", re.I)
_DAYS_MONTHS = (r"(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|"
                r"dec)[a-z]*\.?")
# Where the names stop: a date, "updated", "published", a reading time.
_NAME_STOP_RE = re.compile(
    rf"\s+(?:on|am|at|le|il|el|o|em|op|de|du)\s+(?:\d|{_DAYS_MONTHS}\b)|"
    r"\s+(?:updated|published|posted|publiziert|veröffentlicht|publicado|publié|aggiornato|"
    r"last updated|read more|\d+\s+min)\b|\s+\d+\s+(?:comments?|shares?)\b", re.I)
# The rest of a day's or month's name is at most 40 letters: `\w*` there read
# every "mon" of a long word to the word's end (quadratic).
_DATE_TAIL_RE = re.compile(
    r"\s*(?:(?:mon|tue|wed|thu|fri|sat|sun)\w{0,40},?\s+)?(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}.*|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w{0,40}\.?\s+\d{1,2}\b.*|"
    r"\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*.*|\d{4}-\d{2}-\d{2}.*|"
    r"\d+\s+(?:min|hour|day|week)s?\s+ago.*|\d{1,2}:\d{2}.*)$", re.I)
# Accounts and placeholders that CMSs print where no byline was set.
NOT_A_NAME = frozenset(
    "admin administrator webmaster root user guest author editor unknown anonymous by "
    "redaktion redacción redação rédaction".split())
_CREDENTIALS = frozenset(
    "md phd rd ms ma mba mph rn dr jd msc bsc ba bs cpa esq do np pa-c lcsw ld cde".split())


_NON_SPACE_RE = re.compile(r"\S+")


def drop_emails(text: str) -> str:
    """`re.sub(r"\\S+@\\S+\\.\\w+", " ", text)` in linear time (the regex is
    cubic on "a@a@a@..."). In a run of non-space characters it matches from
    the run's start to the end of the word after the run's last "." that a
    word character follows, when an "@" stands between the run's second
    character and two characters before that "."; after it, the run holds
    no match."""
    if "@" not in text:
        return text
    return _NON_SPACE_RE.sub(lambda run: _drop_email(run.group()), text)


def _drop_email(run: str) -> str:
    dot = run.rfind(".")
    while dot >= 0 and not (dot + 1 < len(run) and _is_word_char(run[dot + 1])):
        dot = run.rfind(".", 0, dot)
    if dot < 3 or run.rfind("@", 1, dot - 1) < 0:
        return run
    end = dot + 1
    while end < len(run) and _is_word_char(run[end]):
        end += 1
    return " " + run[end:]


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # what `\w` matches


def split_byline(raw: str) -> list[str]:
    """The names in a byline as printed: "By A, B and C, Associated Press"
    -> [A, B, C, Associated Press]; e-mails, handles, URLs, phone numbers,
    dates, labels ("Categoria: ...") and credentials ("MS, RD") left out."""
    text = clean_inline(html_lib.unescape(raw))
    text = _URL_RE.sub(" ", drop_emails(text))
    text = clean_inline(_HANDLE_RE.sub(" ", _PHONE_RE.sub(" ", text)))
    by = _BY_INSIDE_RE.search(text)
    if by is not None and by.start() > 0:
        text = text[by.end():]
    text = _NAME_STOP_RE.split(text)[0]
    text = _DATE_TAIL_RE.sub("", text)
    text = _BY_RE.sub("", text.strip(" ,|-–—:"))
    # "Finian Cunningham. Sputnik International": a full stop after a word (not an initial).
    text = re.sub(r"(?<=\w{2})\.\s+(?=[A-Z])", ", ", text)
    names = []
    for part in _JOINERS_RE.split(text):
        part = _BY_RE.sub("", part.strip(" .,-–—:|\"'“”()"))
        if not part or part.lower() in _CREDENTIALS or not re.search(r"[^\W\d_]", part):
            continue
        if ":" in part or len(part) > 60 or len(part.split()) > 6:
            continue
        names.append(part)
    return names


def _strip_agency_suffix(name: str) -> tuple[str, str | None]:
    """("Eric Tucker", "Associated Press") from "ERIC TUCKER Associated Press"."""
    lowered = name.lower()
    for agency in sorted(AGENCIES - {"staff", "agencies"}, key=len, reverse=True):
        if len(agency) > 3 and lowered.endswith(" " + agency) and len(lowered) > len(agency) + 3:
            return name[: -len(agency)].strip(), name[-len(agency):]
    return name, None


def is_organisation(name: str, meta: PageMeta) -> bool:
    """A wire agency, the site or its publisher, a desk: not a person."""
    lowered = name.lower().strip()
    if lowered in AGENCIES or _ROLE_RE.search(lowered):
        return True
    normal = _normal(name)
    return any(normal and (normal == _normal(s) or (len(normal) >= 4 and normal in _normal(s)))
               for s in meta.site_names())


def _titlecase_if_shouting(name: str) -> str:
    if name.isupper() and len(name) > 3:
        return " ".join(w.capitalize() if len(w) > 1 else w for w in name.split())
    return name


def clean_people(raw_names: list[str], meta: PageMeta) -> tuple[list[str], list[str]]:
    """(people, organisations) in bylines or author fields, cleaned."""
    people: list[str] = []
    organisations: list[str] = []
    for raw in raw_names:
        if not raw or raw.strip().lower().startswith(("http", "//")) or raw.strip().isdigit():
            continue
        for part in split_byline(raw):
            if part.lower() in NOT_A_NAME:
                continue
            if is_organisation(part, meta):
                organisations.append(part)
                continue
            name, agency = _strip_agency_suffix(part)
            if agency:
                organisations.append(agency)
            if not name or name.lower() in NOT_A_NAME:
                continue
            if is_organisation(name, meta):
                organisations.append(name)
            elif sum(c.isdigit() for c in name) > 2:
                continue  # an id
            else:
                people.append(_titlecase_if_shouting(name))
    # One word beside full names is the outlet a piece came from ("Victor
    # Tangermann, Futurism"), not a second author.
    if any(len(p.split()) >= 2 for p in people):
        people = [p for p in people if len(p.split()) >= 2 or p.islower()]
    return _unique(people), _unique(organisations)


def article_authors(meta: PageMeta, bylines: list[str]) -> list[str]:
    """The article's authors (see the module's precedence). `bylines`: the
    texts of the page's byline markup, nearest the headline first."""
    people_ld, orgs_ld = jsonld_people(meta.jsonld.get("author"))
    printed_people: list[str] = []
    printed_orgs: list[str] = []
    for text in bylines:
        printed_people, printed_orgs = clean_people([text], meta)
        if printed_people or printed_orgs:
            break
    sources = [
        clean_people(people_ld, meta),
        clean_people(meta.microdata.get("author", []), meta),
        (printed_people, printed_orgs),
        clean_people([v for k in META_AUTHORS for v in meta.all(k)], meta),
    ]
    organisations: list[str] = []
    for people, orgs in sources:
        if people:
            # A byline that names these people and more (JSON-LD often lists the first only).
            mine = {_normal(p) for p in people}
            if len(printed_people) > len(people) and mine <= {_normal(p) for p in printed_people}:
                return printed_people
            return people
        organisations += orgs
    # No person anywhere: the organisation that is the byline, if the page
    # prints one; else one the article declares that is not its publisher.
    if printed_orgs:
        return printed_orgs[:3]
    publisher = {_normal(n) for n in meta.site_names()}
    declared = [o for o in _unique(organisations + orgs_ld) if _normal(o) not in publisher]
    return declared[:3]


META_AUTHORS = ("author", "byl", "dc.creator", "dcterms.creator", "sailthru.author",
                "parsely-author", "article:author", "citation_author", "dcsext.author")


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        key = _normal(value)
        if key and key not in seen:
            seen[key] = value
    return list(seen.values())


# --- dates --------------------------------------------------------------------------------
# Meta tags that give the publication time, most specific first.
PUBLISHED_META = (
    "article:published_time", "article:published", "article.published", "og:published_time",
    "og:pubdate", "datepublished", "publishdate", "publish-date", "publish_date", "pubdate",
    "publication_date", "published_time", "published_at", "published", "dc.date.issued",
    "dcterms.issued", "dcterms.created", "dc.date.created", "prism.publicationdate",
    "citation_publication_date", "citation_date", "parsely-pub-date", "sailthru.date",
    "dcsext.articlefirstpublished", "datecreated", "dc.date", "dcterms.date", "date", "pdate",
)


def date_candidates(meta: PageMeta) -> list[str]:
    """Publication times the page declares, best first (see the module's precedence)."""
    candidates: list[str] = []
    for key in ("datePublished", "dateCreated"):
        value = meta.jsonld.get(key)
        if isinstance(value, str):
            candidates.append(value)
    candidates += [v for key in PUBLISHED_META for v in meta.all(key)]
    candidates += meta.microdata.get("datepublished", []) + meta.microdata.get("datecreated", [])
    return candidates


def paywall_marks(meta: PageMeta) -> list[object]:
    """What the page declares about free access: JSON-LD `isAccessibleForFree`
    (of the article or of its parts), the same in microdata, and
    `article:content_tier` ("locked", "metered", "free")."""
    values: list[object] = [meta.jsonld.get("isAccessibleForFree")]
    parts = meta.jsonld.get("hasPart")
    for part in parts if isinstance(parts, list) else [parts]:
        if isinstance(part, dict):
            values.append(part.get("isAccessibleForFree"))
    values += meta.all("isaccessibleforfree") + meta.all("article:content_tier")
    return [v for v in values if v is not None]


# --- the page's own markup: bylines and <time> ----------------------------------------------
_BYLINE_WORD_RE = re.compile(
    r"(?:^|[-_\s])(?:byline|bylines|by-line|author|authors|authorname|author-name|author_name|"
    r"writer|posted-by|postedby|contributor|contributors|reporter)(?:$|[-_\s])", re.I)
_NOT_BYLINE_RE = re.compile(
    r"comment|widget|sidebar|related|footer|popular|trending|recommend|bio|avatar|image|img|"
    r"photo|follow|social|share|newsletter", re.I)
_BYLINE_CHARS = 150


def _marks(tag: Tag) -> str:
    classes = tag.get("class")
    words = classes if isinstance(classes, list) else [classes or ""]
    return " ".join([*words, str(tag.get("id") or "")])


_BY_START_RE = re.compile(
    r"^(?:(?:written|posted|published|publicado|publicada|reported|escrito|escrita|"
    r"geschrieben|publié|pubblicato)\s+)?(?:by|por|von|par|di|door|av|af)\b\s*:?\s*\S", re.I)
_BY_START_TAGS = frozenset("p div span li small em strong address section header dd a".split())
_WINDOW_BEFORE, _WINDOW_AFTER = 40, 250  # tags around the headline where bylines sit


def title_index(tags: list[Tag], title: str) -> int | None:
    """Where the headline sits among the page's tags: its <h1>, or failing
    that the page's first <article> or <main>.

    An <h1>'s text is read only when it has as many word characters as the
    headline, and not when the nearest <h1> around it has as many too (then
    both have the same words: it was read already). Nested <h1>s each read
    all the text below them: quadratic."""
    wanted = words(title)
    h1s = [(i, t) for i, t in enumerate(tags) if t.name == "h1"] if wanted else []
    if h1s:
        length = sum(map(len, wanted))
        index = Subtrees(tags)
        around = NearestAncestor(lambda tag: tag.name == "h1")
        counts: dict[int, int] = {}
        for position, tag in h1s:
            if tag not in index or tag.interesting_string_types not in (
                    None, Tag.MAIN_CONTENT_STRING_TYPES):
                if words(tag.get_text(" ")) == wanted:
                    return position
                continue
            count = counts[id(tag)] = _word_chars_of(tag) + index.below(
                "word chars", _word_chars_of, tag)
            outer = around(tag)
            if count != length or (outer is not None and counts.get(id(outer)) == count):
                continue
            if words(tag.get_text(" ")) == wanted:
                return position
    return next((i for i, t in enumerate(tags) if t.name in ("article", "main")), None)


def _word_chars_of(tag: Tag) -> int:
    """The word characters of the element's own strings (those `get_text` reads)."""
    return sum(len(_NON_WORD_RE.sub("", str(child).casefold())) for child in tag.contents
               if type(child) in Tag.MAIN_CONTENT_STRING_TYPES)


_NON_WORD_RE = re.compile(r"\W+")


class _Excluded:
    """Whether a byline candidate sits in a footer, an aside, a navigation
    or a block whose class says it is not a byline (a comment, a widget),
    each ancestor looked at once a page."""

    def __init__(self) -> None:
        self._known: dict[int, bool] = {}
        self._held: list[Tag] = []

    def __call__(self, tag: Tag) -> bool:
        path: list[Tag] = []
        node: Tag | None = tag.parent
        found = False
        while isinstance(node, Tag) and node.name not in ("[document]", "html", "body"):
            if id(node) in self._known:
                found = self._known[id(node)]
                break
            if node.name in ("footer", "aside", "nav") or _NOT_BYLINE_RE.search(_marks(node)):
                found = True
                break
            path.append(node)
            node = node.parent
        for visited in path:
            self._known[id(visited)] = found
        self._held += path
        return found


def _names_byline(marks: str) -> bool:
    return bool(_BYLINE_WORD_RE.search(marks))


def byline_texts(tags: list[Tag], anchor: int | None = None, limit: int = 3) -> list[str]:
    """Texts of the page's bylines, nearest the headline (tag index `anchor`)
    first: rel=author links and elements whose class or id names a byline or
    an author (the innermost such element), and short elements that open
    with "By" ("Posted by", "Publicado por", "Von" ...); outside comments,
    widgets, asides and footers."""
    if anchor is None:
        window = range(len(tags))
        anchor = 0
    else:
        window = range(max(0, anchor - _WINDOW_BEFORE), min(len(tags), anchor + _WINDOW_AFTER))
    texts = _Texts(tags)
    opens = _FirstWords(tags)
    marked: list[tuple[int, Tag]] = []
    opening: list[tuple[int, Tag]] = []
    for index in window:
        tag = tags[index]
        if tag.name in ("meta", "link", "script", "style", "img", "body", "html", "head"):
            continue
        rel = tag.get("rel")
        marks = _marks(tag)
        if (isinstance(rel, list) and "author" in rel) \
                or (_names_byline(marks) and not _NOT_BYLINE_RE.search(marks)):
            marked.append((index, tag))
        elif tag.name in _BY_START_TAGS and opens(tag):
            text = texts(tag, _BYLINE_CHARS)
            if text is not None and _BY_START_RE.match(text.lstrip(_LEADING_NOISE)):
                opening.append((index, tag))
    # The innermost marked element; the outermost one that opens with "By"
    # (ancestors found by sweeping each list in document order: see _nesting).
    inner = [(i, t) for i, t, _, below in _nesting(marked, texts.index) if not below]
    # Several names in elements of their own, marked alike, under one byline
    # ("By <span class=byline__item>A</span> and <span class=byline__item>B</span>"): one text.
    holders = {id(t): holder for _, t, holder, _ in _nesting(marked, texts.index)}
    groups: dict[tuple[int, str, str], list[tuple[int, Tag]]] = {}
    for index, tag in inner:
        holder = holders[id(tag)]
        group = (id(holder) if holder is not None else id(tag), _marks(tag), str(tag.name))
        groups.setdefault(group, []).append((index, tag))
    joined: list[tuple[int, Tag | str | None]] = []
    for members in groups.values():
        if len(members) == 1:
            joined.append(members[0])
        else:
            parts = [texts(t, _BYLINE_CHARS) for _, t in members]
            # A name longer than a byline makes the whole too long to be one.
            joined.append((members[0][0], None if None in parts else ", ".join(
                p for p in parts if p is not None)))
    outer = [(i, t) for i, t, holder, _ in _nesting(opening, texts.index) if holder is None]
    candidates: list[tuple[int, Tag | str | None]] = [*joined, *outer]
    ranked = sorted(candidates, key=lambda item: item[0] - anchor if item[0] >= anchor
                    else 3 * (anchor - item[0]))
    found: list[str] = []
    excluded = _Excluded()
    for index, element in ranked:
        if excluded(tags[index]):
            continue
        text = texts(element, _BYLINE_CHARS) if isinstance(element, Tag) else element
        if text and len(text) <= _BYLINE_CHARS and text not in found:
            found.append(text)
        if len(found) >= limit:
            break
    return found


class _Texts:
    """`clean_inline(tag.get_text(" "))` of the page's elements, None past
    `limit` characters: read from one index of the page (tree.FoldedText)
    rather than from each element's descendants (nested elements each read
    all below them: quadratic)."""

    def __init__(self, tags: list[Tag]) -> None:
        self.tags = tags
        self._folded: FoldedText | None = None
        self._index: Subtrees | None = None

    @property
    def index(self) -> Subtrees:
        if self._index is None:
            self._index = Subtrees(self.tags)
        return self._index

    def __call__(self, tag: Tag, limit: int) -> str | None:
        if self._folded is None:
            root: Tag = self.tags[0]
            while root.parent is not None:
                root = root.parent
            self._folded = FoldedText(root)
        _, text = self._folded.text(tag, limit)
        return text


def _nesting(listed: list[tuple[int, Tag]], index: Subtrees
             ) -> list[tuple[int, Tag, Tag | None, bool]]:
    """For each (position, tag) of `listed` (in document order): its
    outermost ancestor in `listed` (None if it has none) and whether one of
    `listed` is below it; one sweep with a stack of the elements open."""
    found: list[tuple[int, Tag, Tag | None, bool]] = []
    open_: list[tuple[int, int]] = []  # (end of the subtree, position in `found`)
    has_below: set[int] = set()
    for position, tag in listed:
        start = index.position[id(tag)]
        while open_ and open_[-1][0] <= start:
            open_.pop()
        holder = found[open_[0][1]][1] if open_ else None
        for _, ancestor in open_:
            has_below.add(ancestor)
        found.append((position, tag, holder, False))
        open_.append((index.end[start], len(found) - 1))
    return [(p, t, h, i in has_below) for i, (p, t, h, _) in enumerate(found)]


_LEADING_NOISE = " -–—|:0123456789/."


class _FirstWords:
    """`_opens_with_by` for the page's elements: the first string below each
    element that is not blank or noise, found once for each element (from
    its children's), not by walking its descendants again."""

    def __init__(self, tags: list[Tag]) -> None:
        self.tags = tags
        self._first: dict[int, str | None] | None = None

    def __call__(self, tag: Tag) -> bool:
        if self._first is None:
            self._first = {}
            for listed in reversed(self.tags):  # descendants before their ancestors
                self._first[id(listed)] = self._first_below(listed)
        first = self._first.get(id(tag), _MISSING)
        if first is _MISSING:
            return _opens_with_by(tag)
        return first is not None and bool(_BY_WORD_RE.match(first))

    def _first_below(self, tag: Tag) -> str | None:
        assert self._first is not None
        for child in tag.children:
            if isinstance(child, NavigableString):
                text = child.strip().lstrip(_LEADING_NOISE)
                if text:
                    return text
            elif isinstance(child, Tag):
                found = self._first.get(id(child), _MISSING)
                if found is _MISSING:
                    found = self._first_below(child)
                if found is not None:
                    return found
        return None


_MISSING = "\x00missing"


def _opens_with_by(tag: Tag) -> bool:
    """Whether the element's own first words (its first text child, or its
    first child element's) open with "By": cheap, no text is built."""
    for child in tag.children:
        if isinstance(child, NavigableString):
            text = child.strip().lstrip(_LEADING_NOISE)
            if text:
                return bool(_BY_WORD_RE.match(text))
        elif isinstance(child, Tag):
            for node in child.descendants:
                if isinstance(node, NavigableString):
                    text = node.strip().lstrip(_LEADING_NOISE)
                    if text:
                        return bool(_BY_WORD_RE.match(text))
    return False


_BY_WORD_RE = re.compile(
    r"(?:written|posted|published|publicado|publicada|reported|escrito|escrita|geschrieben|"
    r"publié|pubblicato|by|por|von|par|di|door|av|af)\b", re.I)


_PUBLISHED_MARK_RE = re.compile(r"publish|posted|created|entry-date|dateline|timestamp", re.I)
_UPDATED_MARK_RE = re.compile(r"updat|modif|edited|comment", re.I)


def time_candidates(tags: list[Tag]) -> list[str]:
    """`<time datetime>` values of the page: those marked as the publication
    time first, then the rest in document order; update times left out."""
    marked: list[str] = []
    plain: list[str] = []
    for tag in tags:
        if tag.name != "time":
            continue
        value = tag.get("datetime")
        if not isinstance(value, str) or not value.strip():
            continue
        marks = " ".join([_marks(tag), str(tag.get("itemprop") or ""),
                          _marks(tag.parent) if isinstance(tag.parent, Tag) else ""])
        if _UPDATED_MARK_RE.search(marks) and not _PUBLISHED_MARK_RE.search(marks):
            continue
        if tag.has_attr("pubdate") or _PUBLISHED_MARK_RE.search(marks):
            marked.append(value)
        else:
            plain.append(value)
    return marked + plain


_DATE_MARK_RE = re.compile(r"date|time|publish|posted|byline|meta|dateline|stamp|info", re.I)


def printed_date_texts(tags: list[Tag], anchor: int | None, limit: int = 8) -> list[str]:
    """Short texts near the headline (tag index `anchor`) in elements whose
    class names a date, a time or the byline, nearest first; update times
    left out. For pages that declare no publication time."""
    if anchor is None:
        return []
    window = range(max(0, anchor - _WINDOW_BEFORE), min(len(tags), anchor + _WINDOW_AFTER))
    found: list[tuple[int, str]] = []
    texts = _Texts(tags)
    for index in window:
        tag = tags[index]
        marks = _marks(tag)
        if not marks.strip() or not _DATE_MARK_RE.search(marks) \
                or _UPDATED_MARK_RE.search(marks) or tag.name in ("script", "style", "body"):
            continue
        text = texts(tag, 200)
        if text:
            distance = index - anchor if index >= anchor else 3 * (anchor - index)
            found.append((distance, text))
    return [text for _, text in sorted(found)[:limit]]
