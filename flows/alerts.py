"""An automation that calls a webhook when a crawl run fails (a changed
template trips the quality alarm, a crash, a timeout). The URL comes from
configuration (ARCHIVE_ALERT_WEBHOOK or `archive alerts --webhook`).

A crawl the fleet started is not alerted on by itself: the fleet's own run
fails naming every site that failed, and that one alert says it all. Such a
crawl is told by its run name, which starts with FLEET_SITE_RUN_PREFIX (the
automation sees a run's name and state, not its parameters); the crawl flow
names its runs so when its `started_by_fleet` parameter is set."""

from __future__ import annotations

import contextlib
from typing import cast
from uuid import UUID

from prefect.automations import Automation, CallWebhook, EventTrigger, Posture
from prefect.blocks.webhook import Webhook
from pydantic import SecretStr

AUTOMATION_NAME = "crawl-failed-webhook"
BLOCK_NAME = "crawl-failed-webhook"
WATCHED_FLOWS = ("crawl", "backfill", "crawl-shard", "fleet")
FLEET_SITE_RUN_PREFIX = "fleet-site "


def failure_trigger() -> EventTrigger:
    """A watched flow's run failed or crashed, unless the fleet started it."""
    return EventTrigger(
        expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed"},
        # "!" negates a label's pattern: any run but the fleet's sites.
        match={"prefect.resource.id": "prefect.flow-run.*",
               "prefect.resource.name": f"!{FLEET_SITE_RUN_PREFIX}*"},
        match_related={"prefect.resource.role": "flow",
                       "prefect.resource.name": list(WATCHED_FLOWS)},
        posture=Posture.Reactive, threshold=1)


def install_failure_webhook(url: str) -> Automation:
    """Create or replace the automation; returns it."""
    block = Webhook(url=SecretStr(url), method="POST")
    # Prefect's sync/async dual methods return plain values when called from sync code.
    block_id = cast(UUID, block.save(BLOCK_NAME, overwrite=True))
    with contextlib.suppress(ValueError):  # not there yet
        cast(Automation, Automation.read(name=AUTOMATION_NAME)).delete()
    automation = Automation(
        name=AUTOMATION_NAME,
        description="POST to the configured webhook when a crawl flow run fails.",
        trigger=failure_trigger(),
        actions=[CallWebhook(
            block_document_id=block_id,
            payload='{"flow_run": "{{ flow_run.name }}", "flow": "{{ flow.name }}", '
                    '"state": "{{ flow_run.state.name }}", '
                    '"message": {{ flow_run.state.message | tojson }}}')],
    )
    return cast(Automation, automation.create())
