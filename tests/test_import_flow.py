"""The `import` flow: in one process under a throwaway Prefect API (figures
as a table artifact, bad paths refused), and as users run it on a work pool
(`prefect deploy --all`, two process workers, `prefect deployment run
import/import`): the files shared as flow runs of `import/import-file`, and
their figures summed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from flows.importing import FIGURES_KEY, figures_table, import_flow, result_from_table
from ingest.warc_import import ImportResult, import_warc
from storage.store import ArticleStore
from tests.prefect_stack import ROOT, deploy, prefect, prefect_server, workers
from tests.test_import import (
    CC_EXPECTED,
    HOST,
    IA_FIRST,
    LATER,
    PARAGRAPHS,
    common_crawl_file,
    counts,
    damaged_file,
    internet_archive_file,
    page_html,
)

pytestmark = pytest.mark.integration


def test_the_import_flow_imports_and_publishes_its_figures(prefect_api, sqlite_url, tmp_path,
                                                           monkeypatch):
    monkeypatch.setenv("ARCHIVE_DB_URL", sqlite_url)
    monkeypatch.setenv("ARCHIVE_CLEAN_WORKERS", "1")
    path, _ = common_crawl_file(tmp_path / "cc.warc.gz")
    state = import_flow(paths=[str(path)], hosts=[HOST], return_state=True)
    assert state.is_completed()
    figures = state.result()
    assert {k: figures[k] for k in CC_EXPECTED} == CC_EXPECTED
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[FIGURES_KEY])))
    assert run.name == f"import cc.warc.gz (auto, {HOST})"
    mine = [a for a in artifacts if a.flow_run_id == run.id]
    assert mine and counts(result_from_table(json.loads(mine[0].data))) == CC_EXPECTED


def test_the_import_flow_refuses_a_path_that_is_not_there(prefect_api, sqlite_url, tmp_path,
                                                          monkeypatch):
    monkeypatch.setenv("ARCHIVE_DB_URL", sqlite_url)
    state = import_flow(paths=[str(tmp_path / "nowhere.warc.gz")], return_state=True)
    assert state.is_failed() and "no such file or folder" in state.message


def test_figures_round_trip_through_the_table():
    result = ImportResult(files=2, records=9, new=3, updated=1, unchanged=2, stale=1,
                          quarantined={"too_short": 1}, skipped={"revisit": 1},
                          warnings=["x.warc.gz@7: corrupt"], duration_s=1.5)
    assert result_from_table(figures_table(result)) == result


def three_files(folder):
    folder.mkdir()
    cc, _ = common_crawl_file(folder / "cc.warc.gz")
    ia = internet_archive_file(folder / "ia.warc.gz", [
        (IA_FIRST, page_html("history")),
        (IA_FIRST.replace(year=2014), page_html("history", [*PARAGRAPHS, LATER]))])
    damaged, _ = damaged_file(folder / "damaged.warc.gz")
    return [cc, ia, damaged]


def flow_runs(env: dict[str, str]) -> list[dict]:
    """The API's flow runs, read from a process of its own (this one's Prefect
    settings point elsewhere)."""
    script = (
        "import json\n"
        "from prefect.client.orchestration import get_client\n"
        "with get_client(sync_client=True) as client:\n"
        "    deployments = {d.id: d.name for d in client.read_deployments()}\n"
        "    runs = client.read_flow_runs()\n"
        "    figures = {a.flow_run_id: a.data for a in client.read_artifacts()\n"
        f"               if a.key == {FIGURES_KEY!r}}}\n"
        "    print(json.dumps([{'name': r.name, 'state': r.state_name, 'pool': r.work_pool_name,"
        " 'deployment': deployments.get(r.deployment_id), 'figures': figures.get(r.id)}"
        " for r in runs]))\n")
    result = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout)


@pytest.mark.timeout(1500)
def test_several_files_are_shared_over_the_pool_s_workers(pg_url, tmp_path):
    files = three_files(tmp_path / "warc")
    expected = ImportResult()  # each file imported alone, into a store of its own
    for path in files:
        expected.add(import_warc(ArticleStore(f"sqlite:///{tmp_path / path.name}.db"),
                                 [path], hosts=[HOST], workers=1))
    with prefect_server(tmp_path / "prefect-home") as env:
        env = {**env, "ARCHIVE_DB_URL": pg_url, "ARCHIVE_CLEAN_WORKERS": "1"}
        deploy(env)
        with workers(env, ["worker-a", "worker-b"]):
            prefect(env, "deployment", "run", "import/import",
                    "--param", f"paths={json.dumps([str(tmp_path / 'warc')])}",
                    "--param", f"hosts={json.dumps([HOST])}",
                    "--watch", "--watch-timeout", "600", timeout=700)
        runs = flow_runs(env)
    children = [r for r in runs if r["deployment"] == "import-file"]
    assert sorted(r["name"] for r in children) == [
        f"import {name} (auto, {HOST})" for name in sorted(p.name for p in files)]
    assert all(r["state"] == "Completed" and r["pool"] == "archive" for r in children)
    parent = [r for r in runs if r["deployment"] == "import"]
    assert len(parent) == 1 and parent[0]["state"] == "Completed"
    total = result_from_table(json.loads(parent[0]["figures"]))
    assert counts(total) == counts(expected) and total.files == 3
    store = ArticleStore(pg_url)
    assert store.stats()["articles"] == expected.new == 7
    assert store.stats()["revisions"] == expected.new + expected.updated
