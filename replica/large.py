"""A large archive for benchmarks: thousands of articles in the Divi markup,
each page (60-120 KB, like the real archive's) rendered on demand from
(seed, index), so 50,000 articles cost neither disk nor memory; and a small
asyncio HTTP/1.1 server that serves them fast enough not to be what a
benchmark measures.

    python -m replica.large --articles 50000 [--port 0]   # prints its base URL
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import random
import subprocess
import sys
from urllib.parse import urlsplit

from .divi import Post, article_page, listing_page
from .site import AUTHORS, CATEGORIES, CLAUSES, PLACES, SUBJECTS, VERBS

PER_PAGE = 10
CATEGORY_SLUGS = list(CATEGORIES)
AUTHOR_SLUGS = list(AUTHORS)
ROBOTS = "User-agent: *\nDisallow: /wp-admin/\n"
PAGE_BYTES = (60_000, 120_000)


class LargeSite:
    """Article `index` (0 is the newest) belongs to category `index % 4`; each
    category's listing holds its articles newest first, PER_PAGE a page."""

    def __init__(self, articles: int, seed: int = 2017) -> None:
        self.count = articles
        self.seed = seed
        # Inline CSS and a script, as Divi pages carry: what makes pages heavy.
        rules = random.Random(seed)
        self._style = "".join(
            f".et_pb_section_{i} .et_pb_row_{rules.randrange(99)}{{margin:{rules.randrange(60)}px "
            f"auto;color:#{rules.randrange(16**6):06x};}}\n" for i in range(4000))
        self._script = "".join(
            f'{{"id":{i},"module":"et_pb_text_{rules.randrange(999)}","animation":"fade"}},'
            for i in range(3000))

    # --- URLs ----------------------------------------------------------------------
    def path(self, index: int) -> str:
        return self.post(index, with_body=False).path

    def index_of(self, path: str) -> int | None:
        parts = [p for p in path.split("/") if p]
        if len(parts) != 3 or not parts[2].startswith("report-"):
            return None
        number = parts[2].removeprefix("report-").split("-", 1)[0]
        if not number.isdigit() or int(number) >= self.count:
            return None
        index = int(number)
        return index if self.path(index) == path else None

    def category_indices(self, category: int) -> range:
        return range(category, self.count, len(CATEGORY_SLUGS))

    def author_indices(self, author: int) -> list[int]:
        """An author's articles, newest first: a run of one article per
        category in turn (see `post`), so computed, not searched for."""
        sections, authors = len(CATEGORY_SLUGS), len(AUTHOR_SLUGS)
        indices = []
        for run in range(author, -(-self.count // sections), authors):
            indices += [i for i in range(run * sections, (run + 1) * sections) if i < self.count]
        return indices

    # --- pages -----------------------------------------------------------------------
    def post(self, index: int, with_body: bool = True) -> Post:
        rnd = random.Random(self.seed * 1_000_003 + index)
        place = PLACES[index % len(PLACES)]
        category = CATEGORY_SLUGS[index % len(CATEGORY_SLUGS)]
        author = AUTHOR_SLUGS[(index // len(CATEGORY_SLUGS)) % len(AUTHOR_SLUGS)]
        year, day = 2017 - index * 12 // max(self.count, 1), 1 + index % 28
        post = Post(slug=f"report-{index}-{place.lower()}", title=f"Report {index}: {place} talks",
                    body_html="", author_slug=author, author_name=AUTHORS[author],
                    category_slug=category, category_name=CATEGORIES[category],
                    date_text=f"{['Jan', 'Apr', 'Jul', 'Oct'][index % 4]} {day:02d}, {year}",
                    tags=[])
        if with_body:
            paragraphs = []
            for number in range(6 + rnd.randrange(20)):
                sentences = " ".join(
                    f"{rnd.choice(SUBJECTS)} {rnd.choice(VERBS)} {rnd.choice(CLAUSES)}."
                    for _ in range(1 + rnd.randrange(4)))
                opening = f"{place}, Asharq Al-Awsat—" if number == 0 else ""
                paragraphs.append(f"<p>{html.escape(opening + sentences, quote=False)}</p>")
            if index % 3 == 0:
                paragraphs.insert(1, f'<div class="wp-caption alignleft"><img src="/wp-content/'
                                     f'uploads/photo-{index}.jpg" /><p class="wp-caption-text">'
                                     f"A street in {place}. (AFP Photo)</p></div>")
            post.body_html = "\n".join(paragraphs)
        return post

    def article(self, index: int, base: str) -> str:
        page = article_page(self.post(index), base)
        target = random.Random(self.seed + index).randrange(*PAGE_BYTES)
        missing = max(0, target - len(page))
        style = self._style[: self._style.rfind("}", 0, missing // 2) + 1]
        script = self._script[: self._script.rfind(",", 0, missing - len(style)) + 1]
        page = page.replace("</head>", f'<style id="et-divi-customizer-global-cached-inline-'
                                       f'styles">{style}</style>\n</head>', 1)
        return page.replace("</body>", f'<script type="text/javascript">var et_animation_data = '
                                       f"[{script}];</script>\n</body>", 1)

    def listing(self, category: int, number: int, base: str, kind: str = "category"
                ) -> str | None:
        """Page `number` of a category's listing (or, kind "author", an author's)."""
        indices = self.category_indices(category) if kind == "category" else \
            self.author_indices(category)
        pages = max(1, -(-len(indices) // PER_PAGE))
        if not 1 <= number <= pages:
            return None
        slug = (CATEGORY_SLUGS if kind == "category" else AUTHOR_SLUGS)[category]
        root = f"{base}/{kind}/{slug}"
        chunk = indices[(number - 1) * PER_PAGE: number * PER_PAGE]
        older = f"{root}/page/{number + 1}" if number < pages else None
        newer = (f"{root}/page/{number - 1}" if number > 2 else root) if number > 1 else None
        return listing_page(slug, [self.post(i, with_body=False) for i in chunk], older, newer,
                            base)

    def page(self, path: str, base: str) -> tuple[int, str, str]:
        """(status, content type, body) for a URL path."""
        if path.rstrip("/") == "/robots.txt":
            return 200, "text/plain", ROBOTS
        parts = [p for p in path.split("/") if p]
        if not parts:  # the home page: its menu and its footer name the sections
            sections = "".join(f'<li><a href="{base}/category/{slug}">{CATEGORIES[slug]}</a></li>'
                               for slug in CATEGORY_SLUGS)
            home = listing_page("Home", [], None, None, base).replace(
                "</body>", f'<footer><ul class="sections">{sections}</ul></footer></body>', 1)
            return 200, "text/html; charset=UTF-8", home
        slugs = {"category": CATEGORY_SLUGS, "author": AUTHOR_SLUGS}.get(parts[0], [])
        if len(parts) in (2, 4) and parts[1] in slugs:
            number = int(parts[3]) if len(parts) == 4 and parts[2] == "page" and \
                parts[3].isdigit() else (1 if len(parts) == 2 else 0)
            text = self.listing(slugs.index(parts[1]), number, base, kind=parts[0])
            if text is not None:
                return 200, "text/html; charset=UTF-8", text
        index = self.index_of(path)
        if index is not None:
            return 200, "text/html; charset=UTF-8", self.article(index, base)
        return 404, "text/html", "<html><body class='error404'><h1>Not found</h1></body></html>"


class _Connection(asyncio.Protocol):
    """HTTP/1.1 GET with keep-alive: all a crawler needs, nothing more."""

    def __init__(self, site: LargeSite, base: str) -> None:
        self.site, self.base = site, base
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            request_line = head.split(b"\r\n", 1)[0].split(b" ")
            if len(request_line) != 3:
                self.transport.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                continue
            target = request_line[1].decode("latin-1")
            status, content_type, text = self.site.page(urlsplit(target).path, self.base)
            body = text.encode()
            reason = b"OK" if status == 200 else b"Not Found"
            self.transport.write(b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
                                 b"\r\n" % (status, reason, content_type.encode(), len(body)))
            self.transport.write(body)


async def serve(site: LargeSite, port: int) -> None:
    loop = asyncio.get_running_loop()
    holder: dict[str, str] = {}
    server = await loop.create_server(lambda: _Connection(site, holder["base"]),
                                      "127.0.0.1", port, backlog=512)
    holder["base"] = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    print(holder["base"], flush=True)
    async with server:
        await server.serve_forever()


class LargeReplicaServer:
    """The large replica served by its own process (so it never shares a
    core's interpreter lock with the crawler it serves)."""

    def __init__(self, articles: int, seed: int = 2017) -> None:
        self.articles, self.seed = articles, seed
        self.process: subprocess.Popen[str] | None = None
        self.base = ""

    def __enter__(self) -> LargeReplicaServer:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "replica.large", "--articles", str(self.articles),
             "--seed", str(self.seed)], stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.base = self.process.stdout.readline().strip()
        if not self.base.startswith("http://"):
            self.process.kill()
            raise RuntimeError("the large replica server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a large replica of the archive.")
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(LargeSite(args.articles, args.seed), args.port))


if __name__ == "__main__":
    main()
