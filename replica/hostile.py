"""A hostile copy of the replica: the same archive, served with the faults of
the real web, chosen per article from a seed so that runs repeat.

Transient faults heal after a number of tries (the crawl must retry them and
store the article); permanent ones never do (the crawl must record them and
move on); some pages arrive in legacy charsets with a wrong or no declaration."""

from __future__ import annotations

import html
import random
from dataclasses import dataclass

from .site import PER_PAGE, ReplicaSite, SiteArticle

ARABIC = ["قالت الحكومة إن المحادثات ستستأنف يوم الاثنين بعد توقف دام ثلاثة أسابيع.",
          "وأضاف المتحدث أن اللجنة ستراجع قانون الانتخابات قبل الصيف."]
FRENCH = ["Le ministre a déclaré à Genève que les négociations reprendraient lundi.",
          "Les délégués ont précisé que la deuxième série porterait sur le cessez-le-feu."]

# kind -> (how many requests fail before it heals, or None for never)
TRANSIENT = {"http_500": 1, "http_503_retry_after": 1, "http_429_retry_after": 2,
             "timeout": 1, "reset": 1, "truncated": 1}
PERMANENT = {"http_502_always", "http_404", "http_410", "redirect_loop", "redirect_offsite",
             "redirect_other_port", "huge", "truncated_always"}
CHARSETS = {"cp1256_mislabelled", "latin1_undeclared", "koi8r_header_only",
            "latin2_header_only"}
RUSSIAN = ["Переговоры возобновятся в понедельник после трёхнедельного перерыва, сообщили "
           "в министерстве.", "Делегации обсудят прекращение огня на севере страны."]
POLISH = ["Rozmowy zostaną wznowione w poniedziałek po trzytygodniowej przerwie, podało "
          "ministerstwo.", "Delegacje omówią zawieszenie broni na północy kraju."]
# Served fine, but with values a store must take: a 400-character tag and ETag.
HEALTHY = {"ok", "redirect_chain", "long_values", "canonical_hijack"}
LONG_TAG = "a-tag-of-four-hundred-characters-" * 12 + "end"
LISTING_TRAP = "/category/majalla-blogs"  # pages without end past its real last page
BAD_NEXT_LINK = "/category/world-news"  # its first page's "Older Entries" link is malformed


@dataclass
class Fault:
    kind: str
    heals_after: int | None  # failing requests before the page works; None: never


class HostileSite(ReplicaSite):
    """`ReplicaSite` plus a fault per article path and a listing page that fails once."""

    def __init__(self, articles: int = 60, seed: int = 7, fault_share: float = 0.6,
                 internal_base: str | None = None) -> None:
        super().__init__(articles=articles, seed=seed)
        # Another server on the same host (another port): a redirect there must
        # never be followed (an "internal" service behind the site's host).
        self.internal_base = internal_base
        rnd = random.Random(seed)
        kinds = sorted(TRANSIENT) + sorted(PERMANENT) + sorted(CHARSETS) + sorted(HEALTHY)
        self.faults: dict[str, Fault] = {}
        for index, article in enumerate(self.public_articles()):
            # Every kind at least once, then a seeded mix with healthy pages.
            if index < len(kinds):
                kind = kinds[index]
            else:
                kind = rnd.choice(kinds) if rnd.random() < fault_share else "ok"
            always = kind in PERMANENT or kind == "redirect_chain"  # acts on every request
            self.faults[article.post.path] = Fault(kind, None if always else TRANSIENT.get(kind, 0))
            if kind in CHARSETS:
                self._rewrite_text(article, {"cp1256_mislabelled": ARABIC,
                                             "koi8r_header_only": RUSSIAN,
                                             "latin2_header_only": POLISH}.get(kind, FRENCH))
        self.failing_listing = "/category/opinion/page/2"

    @staticmethod
    def _rewrite_text(article: SiteArticle, sentences: list[str]) -> None:
        article.blocks = sentences * 2
        article.image_caption = article.image_credit = article.image_slug = None
        article.post.body_html = "\n".join(f"<p>{html.escape(s)}</p>" for s in article.blocks)

    def page(self, path: str, base: str) -> tuple[int, str, str]:
        status, content_type, text = super().page(path, base)
        last = self._trap_last_page()
        if path == (f"{LISTING_TRAP}/page/{last}" if last > 1 else LISTING_TRAP) \
                or status == 404 and path.startswith(LISTING_TRAP + "/page/"):
            status, content_type, text = self._trap_page(path, base)
        if path.startswith("/category/") and status == 200:
            # Links no crawler of ours may follow: another host, another scheme,
            # a malformed URL (a bad IPv6 literal, a port out of range).
            hostile_links = "".join(
                f'<article class="et_pb_post post"><h2 class="entry-title"><a href="{href}">'
                f"Elsewhere</a></h2></article>"
                for href in ("file:///etc/passwd", "http://elsewhere.example/news/world/story",
                             "ftp://127.0.0.1/archive/x/y", "javascript:alert(1)",
                             "http://[bad/x/y", "http://127.0.0.1:80000/x/y/z"))
            text = text.replace('<div class="pagination', hostile_links + '<div class="pagination')
        if path == BAD_NEXT_LINK and status == 200:
            text = text.replace(f'href="{base}{BAD_NEXT_LINK}/page/2"', 'href="http://[bad/page/2"')
        fault = self.faults.get(path)
        if fault is not None and fault.kind == "canonical_hijack" and status == 200:
            # Its canonical link names another article: it must not take that one's place.
            victim = self.public_articles()[0].post.path
            text = text.replace(f'<link rel="canonical" href="{base}{path}" />',
                                f'<link rel="canonical" href="{base}{victim}" />', 1)
        if fault is not None and fault.kind == "long_values" and status == 200:
            text = text.replace("</head>", f'<meta property="article:tag" content="{LONG_TAG}" />'
                                           "</head>", 1)
        return status, content_type, text

    def _trap_last_page(self) -> int:
        return max(1, -(-len(self.listings()[LISTING_TRAP]) // PER_PAGE))

    def _trap_page(self, path: str, base: str) -> tuple[int, str, str]:
        """The trap listing's last page and every page past it: the last page's
        articles, with an "Older Entries" link to one more page, for ever."""
        last = self._trap_last_page()
        number = int(path.rsplit("/", 1)[1]) if "/page/" in path else 1
        status, content_type, text = super().page(f"{LISTING_TRAP}/page/{last}"
                                                  if last > 1 else LISTING_TRAP, base)
        older = f"{base}{LISTING_TRAP}/page/{number + 1}"
        text = text.replace('<div class="pagination clearfix">',
                            f'<div class="pagination clearfix"><div class="alignleft">'
                            f'<a href="{older}">&laquo; Older Entries</a></div>', 1)
        return status, content_type, text

    def fault_for(self, path: str) -> Fault | None:
        if path == self.failing_listing:
            return Fault("http_500", 1)
        return self.faults.get(path)

    def expected_stored(self) -> list[SiteArticle]:
        return [a for a in self.public_articles()
                if self.faults[a.post.path].kind not in PERMANENT]

    def expected_missing(self) -> list[SiteArticle]:
        return [a for a in self.public_articles()
                if self.faults[a.post.path].kind in PERMANENT]
