"""The article's authors: bylines split into people, agencies and
organisations, without e-mails, roles, handles or dates; people first."""

from __future__ import annotations

import html as html_lib
import re

from ..text import clean_inline
from .head import PageMeta
from .jsonld import jsonld_people
from .titles import comparable

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
    normal = comparable(name)
    return any(normal and (normal == site or (len(normal) >= 4 and normal in site))
               for site in map(comparable, meta.site_names()))


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
            mine = {comparable(p) for p in people}
            printed = {comparable(p) for p in printed_people}
            if len(printed_people) > len(people) and mine <= printed:
                return printed_people
            return people
        organisations += orgs
    # No person anywhere: the organisation that is the byline, if the page
    # prints one; else one the article declares that is not its publisher.
    if printed_orgs:
        return printed_orgs[:3]
    publisher = {comparable(n) for n in meta.site_names()}
    declared = [o for o in _unique(organisations + orgs_ld) if comparable(o) not in publisher]
    return declared[:3]


META_AUTHORS = ("author", "byl", "dc.creator", "dcterms.creator", "sailthru.author",
                "parsely-author", "article:author", "citation_author", "dcsext.author")


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        key = comparable(value)
        if key and key not in seen:
            seen[key] = value
    return list(seen.values())
