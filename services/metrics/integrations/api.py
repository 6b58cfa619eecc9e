"""Integration routes: register (secret shown once), rotate the secret, map clinics, intake settings,
parked deliveries (list, raw payload for super admins, re-process)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import orjson
from fastapi import APIRouter, Query, Request, Response, status
from nats.js.errors import NotFoundError

from services.metrics.cases import views as case_views
from services.metrics.intake.adapters import ADAPTERS
from services.metrics.intake.process import Expired, Intake
from services.metrics.integrations import views
from services.metrics.integrations.domain import (
    ConfigureIntake,
    MapClinics,
    RegisterIntegration,
    RotateSecret,
    intake_settings,
    integration,
)
from services.metrics.integrations.health import Observations, evaluate
from services.metrics.integrations.models import DeliveryRow, IntegrationRow
from services.metrics.integrations.projections import IntegrationsProjection
from services.metrics.integrations.schemas import (
    ClinicsMap,
    DeliveryOut,
    IntakeSettingsIn,
    IntakeSettingsOut,
    IntegrationCreate,
    IntegrationHealthOut,
    IntegrationOut,
    IntegrationWithSecret,
    ReprocessOut,
    SecretRotation,
)
from services.metrics.locations import views as locations
from services.metrics.locations.lookup import location_for
from services.metrics.programs.lookup import playbook_for
from shared.access import in_scope, org_wide, require
from shared.aggregates import Context, execute
from shared.app import ContextDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal, Principal
from shared.contracts.gateway import INTAKE_STREAM
from shared.errors import Conflict, NotFound
from shared.events import AggregateRef, new_id
from shared.runtime import Runtime
from shared.webhooks import fingerprint, integration_secret

router = APIRouter(prefix="/api/v1", tags=["integrations"])


def integration_ref(org: str, integration_id: str) -> AggregateRef:
    return AggregateRef(org, "metrics", "integration", integration_id)


def _secret(request: Request, org: str, integration_id: str, secret_id: str) -> str:
    return integration_secret(request.app.state.webhook_key, org=org, integration_id=integration_id,
                              secret_id=secret_id)


def _out(row: IntegrationRow) -> IntegrationOut:
    return IntegrationOut(
        id=row.id, source=row.source, name=row.name, time_zone=row.time_zone, clinic_map=row.clinic_map,
        webhook_url=f"/webhooks/{row.source}/{row.id}", secret_fingerprint=row.fingerprint,
        previous_secret_valid_until=row.previous_valid_until, registered_by=row.registered_by,
        registered_at=row.registered_at,
    )


async def _integration(runtime: Runtime, org: str, integration_id: str) -> IntegrationRow:
    row = await asyncio.to_thread(views.find, runtime.engine, org=org, integration_id=integration_id)
    if row is None:
        raise NotFound(f"integration {integration_id} not found", field="integration_id")
    return row


async def _known_locations(runtime: Runtime, org: str) -> set[str]:
    return await asyncio.to_thread(locations.ids_of_org, runtime.engine, org=org)


@router.post("/integrations", status_code=status.HTTP_201_CREATED, response_model=IntegrationWithSecret)
async def register_integration(body: IntegrationCreate, request: Request, response: Response, ctx: ContextDep,
                               runtime: RuntimeDep) -> IntegrationWithSecret:
    """Registers a PMS or scanner integration (`IntegrationRegistered`); the answer holds its signing secret,
    shown this once."""
    require(ctx.principal, "integrations:manage")
    org, integration_id, secret_id = ctx.principal.org, new_id(), new_id()
    secret = _secret(request, org, integration_id, secret_id)
    command = RegisterIntegration(integration_id, body.source, body.name, body.clinic_map, secret_id,
                                  fingerprint(secret), body.time_zone, ctx.principal.subject, set(ADAPTERS),
                                  await _known_locations(runtime, org))
    outcome = await execute(ctx, integration_ref(org, integration_id), integration, command)
    await read_your_writes(runtime, IntegrationsProjection.name, outcome.position, response)
    response.headers["Location"] = f"/api/v1/integrations/{integration_id}"
    row = await _integration(runtime, org, integration_id)
    return IntegrationWithSecret(**_out(row).model_dump(), secret=secret)


@router.get("/integrations", response_model=list[IntegrationOut])
async def list_integrations(principal: CurrentPrincipal, runtime: RuntimeDep) -> list[IntegrationOut]:
    """The org's integrations (fingerprints, never secrets); a regional admin sees only its locations' clinics."""
    rows = await asyncio.to_thread(views.of_org, runtime.engine, org=principal.org)
    return [await _scoped(runtime, principal, _out(row)) for row in rows]


@router.get("/integrations/parked", response_model=list[DeliveryOut])
async def parked(principal: CurrentPrincipal, runtime: RuntimeDep, integration_id: str | None = None,
                 reason: str | None = None, limit: int = Query(100, ge=1, le=500)) -> list[DeliveryOut]:
    """Parked deliveries, oldest first, with the reason (no patient data); below org-wide roles only those
    of locations in the caller's scope."""
    await runtime.caught_up(IntegrationsProjection.name, timeout=2.0)
    rows = await asyncio.to_thread(views.deliveries, runtime.engine, org=principal.org, status="parked",
                                   integration_id=integration_id, limit=500)
    visible = await _visible(runtime, principal, rows)
    return [_delivery(row) for row in visible if reason is None or row.reason == reason][:limit]


@router.get("/integrations/{integration_id}", response_model=IntegrationOut)
async def get_integration(integration_id: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> IntegrationOut:
    return await _scoped(runtime, principal, _out(await _integration(runtime, principal.org, integration_id)))


async def _scoped(runtime: Runtime, principal: Principal, out: IntegrationOut) -> IntegrationOut:
    """The clinic map cut to the locations in the caller's scope (an integration spans the org's regions)."""
    visible = await asyncio.to_thread(locations.visible_ids, runtime.engine, principal=principal)
    if visible is None:
        return out
    return out.model_copy(update={"clinic_map": {c: loc for c, loc in out.clinic_map.items() if loc in visible}})


@router.post("/integrations/{integration_id}/secret", response_model=IntegrationWithSecret)
async def rotate_secret(integration_id: str, body: SecretRotation, request: Request, response: Response,
                        ctx: ContextDep, runtime: RuntimeDep) -> IntegrationWithSecret:
    """A new signing secret (shown once); the previous one stays valid for `overlap_hours`."""
    require(ctx.principal, "integrations:manage")
    org, secret_id = ctx.principal.org, new_id()
    secret = _secret(request, org, integration_id, secret_id)
    command = RotateSecret(integration_id, secret_id, fingerprint(secret), datetime.now(UTC),
                           timedelta(hours=body.overlap_hours), ctx.principal.subject)
    outcome = await execute(ctx, integration_ref(org, integration_id), integration, command)
    await read_your_writes(runtime, IntegrationsProjection.name, outcome.position, response)
    return IntegrationWithSecret(**_out(await _integration(runtime, org, integration_id)).model_dump(), secret=secret)


@router.put("/integrations/{integration_id}/clinics", response_model=IntegrationOut)
async def map_clinics(integration_id: str, body: ClinicsMap, response: Response, ctx: ContextDep,
                      runtime: RuntimeDep) -> IntegrationOut:
    """Replaces the clinic/site map (`IntegrationClinicsMapped`); parked deliveries can then be re-processed."""
    require(ctx.principal, "integrations:manage")
    org = ctx.principal.org
    command = MapClinics(integration_id, body.clinic_map, ctx.principal.subject, await _known_locations(runtime, org))
    outcome = await execute(ctx, integration_ref(org, integration_id), integration, command)
    await read_your_writes(runtime, IntegrationsProjection.name, outcome.position, response)
    return _out(await _integration(runtime, org, integration_id))


@router.post("/integrations/{integration_id}/parked/reprocess", response_model=ReprocessOut)
async def reprocess_integration(integration_id: str, request: Request, ctx: ContextDep,
                                runtime: RuntimeDep) -> ReprocessOut:
    """Re-processes every parked delivery of the integration (after a mapping or settings fix)."""
    require(ctx.principal, "integrations:manage")
    await _integration(runtime, ctx.principal.org, integration_id)
    rows = await asyncio.to_thread(views.deliveries, runtime.engine, org=ctx.principal.org, status="parked",
                                   integration_id=integration_id)
    return await _reprocess(request, runtime, ctx, rows)


@router.post("/integrations/deliveries/{delivery_id}/reprocess", response_model=ReprocessOut)
async def reprocess_delivery(delivery_id: str, request: Request, ctx: ContextDep,
                             runtime: RuntimeDep) -> ReprocessOut:
    """Re-processes one parked delivery (in the caller's scope)."""
    row = await _delivery_row(runtime, ctx.principal, delivery_id)
    return await _reprocess(request, runtime, ctx, [row])


@router.get("/integrations/deliveries/{delivery_id}/payload")
async def delivery_payload(delivery_id: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> Response:
    """The raw body as received (PHI; super admins only, while the intake retention keeps it)."""
    require(principal, "integrations:read-payload")
    row = await _delivery_row(runtime, principal, delivery_id)
    try:
        raw = await runtime.nc.jetstream().get_msg(INTAKE_STREAM, seq=row.intake_sequence, direct=True)
    except NotFoundError:
        raise NotFound(f"delivery {delivery_id}'s payload has expired (intake retention)",
                       field="delivery_id") from None
    body = orjson.loads(raw.data or b"{}").get("body", "")
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})


@router.put("/locations/{location_id}/intake-settings", response_model=IntakeSettingsOut)
async def configure_intake(location_id: str, body: IntakeSettingsIn, response: Response, ctx: ContextDep,
                           runtime: RuntimeDep) -> IntakeSettingsOut:
    """How the location's deliveries are read: patient matching, procedure-code mapping, fee schedule."""
    require(ctx.principal, "intake-settings:set")
    location = await location_for(runtime, ctx.principal, location_id)
    command = ConfigureIntake(location.id, body.patient_matching, body.fuzzy_threshold, body.procedure_codes,
                              body.fee_schedule, ctx.principal.subject)
    ref = AggregateRef(ctx.principal.org, "metrics", "intake_settings", location.id)
    outcome = await execute(ctx, ref, intake_settings, command)
    await read_your_writes(runtime, IntegrationsProjection.name, outcome.position, response)
    return await get_intake_settings(location_id, ctx.principal, runtime)


@router.get("/locations/{location_id}/intake-settings", response_model=IntakeSettingsOut)
async def get_intake_settings(location_id: str, principal: CurrentPrincipal,
                              runtime: RuntimeDep) -> IntakeSettingsOut:
    location = await location_for(runtime, principal, location_id)
    row = await asyncio.to_thread(views.settings_of, runtime.engine, org=principal.org, location_id=location.id)
    return IntakeSettingsOut(location_id=location.id, patient_matching=row.patient_matching,  # type: ignore[arg-type]
                             fuzzy_threshold=row.fuzzy_threshold, procedure_codes=row.procedure_codes,
                             fee_schedule=row.fee_schedule)


# --- helpers ---------------------------------------------------------------------------------------------


def _delivery(row: DeliveryRow) -> DeliveryOut:
    return DeliveryOut(
        id=row.id, integration_id=row.integration_id, source=row.source, webhook_id=row.webhook_id,
        status=row.status, reason=row.reason, detail=row.detail, field=row.field_name, clinic_id=row.clinic_id,
        location_id=row.location_id, case_id=row.case_id, waiting_for_case=row.waiting_for_case,
        attempts=row.attempts, first_seen_at=row.first_seen_at, updated_at=row.updated_at,
    )


async def _visible(runtime: Runtime, principal: Principal, rows: list[DeliveryRow]) -> list[DeliveryRow]:
    """Org-wide callers see every delivery; others those of locations in their scope (never unmapped ones)."""
    if org_wide(principal):
        return rows
    places = await asyncio.to_thread(locations.by_ids, runtime.engine, org=principal.org,
                                     ids={r.location_id for r in rows if r.location_id})
    return [r for r in rows if r.location_id in places
            and in_scope(principal, region=places[r.location_id].region, location_id=r.location_id)]


async def _delivery_row(runtime: Runtime, principal: Principal, delivery_id: str) -> DeliveryRow:
    await runtime.caught_up(IntegrationsProjection.name, timeout=2.0)
    row = await asyncio.to_thread(views.delivery, runtime.engine, org=principal.org, delivery_id=delivery_id)
    if row is None or not await _visible(runtime, principal, [row]):
        raise NotFound(f"delivery {delivery_id} not found", field="delivery_id")
    return row


async def _reprocess(request: Request, runtime: Runtime, ctx: Context, rows: list[DeliveryRow]) -> ReprocessOut:
    if any(row.status != "parked" for row in rows):
        raise Conflict("the delivery is not parked: it was processed already", field="delivery_id")
    intake: Intake = request.app.state.intake_of(runtime)
    platform = replace(ctx, principal=Principal.system(ctx.principal.org, "metrics-intake"))
    processed = parked_again = expired = 0
    for row in rows:
        try:
            outcome = await intake.reprocess(ctx.principal.org, row.intake_sequence,
                                             platform.part(f"reprocess:{row.id}:{row.attempts}"))
        except Expired:
            expired += 1
            continue
        if outcome.event_type() == "DeliveryParked":
            parked_again += 1
        else:
            processed += 1
    await runtime.caught_up(IntegrationsProjection.name, timeout=2.0)
    after = [await asyncio.to_thread(views.delivery, runtime.engine, org=ctx.principal.org, delivery_id=row.id)
             for row in rows]
    return ReprocessOut(reprocessed=len(rows), processed=processed, still_parked=parked_again, expired=expired,
                        deliveries=[_delivery(row) for row in after if row is not None])


@router.get("/locations/{location_id}/integration-health", response_model=IntegrationHealthOut)
async def integration_health(location_id: str, principal: CurrentPrincipal,
                             runtime: RuntimeDep) -> IntegrationHealthOut:
    """The location's program's integration checks, each measured from event timestamps."""
    location = await location_for(runtime, principal, location_id)
    playbook = await playbook_for(runtime, principal.org, location.program_id)
    engine, org = runtime.engine, principal.org
    seen = Observations(
        patient_sync_seconds=await asyncio.to_thread(views.patient_sync_seconds, engine, org=org,
                                                     location_id=location.id),
        cases=(await asyncio.to_thread(case_views.cases_of, engine, org=org, location_ids=[location.id]))[location.id],
        settings=await asyncio.to_thread(views.settings_of, engine, org=org, location_id=location.id),
    )
    results = evaluate(playbook.integration_checks, seen)
    return IntegrationHealthOut(location_id=location.id, program_id=location.program_id, checks=results,
                                passing=sum(r.status == "pass" for r in results),
                                failing=sum(r.status == "fail" for r in results))
