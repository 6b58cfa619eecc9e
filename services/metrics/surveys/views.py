"""Survey queries: a program's surveys, one survey's results, and each location's latest survey score."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from services.metrics.surveys.models import SurveyResponseRow, SurveyRow
from services.metrics.surveys.schemas import LocationResult, SurveyOut, SurveyResults
from shared.errors import NotFound


def _out(row: SurveyRow, responses: int) -> SurveyOut:
    return SurveyOut(id=row.id, program_id=row.program_id, kind=row.kind, title=row.title, scale_min=row.scale_min,
                     scale_max=row.scale_max, wave=row.wave, location_id=row.location_id, created_by=row.created_by,
                     created_at=row.created_at, responses=responses)


def surveys_of(engine: Engine, *, org: str, program_id: str) -> list[SurveyOut]:
    with Session(engine) as session:
        rows = session.exec(select(SurveyRow).where(SurveyRow.org == org, SurveyRow.program_id == program_id)
                            .order_by(col(SurveyRow.created_at))).all()
        counts = dict(session.exec(select(SurveyResponseRow.survey_id, func.count()).where(
            SurveyResponseRow.org == org, col(SurveyResponseRow.survey_id).in_([r.id for r in rows]))
            .group_by(col(SurveyResponseRow.survey_id))).all())
    return [_out(r, counts.get(r.id, 0)) for r in rows]


def survey_row(engine: Engine, *, org: str, survey_id: str) -> SurveyRow:
    with Session(engine) as session:
        row = session.get(SurveyRow, (org, survey_id))
    if row is None:
        raise NotFound(f"survey {survey_id} not found", field="survey_id")
    return row


def results(engine: Engine, *, org: str, survey_id: str, visible: set[str] | None) -> SurveyResults:
    """n, mean and the distribution of scores, overall and per location (`visible`: the caller's; None: all)."""
    row = survey_row(engine, org=org, survey_id=survey_id)
    with Session(engine) as session:
        answers = [a for a in session.exec(select(SurveyResponseRow).where(
            SurveyResponseRow.org == org, SurveyResponseRow.survey_id == survey_id)).all()
            if visible is None or a.location_id in visible]

    def summary(scores: Sequence[int]) -> tuple[int, float | None, dict[str, int]]:
        spread = {str(s): sum(1 for x in scores if x == s) for s in range(row.scale_min, row.scale_max + 1)}
        return len(scores), round(fmean(scores), 2) if scores else None, spread

    n, mean, spread = summary([a.score for a in answers])
    places = sorted({a.location_id or "" for a in answers})
    by_location = []
    for place in places:
        ln, lmean, lspread = summary([a.score for a in answers if (a.location_id or "") == place])
        by_location.append(LocationResult(location_id=place or None, n=ln, mean=lmean, distribution=lspread))
    return SurveyResults(survey=_out(row, n), n=n, mean=mean, distribution=spread, locations=by_location)


@dataclass(frozen=True, slots=True)
class LatestScore:
    """A location's answers to the latest survey of a kind that has any there."""

    kind: str
    mean: float
    n: int
    created_at: datetime
    last_answer: datetime
    first_sequence: int
    last_sequence: int


def latest_scores(engine: Engine, *, org: str, location_ids: Sequence[str]) -> dict[str, list[LatestScore]]:
    """Per location, per survey kind, the scores of the newest survey answered there."""
    with Session(engine) as session:
        answers = session.exec(select(SurveyResponseRow).where(
            SurveyResponseRow.org == org, col(SurveyResponseRow.location_id).in_(list(location_ids)))).all()
        surveys = {r.id: r for r in session.exec(select(SurveyRow).where(
            SurveyRow.org == org, col(SurveyRow.id).in_({a.survey_id for a in answers}))).all()}
    found: dict[str, list[LatestScore]] = {}
    for location_id in location_ids:
        mine = [a for a in answers if a.location_id == location_id and a.survey_id in surveys]
        for kind in sorted({surveys[a.survey_id].kind for a in mine}):
            newest = max((surveys[a.survey_id] for a in mine if surveys[a.survey_id].kind == kind),
                         key=lambda s: (s.created_at, s.id))
            scores = [a for a in mine if a.survey_id == newest.id]
            found.setdefault(location_id, []).append(LatestScore(
                kind, round(fmean(a.score for a in scores), 2), len(scores), newest.created_at,
                max(a.recorded_at for a in scores), min(a.sequence for a in scores), max(a.sequence for a in scores)))
    return found
