"""The import flow: WARC files made elsewhere (Common Crawl, the Internet
Archive, `wget --warc-file`) through the crawl's ingest step
(`ingest.warc_import`), with its figures as a table artifact.

Several files under a work pool are shared over the pool's workers: each
file is its own flow run of the `import-file` deployment (this same flow with
one path), the way a backfill fans out its shards, and this run sums what
they report. The files must be at the same path on every worker (a shared
folder), and the pool needs a free slot beside the one this run holds.
Without a pool (`archive serve`, a direct call) or with one file, the files
are imported in this run."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, cast

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import FlowRun
from prefect.context import FlowRunContext
from prefect.deployments import run_deployment
from prefect.runtime import flow_run
from prefect.states import Failed, State

from ingest.warc_import import ImportInputError, ImportResult, import_warc, warc_files
from storage.store import ArticleStore, StoreError

from .parameters import SiteParameter
from .waiting import final_states

FILE_DEPLOYMENT = "import/import-file"
FIGURES_KEY = "import-figures"
FILE_TIMEOUT_S = 6 * 3600  # one file's run, waiting for a worker included


def import_run_name() -> str:
    """`import CC-MAIN-...warc.gz and 3 more (auto, eng-archive.aawsat.com)`."""
    parameters = flow_run.parameters
    paths = list(parameters.get("paths") or [])
    first = Path(paths[0]).name if paths else "nothing"
    more = f" and {len(paths) - 1} more" if len(paths) > 1 else ""
    hosts = list(parameters.get("hosts") or [])
    return f"import {first}{more} ({', '.join([parameters.get('site', 'auto'), *hosts])})"


def figures_table(result: ImportResult) -> list[dict[str, Any]]:
    """The run's figures, one row each; `result_from_table` reads them back."""
    rows: list[tuple[str, Any]] = [
        ("files", result.files), ("records", result.records), ("new", result.new),
        ("updated", result.updated), ("unchanged", result.unchanged), ("stale", result.stale)]
    rows += [(f"quarantined: {reason}", count)
             for reason, count in sorted(result.quarantined.items())]
    rows += [(f"skipped: {reason}", count) for reason, count in sorted(result.skipped.items())]
    rows.append(("names_learned", result.names_learned))
    rows.append(("duration_s", round(result.duration_s, 2)))
    rows += [("warning", warning) for warning in result.warnings]
    return [{"figure": name, "value": value} for name, value in rows]


def result_from_table(rows: list[dict[str, Any]]) -> ImportResult:
    result = ImportResult()
    for row in rows:
        name, value = str(row["figure"]), row["value"]
        if name.startswith(("quarantined: ", "skipped: ")):
            kind, reason = name.split(": ", 1)
            getattr(result, kind)[reason] = int(value)
        elif name == "warning":
            result.warnings.append(str(value))
        elif name == "duration_s":
            result.duration_s = float(value)
        elif name in ("files", "records", "new", "updated", "unchanged", "stale",
                      "names_learned"):
            setattr(result, name, int(value))
    return result


@flow(name="import", flow_run_name=import_run_name)
def import_flow(paths: list[str],
                site: SiteParameter = "auto",
                hosts: list[str] | None = None) -> dict[str, Any] | State:
    """Import WARC or WARC.gz files (or folders of them): every HTML response is
    cleaned, gated and stored like a crawled page, or quarantined with its
    reason; everything else is skipped and counted by reason. `hosts`: only
    records of these hosts (their www. twins included). Paths are read on the
    worker; several files are shared over the pool's workers."""
    logger = get_run_logger()
    try:
        files = warc_files(paths)
    except ImportInputError as error:
        logger.error("import refused: %s", error)
        return Failed(message=f"bad paths: {error}")
    context = FlowRunContext.get()
    pool = context.flow_run.work_pool_name if context and context.flow_run else None
    if len(files) > 1 and pool:
        return fan_out(files, site, hosts or [], pool)
    try:
        store = ArticleStore(os.environ.get("ARCHIVE_DB_URL"))
        result = import_warc(store, files, site=site, hosts=hosts)
    except StoreError as error:
        logger.error("import failed (store_error): %s", error)
        return Failed(message=f"store_error: {error}")
    for warning in result.warnings:
        logger.warning("%s", warning)
    create_table_artifact(key=FIGURES_KEY, table=figures_table(result),
                          description=f"import of {len(files)} WARC files")
    logger.info("imported %d files: %d records, %d new, %d updated, %d unchanged, %d stale, "
                "quarantined %s, skipped %s", result.files, result.records, result.new,
                result.updated, result.unchanged, result.stale, result.quarantined,
                result.skipped)
    why = result.nothing_usable()
    if why:
        logger.error("import failed: %s", why)
        return Failed(message=why, data=result.as_dict())
    return result.as_dict()


def fan_out(files: list[Path], site: str, hosts: list[str], pool: str) -> dict[str, Any] | State:
    """One flow run of the import-file deployment per file, over the pool's
    workers; the figures they publish, summed."""
    logger = get_run_logger()
    logger.info("sharing %d WARC files over the workers of pool %s", len(files), pool)
    runs = [cast(FlowRun, run_deployment(
        FILE_DEPLOYMENT, timeout=0, as_subflow=True,
        parameters={"paths": [str(path)], "site": site, "hosts": hosts})) for path in files]
    names = {run.id: str(path) for run, path in zip(runs, files, strict=True)}
    # Every file may wait for a free worker slot: at most all of them in a row.
    states = final_states([run.id for run in runs], deadline_s=FILE_TIMEOUT_S * len(runs))
    reported = children_figures([run.id for run in runs])
    total = ImportResult()
    rows = []
    for run in runs:
        state = states.get(run.id)
        figures = reported.get(run.id)
        if figures is not None:
            total.add(figures)
        rows.append({"file": names[run.id],
                     "state": state.name if state is not None else "not finished",
                     **{k: v for k, v in (figures.as_dict() if figures else {}).items()
                        if k in ("records", "new", "updated", "unchanged", "stale")},
                     "quarantined": sum(figures.quarantined.values()) if figures else 0,
                     "skipped": sum(figures.skipped.values()) if figures else 0})
    create_table_artifact(key=FIGURES_KEY, table=figures_table(total),
                          description=f"import of {len(files)} WARC files over pool {pool}")
    create_table_artifact(key="import-files", table=rows,
                          description="what each file's run imported")
    failed = [row["file"] for row in rows if row["state"] != "Completed"]
    if failed:
        return Failed(message=f"{len(failed)} of {len(files)} files did not import: "
                              f"{', '.join(failed)}; run them again (an import is idempotent)",
                      data=total.as_dict())
    return total.as_dict()


def children_figures(run_ids: list[Any]) -> dict[Any, ImportResult]:
    """The figures each child run published, by flow run id."""
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[FIGURES_KEY]),
            flow_run_id=ArtifactFilterFlowRunId(any_=run_ids)))
    found = {}
    for artifact in artifacts:
        data = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
        if isinstance(data, list):
            found[artifact.flow_run_id] = result_from_table(data)
    return found
