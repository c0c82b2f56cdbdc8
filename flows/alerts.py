"""An automation that calls a webhook when a crawl run fails (a changed
template trips the quality alarm, a crash, a timeout). The URL comes from
configuration (ARCHIVE_ALERT_WEBHOOK or `archive alerts --webhook`)."""

from __future__ import annotations

import contextlib
from typing import cast
from uuid import UUID

from prefect.automations import Automation, CallWebhook, EventTrigger, Posture
from prefect.blocks.webhook import Webhook
from pydantic import SecretStr

AUTOMATION_NAME = "crawl-failed-webhook"
BLOCK_NAME = "crawl-failed-webhook"
WATCHED_FLOWS = ("crawl", "backfill", "crawl-shard")


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
        trigger=EventTrigger(
            expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed"},
            match_related={"prefect.resource.role": "flow",
                           "prefect.resource.name": list(WATCHED_FLOWS)},
            posture=Posture.Reactive, threshold=1),
        actions=[CallWebhook(
            block_document_id=block_id,
            payload='{"flow_run": "{{ flow_run.name }}", "flow": "{{ flow.name }}", '
                    '"state": "{{ flow_run.state.name }}", '
                    '"message": {{ flow_run.state.message | tojson }}}')],
    )
    return cast(Automation, automation.create())
