"""`archive serve`: every deployment of prefect.yaml, with its schedule, served
from one process (no work pool needed). prefect.yaml stays the one place
where deployments are declared: the nightly `fleet/nightly` and the
`crawl/site` runs it starts are served here too, side by side (serve runs
any number of flow runs at once), like every manual deployment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig
from prefect.flows import load_flow_from_entrypoint
from prefect.schedules import Cron, Interval

ROOT = Path(__file__).resolve().parent.parent


def deployments_from_yaml(path: Path = ROOT / "prefect.yaml",
                          interval_s: float | None = None) -> list[Any]:
    """RunnerDeployments for `serve`; `interval_s` replaces every schedule (tests)."""
    spec = yaml.safe_load(path.read_text())
    built = []
    for item in spec["deployments"]:
        flow: Any = load_flow_from_entrypoint(str(ROOT / item["entrypoint"]))
        schedules = [Interval(interval_s)] if interval_s and item.get("schedules") else [
            Cron(s["cron"], timezone=s.get("timezone", "UTC"), active=s.get("active", True))
            for s in item.get("schedules") or []]
        limit = item.get("concurrency_limit")
        built.append(flow.to_deployment(
            name=item["name"], description=item.get("description"), tags=item.get("tags"),
            parameters=item.get("parameters") or {}, schedules=schedules or None,
            concurrency_limit=ConcurrencyLimitConfig(**limit) if isinstance(limit, dict)
            else limit,
            enforce_parameter_schema=item.get("enforce_parameter_schema", True)))
    return built


class ServeConflict(RuntimeError):
    """Deployments of the same names are registered for a work pool."""


def pooled_deployments(names: list[str]) -> list[str]:
    """Which of these deployments ("flow/name") the Prefect API already has
    registered for a work pool (by `prefect deploy`)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return [f"{name} (pool {d.work_pool_name})"
                for name, d in registered(client, names) if d.work_pool_name]


def registered(client: Any, names: list[str]) -> Iterator[tuple[str, Any]]:
    """The deployments of these names ("flow/name") the API has, by name."""
    from prefect.exceptions import ObjectNotFound

    for name in names:
        try:
            yield name, client.read_deployment_by_name(name)
        except ObjectNotFound:
            continue


def serve_all(interval_s: float | None = None) -> int:
    """Serve every deployment, unless `prefect deploy` registered them for a
    work pool on this API: serving would rewrite them (their pull steps gone,
    runs crashing on the pool's workers) and pause their schedules when it
    stops. Workers serve those; `serve` is for a setup without a pool.

    Returns, once stopped, how many of the served deployments are paused."""
    deployments = deployments_from_yaml(interval_s=interval_s)
    names = [f"{d.flow_name}/{d.name}" for d in deployments]
    taken = pooled_deployments(names)
    if taken:
        raise ServeConflict(
            f"these deployments are registered for a work pool on this Prefect server: "
            f"{', '.join(taken)}; run their workers (make worker) instead of serve, or delete "
            "them first (prefect deployment delete NAME)")
    serve(*deployments)
    # Prefect's runner pauses them as it stops, but not when the stop comes
    # while it starts (after the deployments were registered): schedules
    # left active on a server nobody serves pile up late runs.
    return pause_deployments(names)


def pause_deployments(names: list[str]) -> int:
    """Pause these deployments' schedules (those already paused stay so);
    returns how many are paused."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        deployments = [deployment for _name, deployment in registered(client, names)]
        for deployment in deployments:
            if not deployment.paused:
                client.pause_deployment(deployment.id)
    return len(deployments)
