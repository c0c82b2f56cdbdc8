"""Waiting for flow runs a flow started (the fleet's crawls, a backfill's
shards, an import's files): Prefect's own wait, on the API's stream of state
changes, for all the runs at once; polling only where no stream can be had."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from uuid import UUID

from prefect import get_run_logger
from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.objects import FlowRun
from prefect.exceptions import FlowRunWaitTimeout, MissingContextError
from prefect.flow_runs import wait_for_flow_run
from prefect.logging import get_logger
from prefect.states import State
from prefect.utilities.asyncutils import run_coro_as_sync

POLL_S = 5.0  # only when the API's event stream cannot be had
RunLogger = logging.Logger | logging.LoggerAdapter[logging.Logger]


def wait_for_runs(run_ids: list[UUID], deadline_s: float) -> dict[UUID, FlowRun]:
    """Every run as it ended, or as it stands at the deadline: Prefect's own
    wait (the API's stream of state changes), all the runs at once."""
    try:
        logger: RunLogger = get_run_logger()
    except MissingContextError:  # called outside a flow run (a test, a script)
        logger = get_logger(__name__)
    return run_coro_as_sync(_wait_for_runs(run_ids, time.monotonic() + deadline_s, logger))


async def _wait_for_runs(run_ids: list[UUID], deadline: float,
                         logger: RunLogger) -> dict[UUID, FlowRun]:
    async with get_client() as client:
        runs = await asyncio.gather(*(_wait_for_run(client, i, deadline, logger)
                                      for i in run_ids))
    return {run.id: run for run in runs}


async def _wait_for_run(client: PrefectClient, run_id: UUID, deadline: float,
                        logger: RunLogger) -> FlowRun:
    try:
        return await wait_for_flow_run(
            run_id, timeout=max(1, math.ceil(deadline - time.monotonic())), client=client)
    except FlowRunWaitTimeout:
        return await client.read_flow_run(run_id)
    except Exception as error:  # noqa: BLE001 - no event stream here (a proxy without websockets)
        logger.warning("waiting for flow run %s by polling: %s", run_id, error)
    while True:
        run = await client.read_flow_run(run_id)
        if (run.state is not None and run.state.is_final()) or time.monotonic() >= deadline:
            return run
        await asyncio.sleep(min(POLL_S, max(0.0, deadline - time.monotonic())))


def final_states(run_ids: list[UUID], deadline_s: float) -> dict[UUID, State]:
    """The runs that reached a final state by the deadline, with that state
    (a run missing from it did not finish)."""
    return {run_id: run.state for run_id, run in wait_for_runs(run_ids, deadline_s).items()
            if run.state is not None and run.state.is_final()}
