"""The replica declares its posts as a real WordPress does (the REST API with
its totals, the core sitemaps, `/?p=N`), including posts no listing links
and a month whose listing pages are broken: what a completeness audit reads."""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from replica import ReplicaServer
from replica.site import PER_PAGE, ReplicaSite

pytestmark = pytest.mark.integration


def get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_the_rest_api_and_the_core_sitemaps_declare_every_post_orphans_included():
    site = ReplicaSite(articles=12, orphans=3, wordpress_api=True)
    with ReplicaServer(site) as server:
        declared = {f"{server.base}{a.post.path}/" for a in site.public_articles()}
        status, headers, body = get(f"{server.base}/wp-json/wp/v2/posts?per_page=1")
        assert status == 200 and len(json.loads(body)) == 1
        assert headers["X-WP-Total"] == "15" and headers["X-WP-TotalPages"] == "15"
        _, _, body = get(f"{server.base}/wp-json/wp/v2/posts?per_page=100")
        assert {post["link"] for post in json.loads(body)} == declared
        status, _, body = get(f"{server.base}/wp-json/wp/v2/posts?per_page=10&page=3")
        assert status == 400 and json.loads(body)["code"] == "rest_post_invalid_page_number"

        _, _, body = get(f"{server.base}/wp-json/wp/v2/categories")
        categories = json.loads(body)
        by_category = 0
        for category in categories:
            _, headers, _ = get(f"{server.base}/wp-json/wp/v2/posts?per_page=1"
                                f"&categories={category['id']}")
            assert int(headers["X-WP-Total"]) == category["count"]
            by_category += category["count"]
        assert by_category == 15

        _, headers, _ = get(f"{server.base}/wp-json/wp/v2/posts?per_page=1"
                            "&after=2017-09-01T00:00:00&before=2017-10-01T00:00:00")
        in_september = [a for a in site.public_articles() if a.published.month == 9
                        and a.published.day > 1]
        assert int(headers["X-WP-Total"]) == len(in_september)

        _, _, index = get(f"{server.base}/wp-sitemap.xml")
        (post_sitemap,) = re.findall(r"<loc>([^<]+)</loc>", index)
        _, _, urlset = get(post_sitemap)
        assert set(re.findall(r"<loc>([^<]+)</loc>", urlset)) == declared

        orphan = next(a for a in site.articles if not a.listed)
        connection = http.client.HTTPConnection(urlsplit(server.base).netloc, timeout=10)
        connection.request("GET", f"/?p={orphan.post_id}")
        answer = connection.getresponse()
        assert answer.status == 301
        assert answer.getheader("Location") == f"{server.base}{orphan.post.path}/"
        connection.close()


def test_orphans_are_in_no_listing_and_no_feed_but_answer():
    site = ReplicaSite(articles=12, orphans=3)
    orphans = [a for a in site.articles if not a.listed]
    assert len(orphans) == 3
    listed = {id(a) for articles in site.listings().values() for a in articles}
    assert not listed & {id(a) for a in orphans}
    with ReplicaServer(site) as server:
        _, _, feed = get(f"{server.base}/feed")
        assert all(o.post.path not in feed for o in orphans)
        assert get(f"{server.base}{orphans[0].post.path}")[0] == 200
        # Without wordpress_api the replica declares nothing of the sort.
        assert get(f"{server.base}/wp-json/wp/v2/posts")[0] == 404
        assert get(f"{server.base}/wp-sitemap.xml")[0] == 404


def test_a_broken_month_breaks_every_listing_page_that_shows_it():
    site = ReplicaSite(articles=30, broken_month="2017-08")
    with ReplicaServer(site) as server:
        for root, articles in site.listings().items():
            for number in range(1, -(-len(articles) // PER_PAGE) + 1):
                chunk = articles[(number - 1) * PER_PAGE: number * PER_PAGE]
                url = f"{server.base}{root}/page/{number}" if number > 1 else \
                    f"{server.base}{root or '/'}"
                broken = any(f"{a.published:%Y-%m}" == "2017-08" for a in chunk)
                assert get(url)[0] == (500 if broken else 200), url
