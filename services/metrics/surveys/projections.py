"""Folds survey events into `metrics_surveys_v1` and `metrics_survey_responses_v1`."""

from __future__ import annotations

from sqlmodel import Session, SQLModel

from services.metrics.surveys.models import SurveyResponseRow, SurveyRow
from shared.contracts.base import parse
from shared.contracts.metrics import SurveyCreated, SurveyResponseRecorded
from shared.events import RecordedEvent


class SurveysProjection:
    """A row per survey and per answer."""

    name = "metrics-surveys"
    stream = "metrics"
    tables: tuple[type[SQLModel], ...] = (SurveyRow, SurveyResponseRow)

    @staticmethod
    def wants(event: RecordedEvent) -> bool:
        return event.ref.aggregate == "survey"

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if not self.wants(event):
            return
        match parse(event):
            case SurveyCreated() as created:
                session.merge(SurveyRow(
                    org=event.ref.org, id=created.survey_id, program_id=created.program_id, kind=created.kind,
                    title=created.title, scale_min=created.scale_min, scale_max=created.scale_max, wave=created.wave,
                    location_id=created.location_id, created_by=created.created_by, created_at=event.time,
                ))
            case SurveyResponseRecorded() as answered:
                session.merge(SurveyResponseRow(
                    org=event.ref.org, survey_id=answered.survey_id, respondent_key=answered.respondent_key,
                    location_id=answered.location_id, score=answered.score, recorded_at=answered.recorded_at,
                    sequence=event.sequence,
                ))
