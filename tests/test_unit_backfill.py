"""How a backfill is cut into shards, and named (flows/backfill.py)."""

from __future__ import annotations

from datetime import date

import pytest

from flows.backfill import Shard, backfill_key, plan_months, plan_shards


def test_shards_cover_every_page_of_every_category_once():
    shards = plan_shards(["opinion", "world-news"], 1, 10, 4)
    assert [(s.category, s.first_page, s.last_page) for s in shards] == [
        ("opinion", 1, 4), ("opinion", 5, 8), ("opinion", 9, 10),  # the last one is short
        ("world-news", 1, 4), ("world-news", 5, 8), ("world-news", 9, 10)]
    for category in ("opinion", "world-news"):
        pages = [p for s in shards if s.category == category
                 for p in range(s.first_page, s.last_page + 1)]
        assert pages == list(range(1, 11))


@pytest.mark.parametrize("first, last, per_shard, expected", [
    (1, 1, 5, [(1, 1)]),
    (3, 7, 1, [(3, 3), (4, 4), (5, 5), (6, 6), (7, 7)]),
    (5, 12, 4, [(5, 8), (9, 12)]),  # starts where it is told
    (1, 3, 100, [(1, 3)]),
])
def test_shard_ranges(first, last, per_shard, expected):
    shards = plan_shards(["opinion"], first, last, per_shard)
    assert [(s.first_page, s.last_page) for s in shards] == expected


@pytest.mark.parametrize("first, last, per_shard", [(0, 5, 1), (6, 5, 1), (1, 5, 0),
                                                    (-1, 5, 2), (1, 5, -3)])
def test_impossible_plans_are_refused_with_the_values(first, last, per_shard):
    with pytest.raises(ValueError, match=f"first_page={first}, last_page={last}, "
                                         f"pages_per_shard={per_shard}"):
        plan_shards(["opinion"], first, last, per_shard)


def test_no_categories_no_shards():
    assert plan_shards([], 1, 10, 2) == []


def test_a_shard_key_names_its_category_and_pages():
    assert Shard(category="opinion", first_page=11, last_page=20).key == "opinion:11-20"
    keys = [s.key for s in plan_shards(["a", "b"], 1, 9, 3)]
    assert len(set(keys)) == len(keys) == 6


def test_the_same_parameters_name_the_same_backfill_in_any_order():
    parameters = {"categories": ["opinion"], "first_page": 1, "last_page": 4,
                  "pages_per_shard": 1, "site": "aawsat", "base_url": "http://h"}
    key = backfill_key(parameters)
    assert key.startswith("backfill-") and len(key) == len("backfill-") + 16
    assert backfill_key(dict(reversed(list(parameters.items())))) == key
    for name, other in [("last_page", 5), ("categories", ["world-news"]),
                        ("base_url", "http://other"), ("pages_per_shard", 2)]:
        assert backfill_key({**parameters, name: other}) != key, name


def test_a_date_range_is_one_shard_per_month_newest_first():
    shards = plan_months(date(2016, 11, 20), date(2017, 2, 3))
    assert [s.key for s in shards] == ["month:2017/02", "month:2017/01", "month:2016/12",
                                       "month:2016/11"]
    assert plan_months(date(2017, 5, 1), date(2017, 5, 31))[0].month == "2017/05"
    with pytest.raises(ValueError, match="before since"):
        plan_months(date(2017, 5, 2), date(2017, 5, 1))


def test_a_backfill_of_a_site_in_the_sites_file_reads_and_stores_under_its_name(
        tmp_path, monkeypatch):
    """`archive crawl` stores the archive under its sites-file name
    (aawsat-archive); a backfill of the same base URL finds the sections those
    crawls remembered under that name, and its shards store under it too."""
    from flows.backfill import discovered_sections
    from flows.crawl import crawl_config
    from sites import Term
    from storage.store import ArticleStore

    base = "https://eng-archive.aawsat.com"
    (tmp_path / "sites.yaml").write_text(
        f"sites:\n  - name: aawsat-archive\n    base_url: {base}\n    site: aawsat\n")
    db = f"sqlite:///{tmp_path / 'a.db'}"
    monkeypatch.setenv("ARCHIVE_SITES", str(tmp_path / "sites.yaml"))
    monkeypatch.setenv("ARCHIVE_DB_URL", db)
    store = ArticleStore(db)
    store.remember_terms("aawsat-archive", [Term("category", "news-middle-east", "Middle East")])
    store.close()
    config = crawl_config(site="aawsat", base_url=base)
    assert config.stored_site("aawsat") == "aawsat-archive"
    assert discovered_sections(config) == ["news-middle-east"]
    elsewhere = crawl_config(site="aawsat", base_url="http://127.0.0.1:8000")
    assert elsewhere.stored_site("aawsat") == "aawsat"  # not in the sites file
