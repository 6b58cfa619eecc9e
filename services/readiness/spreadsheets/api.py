"""Spreadsheet routes: import locations from CSV, export the readiness matrix (JSON or CSV)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from services.readiness.locations import views
from services.readiness.locations.api import filters
from services.readiness.locations.paging import every_row
from services.readiness.locations.projections import LocationsProjection
from services.readiness.locations.schemas import ListQuery
from services.readiness.programs.lookup import playbooks_for
from services.readiness.spreadsheets import handlers
from services.readiness.spreadsheets.domain import fact_columns, matrix_csv_lines, named_programs
from services.readiness.spreadsheets.schemas import Imported, ImportReport, Matrix, MatrixRow
from shared.access import require
from shared.app import ContextDep, EngineDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal
from shared.db import on_engine
from shared.http import error_body
from shared.uploads import csv_text

router = APIRouter(prefix="/api/v1", tags=["readiness"])


IMPORT_DOC = """Registers one location per CSV row (UTF-8, header row first).

Columns: `name`, `region` (required), `program_id`, and any location fact by its `LOCATION_FACTS` name
(`internet_down_mbps`, `pms`, `provider_champion`, ...); empty cells are unknown facts; booleans are
true/false/yes/no; choices may be written as people do ("Open Dental").

**All or nothing**: every row is validated first. If any row is invalid, nothing is imported and the
answer is 422 with `error.rejected` listing each rejected row (line number, field, reason). Only when
every row is valid are the locations registered (and scored where their facts suffice). If the event
store fails part-way, re-send the same file with the same `Idempotency-Key`: rows already written are
not written again.
"""
CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}}


@router.post("/locations/import", status_code=status.HTTP_201_CREATED, response_model=ImportReport,
             description=IMPORT_DOC, openapi_extra=CSV_BODY)
async def import_locations(
    request: Request, response: Response, ctx: ContextDep, runtime: RuntimeDep, engine: EngineDep,
) -> ImportReport | JSONResponse:
    """Imports locations and facts from CSV, all or nothing."""
    require(ctx.principal, "locations:import")
    text = await csv_text(request)
    taken = await asyncio.to_thread(views.names_in_use, engine, org=ctx.principal.org)
    playbooks = await playbooks_for(runtime, ctx.principal.org, named_programs(text))
    result = await handlers.import_locations(handlers.ImportLocations(text, frozenset(taken), playbooks), ctx)
    if result.rejected:
        return JSONResponse(_refusal(result), status_code=422)
    await read_your_writes(runtime, LocationsProjection.name, result.applied.position, response)
    ids = [outcome.state.id for outcome in result.outcomes]
    stored = await asyncio.to_thread(views.rows_by_id, engine, org=ctx.principal.org, ids=ids)
    return ImportReport(imported=len(ids), locations=[
        Imported(line=row.line, location_id=location_id, name=stored[location_id].name,
                 composite=stored[location_id].composite)
        for row, location_id in zip(result.rows, ids, strict=True)
    ])


def _refusal(result: handlers.ImportResult) -> dict[str, Any]:
    total = len(result.rows) + len(result.rejected)
    message = f"{len(result.rejected)} of {total} rows rejected; nothing was imported"
    return error_body("import_rejected", message, "body", rejected=[asdict(r) for r in result.rejected])


# The matrix's columns only: a page never reads the facts, entered scores or factor details.
MATRIX_COLUMNS = [views.TABLE.c.id.label("location_id"),
                  *(views.TABLE.c[name] for name in MatrixRow.model_fields if name != "location_id")]


@router.get("/readiness/matrix", response_model=Matrix)
async def readiness_matrix(
    query: Annotated[ListQuery, Query()], principal: CurrentPrincipal, engine: EngineDep
) -> dict[str, Any]:
    """A page of the matrix: one row per location the caller may see (filtered), five scores, composite, wave."""
    found = await on_engine(engine, views.list_public, principal=principal, where=filters(query), limit=query.limit,
                            cursor=query.cursor, columns=MATRIX_COLUMNS)
    return {"rows": found.rows, "next_cursor": found.next_cursor}  # validated once, as the response model


@router.get("/readiness/matrix.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def readiness_matrix_csv(
    principal: CurrentPrincipal, engine: EngineDep, facts: bool = False, program_id: str | None = None,
    region: str | None = None, wave: str | None = None,
) -> StreamingResponse:
    """The whole readiness matrix as CSV, streamed (with `?facts=true`, one column per recorded fact too)."""
    require(principal, "readiness:export")
    query = views.filtered(principal, views.LocationFilter(region=region, program_id=program_id, wave=wave))
    columns = fact_columns(row.facts for row in every_row(engine, query)) if facts else []
    rows = (row.model_dump() | {"location_id": row.id} for row in every_row(engine, query))
    return StreamingResponse(iterate_in_threadpool(matrix_csv_lines(rows, facts=columns)),
                             media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="readiness-matrix.csv"'})
