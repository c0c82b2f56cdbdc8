"""The `mend-names` flow and the site filter of the maintenance flows, under a
real (throwaway) Prefect API: what the deployment in prefect.yaml runs."""

from __future__ import annotations

import pytest

from flows.maintenance import export_flow, mend_names_flow, reextract_flow
from replica.divi import BASE
from storage.store import ArticleStore
from tests.test_flows import artifacts
from tests.test_names_per_site import crawled_before_names_were_learned

pytestmark = pytest.mark.integration


def test_the_mend_names_flow_mends_and_reports(prefect_api, monkeypatch, sqlite_url, tmp_path):
    monkeypatch.setenv("ARCHIVE_DB_URL", sqlite_url)
    store = ArticleStore(sqlite_url)
    slugged = crawled_before_names_were_learned(store, tmp_path)[0]

    dry = mend_names_flow(dry_run=True)
    assert {m["name"] for m in dry["merged"]} == {"news-middle-east", "Hamzamustafa"}
    assert store.get(BASE + slugged.path)["categories"] == ["news-middle-east"]

    done_state = mend_names_flow(site="aawsat", return_state=True)
    done = done_state.result()
    assert {(m["kind"], m["into"]) for m in done["merged"]} == {
        ("category", "Middle East"), ("author", "Hamza Mustafa")}
    assert store.get(BASE + slugged.path)["categories"] == ["Middle East"]
    report = artifacts("mend-names", done_state.state_details.flow_run_id)[0].data
    assert "| aawsat | category | news-middle-east | Middle East | 1 |" in report
    rest = mend_names_flow()  # every site: the other one's turn
    assert [(m["site"], m["name"]) for m in rest["merged"]] == [
        ("127.0.0.1:8000", "news-middle-east")]
    assert mend_names_flow()["merged"] == []  # idempotent

    assert reextract_flow(site="aawsat")["unchanged"] == 2  # the other site's page left out
    out = tmp_path / "aawsat.jsonl"
    assert export_flow(out=str(out), site="127.0.0.1:8000")["articles"] == 1
    store.close()
