"""Spreadsheet routes: import locations from CSV, export the readiness matrix (JSON or CSV)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse

from services.readiness.api.common import org_playbooks, settled
from services.readiness.handlers import imports as handlers
from services.readiness.handlers.locations import REGISTER
from services.readiness.schemas.reports import Imported, ImportReport, Matrix, MatrixRow
from services.readiness.spreadsheet import matrix_csv
from services.readiness.views import locations as views
from shared.app import EngineDep, RuntimeDep, StoreDep, command_metadata
from shared.auth import CurrentPrincipal, require_role
from shared.errors import DomainError
from shared.http import error_body
from shared.idempotency import OutcomesDep, once

router = APIRouter()


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


class TooLarge(DomainError):
    status = 413
    code = "payload_too_large"


MAX_BYTES = 2_000_000
IMPORT_DOC = """Registers one location per CSV row (UTF-8, header row first).

Columns: `name`, `region` (required), `program_id`, and any location fact by its `LOCATION_FACTS` name
(`internet_down_mbps`, `pms`, `provider_champion`, ...); empty cells are unknown facts; booleans are
true/false/yes/no; choices may be written as people do ("Open Dental").

**All or nothing**: every row is validated first. If any row is invalid, nothing is imported and the
answer is 422 with `error.rejected` listing each rejected row (line number, field, reason). Only when
every row is valid are the locations registered (and scored where their facts suffice). If the event
store fails part-way, re-send the same file with the same `Idempotency-Key`: rows already written are
not written again. A retry with the same key after the import finished (say the client timed out) gets
the first answer again; while it still runs, `409 in_progress` with `Retry-After`.
"""
CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}}


@router.post("/locations/import", status_code=status.HTTP_201_CREATED, response_model=ImportReport,
             description=IMPORT_DOC, openapi_extra=CSV_BODY)
async def import_locations(
    request: Request, response: Response, principal: CurrentPrincipal, store: StoreDep,
    runtime: RuntimeDep, engine: EngineDep, outcomes: OutcomesDep,
) -> Response:
    """Imports locations and facts from CSV, all or nothing."""
    require_role(principal, REGISTER, "locations:import")

    async def execute() -> Response:
        text = await _csv_text(request)
        taken = await asyncio.to_thread(views.names_in_use, engine, org=principal.org)
        meta = command_metadata(request, principal, "ImportLocations")
        playbooks = await org_playbooks(runtime, principal.org)
        result = await handlers.import_locations(store, principal=principal, meta=meta, playbooks=playbooks,
                                                 text=text, taken=taken)
        if result.rejected:
            return JSONResponse(_refusal(result), status_code=422)
        await settled(runtime, result.applied, response)
        report = ImportReport(imported=len(result.outcomes), locations=[
            Imported(line=row.line, location_id=o.state.id, name=o.state.name,
                     composite=o.state.scoring.composite if o.state.scoring else None)
            for row, o in zip(result.rows, result.outcomes, strict=True)
        ])
        positions = {name: value for name in ("x-event-position", "x-read-model")
                     if (value := response.headers.get(name))}
        return JSONResponse(report.model_dump(mode="json"), status_code=201, headers=positions)

    # A retry with the same Idempotency-Key gets this first answer (even after a gateway timeout), not a rerun.
    return await once(request, outcomes, org=principal.org, command="ImportLocations", execute=execute)


def _refusal(result: handlers.ImportResult) -> dict[str, Any]:
    total = len(result.rows) + len(result.rejected)
    message = f"{len(result.rejected)} of {total} rows rejected; nothing was imported"
    return error_body("import_rejected", message, "body", rejected=[asdict(r) for r in result.rejected])


async def _csv_text(request: Request) -> str:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("text/csv", "text/plain"):
        raise UnsupportedMediaType(f"send the CSV as text/csv, not {media or 'no content type'}", field="content-type")
    raw = await request.body()
    if len(raw) > MAX_BYTES:
        raise TooLarge(f"the CSV is over {MAX_BYTES} bytes; split it", field="body")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError(f"the CSV must be UTF-8 (byte {error.start} is not)", field="body") from error


@router.get("/readiness/matrix", response_model=Matrix)
def readiness_matrix(principal: CurrentPrincipal, engine: EngineDep) -> Matrix:
    """One row per location: the five scores, composite, level and recommended wave."""
    rows = views.list_locations(engine, principal=principal)
    return Matrix(rows=[MatrixRow(location_id=r.id, **r.model_dump(exclude={"id"})) for r in rows])


@router.get("/readiness/matrix.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def readiness_matrix_csv(principal: CurrentPrincipal, engine: EngineDep, facts: bool = False) -> Response:
    """The readiness matrix as CSV (with `?facts=true`, one column per recorded fact too)."""
    rows = views.list_locations(engine, principal=principal)
    text = matrix_csv([r.model_dump() | {"location_id": r.id} for r in rows], facts=facts)
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="readiness-matrix.csv"'})
