"""KPI commands: publish a location's measured KPIs (a reaction of the platform)."""

from __future__ import annotations

from services.metrics.kpis.domain import MeasureKpis, PublishedKpis, published
from shared.access import require
from shared.aggregates import Context, Outcome, execute
from shared.events import AggregateRef


def kpis_ref(org: str, location_id: str) -> AggregateRef:
    return AggregateRef(org, "metrics", "location", location_id)


async def publish_kpis(command: MeasureKpis, ctx: Context) -> Outcome[PublishedKpis]:
    """Record `LocationKpisMeasured` if the values changed since the last one."""
    require(ctx.principal, "kpis:measure")
    return await execute(ctx, kpis_ref(ctx.principal.org, command.location_id), published, command,
                         part=(str(command.last_sequence),))
