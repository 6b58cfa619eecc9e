"""Survey routes: create for a program, wave or location; record answers; results with n and distribution."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response, status

from services.metrics.cases.pseudonyms import org_key, patient_key
from services.metrics.locations import views as locations
from services.metrics.locations.lookup import location_for
from services.metrics.programs.lookup import playbook_for
from services.metrics.programs.views import go_lives
from services.metrics.surveys import views
from services.metrics.surveys.domain import CreateSurvey, RecordResponse, survey
from services.metrics.surveys.projections import SurveysProjection
from services.metrics.surveys.schemas import SurveyAnswer, SurveyCreate, SurveyOut, SurveyResults
from shared.access import require
from shared.aggregates import execute
from shared.app import ContextDep, EngineDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal
from shared.errors import DomainError
from shared.events import AggregateRef, new_id

router = APIRouter(prefix="/api/v1", tags=["metrics"])


def survey_ref(org: str, survey_id: str) -> AggregateRef:
    return AggregateRef(org, "metrics", "survey", survey_id)


@router.post("/programs/{program_id}/surveys", status_code=status.HTTP_201_CREATED, response_model=SurveyOut)
async def create_survey(program_id: str, body: SurveyCreate, response: Response, ctx: ContextDep,
                        runtime: RuntimeDep) -> SurveyOut:
    """Creates a survey (`SurveyCreated`) on the scale the playbook gives its kind; a program- or wave-wide
    survey is the planners', a location's one its managers'."""
    org = ctx.principal.org
    playbook = await playbook_for(runtime, org, program_id)
    if body.location_id is None:
        require(ctx.principal, "surveys:create-program")
    else:
        place = await location_for(runtime, ctx.principal, body.location_id)
        if place.program_id != program_id:
            raise DomainError(f"location {body.location_id} is not in program {program_id}", field="location_id")
    command = CreateSurvey(new_id(), program_id, body.kind, body.title, playbook, ctx.principal.subject, body.wave,
                           body.location_id)
    outcome = await execute(ctx, survey_ref(org, command.survey_id), survey, command)
    await read_your_writes(runtime, SurveysProjection.name, outcome.position, response)
    return next(s for s in await asyncio.to_thread(views.surveys_of, runtime.engine, org=org, program_id=program_id)
                if s.id == command.survey_id)


@router.get("/programs/{program_id}/surveys", response_model=list[SurveyOut])
async def list_surveys(program_id: str, principal: CurrentPrincipal, runtime: RuntimeDep,
                       engine: EngineDep) -> list[SurveyOut]:
    """The program's surveys, oldest first, with how many answered."""
    await playbook_for(runtime, principal.org, program_id)  # 404 for an unknown program
    found = await asyncio.to_thread(views.surveys_of, engine, org=principal.org, program_id=program_id)
    visible = await asyncio.to_thread(locations.visible_ids, engine, principal=principal)
    return [s for s in found if s.location_id is None or visible is None or s.location_id in visible]


@router.post("/surveys/{survey_id}/responses", status_code=status.HTTP_201_CREATED, response_model=SurveyResults)
async def record_response(survey_id: str, body: SurveyAnswer, request: Request, response: Response,
                          ctx: ContextDep, runtime: RuntimeDep) -> SurveyResults:
    """Records one person's answer (`SurveyResponseRecorded`, the person as a pseudonymous key): once per
    person (409 naming `respondent`), on the survey's scale, at a location in the caller's scope."""
    org = ctx.principal.org
    row = await asyncio.to_thread(views.survey_row, runtime.engine, org=org, survey_id=survey_id)
    location_id = body.location_id or row.location_id
    if location_id is None:
        raise DomainError("a program or wave survey's answer names its location", field="location_id")
    place = await location_for(runtime, ctx.principal, location_id)
    live = await asyncio.to_thread(go_lives, runtime.engine, org=org, location_ids=[place.id])
    key = patient_key(org_key(request.app.state.patient_secret, org), f"respondent:{body.respondent.strip().lower()}")
    command = RecordResponse(survey_id, key, body.score, place.id,
                             live[place.id].wave if place.id in live else None, datetime.now(UTC))
    outcome = await execute(ctx, survey_ref(org, survey_id), survey, command)
    await read_your_writes(runtime, SurveysProjection.name, outcome.position, response)
    return await survey_results(survey_id, ctx.principal, runtime.engine)


@router.get("/surveys/{survey_id}/results", response_model=SurveyResults)
async def get_results(survey_id: str, principal: CurrentPrincipal, engine: EngineDep) -> SurveyResults:
    """n, mean and the distribution of scores, overall and per location, over the locations the caller sees."""
    return await survey_results(survey_id, principal, engine)


async def survey_results(survey_id: str, principal: CurrentPrincipal, engine: EngineDep) -> SurveyResults:
    visible = await asyncio.to_thread(locations.visible_ids, engine, principal=principal)
    return await asyncio.to_thread(views.results, engine, org=principal.org, survey_id=survey_id, visible=visible)
