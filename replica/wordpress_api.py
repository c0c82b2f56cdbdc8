"""What a real WordPress declares about its own posts, served for a
`ReplicaSite` that asks for it (`wordpress_api=True`): the REST API's posts
and categories with their totals (`X-WP-Total`, `X-WP-TotalPages`), the
core sitemaps (`/wp-sitemap.xml` and its post sitemaps) and `/?p=N`
answered with a redirect to the post's permalink. A completeness audit
reads these; the crawl itself never needs them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from .site import ReplicaSite, SiteArticle

SITEMAP_URLS = 2000  # WordPress's core sitemaps list this many URLs a file
MAX_PER_PAGE = 100  # the REST API's cap on per_page


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: str
    headers: dict[str, str] = field(default_factory=dict)


def _json(status: int, value: object, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, "application/json; charset=UTF-8", json.dumps(value), headers or {})


def _error(code: str, message: str, status: int = 400) -> Answer:
    return _json(status, {"code": code, "message": message, "data": {"status": status}})


class WordPressApi:
    def __init__(self, site: ReplicaSite) -> None:
        self.site = site

    def answer(self, path: str, query: str, base: str) -> Answer | None:
        """The API's answer for this request, or None: not one of its URLs."""
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        if path == "/" and "p" in params:
            return self._post_by_id(params["p"], base)
        if path == "/wp-json/wp/v2/posts":
            return self._posts(params, base)
        if path == "/wp-json/wp/v2/categories":
            return self._categories(base)
        if path == "/wp-sitemap.xml":
            return self._sitemap_index(base)
        if path.startswith("/wp-sitemap-posts-post-") and path.endswith(".xml"):
            return self._post_sitemap(path.removeprefix("/wp-sitemap-posts-post-")
                                      .removesuffix(".xml"), base)
        return None

    # --- posts ----------------------------------------------------------------------------
    def posts(self) -> list[SiteArticle]:
        """What the API lists: every published post, newest first."""
        return sorted(self.site.public_articles(), key=lambda a: (a.published, a.post_id),
                      reverse=True)

    def category_ids(self) -> dict[str, int]:
        return {slug: number for number, slug in enumerate(self.site.sections, start=2)}

    def _posts(self, params: dict[str, str], base: str) -> Answer:
        try:
            per_page = int(params.get("per_page", "10"))
            page = int(params.get("page", "1"))
            after = _moment(params.get("after"))
            before = _moment(params.get("before"))
            wanted = {int(n) for n in params["categories"].split(",")} \
                if params.get("categories") else None
        except ValueError as error:
            return _error("rest_invalid_param", f"Invalid parameter(s): {error}")
        if not 1 <= per_page <= MAX_PER_PAGE or page < 1:
            return _error("rest_invalid_param", "Invalid parameter(s): per_page, page")
        ids = self.category_ids()
        posts = [a for a in self.posts()
                 if (after is None or a.published > after)
                 and (before is None or a.published < before)
                 and (wanted is None or ids.get(a.post.category_slug) in wanted)]
        pages = max(1, -(-len(posts) // per_page))
        if page > pages:
            return _error("rest_post_invalid_page_number",
                          "The page number requested is larger than the number of pages "
                          "available.")
        chunk = posts[(page - 1) * per_page: page * per_page]
        return _json(200, [{
            "id": a.post_id, "date": f"{a.published.isoformat()}T00:00:00",
            "link": f"{base}{a.post.path}/", "slug": a.post.slug,
            "categories": [ids[a.post.category_slug]] if a.post.category_slug in ids else [],
            "title": {"rendered": a.post.title}} for a in chunk],
            {"X-WP-Total": str(len(posts)), "X-WP-TotalPages": str(pages)})

    def _categories(self, base: str) -> Answer:
        counts = {slug: 0 for slug in self.site.sections}
        for article in self.posts():
            if article.post.category_slug in counts:
                counts[article.post.category_slug] += 1
        rows = [{"id": number, "slug": slug, "name": self.site.sections[slug],
                 "count": counts[slug], "link": f"{base}/category/{slug}/"}
                for slug, number in self.category_ids().items()]
        return _json(200, rows, {"X-WP-Total": str(len(rows)), "X-WP-TotalPages": "1"})

    def _post_by_id(self, value: str, base: str) -> Answer:
        found = next((a for a in self.posts() if str(a.post_id) == value), None)
        if found is None:
            return Answer(404, "text/html", "<html><body class='error404'></body></html>")
        return Answer(301, "text/html", "", {"Location": f"{base}{found.post.path}/"})

    # --- core sitemaps ----------------------------------------------------------------------
    def _sitemap_index(self, base: str) -> Answer:
        files = max(1, -(-len(self.posts()) // SITEMAP_URLS))
        entries = "".join(f"<sitemap><loc>{base}/wp-sitemap-posts-post-{n}.xml</loc></sitemap>"
                          for n in range(1, files + 1))
        return Answer(200, "application/xml; charset=UTF-8",
                      '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns='
                      f'"http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>')

    def _post_sitemap(self, number: str, base: str) -> Answer | None:
        if not number.isdigit() or int(number) < 1:
            return None
        index = int(number)
        chunk = self.posts()[(index - 1) * SITEMAP_URLS: index * SITEMAP_URLS]
        if not chunk:
            return None
        urls = "".join(f"<url><loc>{base}{a.post.path}/</loc></url>" for a in chunk)
        return Answer(200, "application/xml; charset=UTF-8",
                      '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                      f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')


def _moment(value: str | None) -> date | None:
    """The REST API's `after`/`before` (ISO 8601), as a day."""
    return datetime.fromisoformat(value).date() if value else None
