"""Training rules without I/O: certification pass / fail / retake, completion figures, session refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.training.champions.domain import Certify, champion
from services.training.completion.domain import status
from services.training.sessions.domain import Attendance, RecordSession, Trainer, session
from services.training.staff.domain import AddStaffMember, MarkStaffLeft, roster
from shared.contracts.training import CertificationAssessmentTaken, ChampionCertified
from shared.errors import DomainError
from shared.playbooks import get_template

SOFTSMILE = get_template("softsmile-dso").training
SPARK = get_template("spark-dso").training
RULE = SOFTSMILE.champion.certification


def step(state, **what):
    command = Certify("s1", "loc", "Tess", None, RULE, date(2025, 2, 1), "om", **what)
    events = champion.decide(state, command)
    for event in events:
        state = champion.evolve(state, event)
    return state, events


def test_certified_only_with_a_passing_score_and_the_simulation_failed_attempts_kept() -> None:
    state, events = step(champion.initial(), score=84.9)
    assert isinstance(events[0], CertificationAssessmentTaken) and not events[0].passed
    state, events = step(state, simulation=True)
    assert len(events) == 1 and "assessment score 84.9 below 85" in state.missing(RULE)[-1]
    state, events = step(state, score=85)
    assert isinstance(events[-1], ChampionCertified) and events[-1].assessment_score == 85
    assert [a.attempt for a in state.attempts] == [1, 2]
    with pytest.raises(DomainError, match="score must be between 0 and 100"):
        step(state, score=120)


def roster_of(*members: tuple[str, str]):
    state = roster.initial()
    for staff_id, role in members:
        [event] = roster.decide(state, AddStaffMember("loc", staff_id, staff_id.title(), role, "om"))
        state = roster.evolve(state, event)
    return state


def test_completion_counts_roles_with_a_curriculum_and_drops_leavers() -> None:
    state = roster_of(("ann", "provider"), ("bob", "hygienist"), ("cy", "administrator"), ("di", "provider"))
    now = datetime(2025, 3, 1, tzinfo=UTC)
    figures = status(state, {"ann": {"provider"}}, SOFTSMILE.curricula, program_id=None, as_of=now)
    assert (figures.staff_total, figures.staff_trained, figures.completion_pct) == (3, 1, 33.3)
    assert [(m.name, m.curricula) for m in figures.missing] == [("Bob", ["hygienist"]), ("Di", ["provider"])]
    [left] = roster.decide(state, MarkStaffLeft("loc", "di", date(2025, 2, 1), "om"))
    state = roster.evolve(state, left)
    figures = status(state, {"ann": {"provider"}, "bob": {"hygienist"}}, SOFTSMILE.curricula, program_id=None,
                     as_of=now)
    assert figures.completion_pct == 100.0 and figures.missing == []
    # Spark trains providers and hygienists in its clinician track, administrators in their own.
    spark = status(state, {}, SPARK.curricula, program_id=None, as_of=now)
    assert spark.by_role["hygienist"].total == 1 and spark.by_role["administrator"].total == 1


def test_a_session_is_refused_whole_for_an_uncertified_trainer_or_a_stranger() -> None:
    state = roster_of(("ann", "provider"))
    trainer = Trainer("s1", "Tess", "loc", True)

    def record(attendees, who=trainer):
        command = RecordSession("x", "loc", None, "provider", SOFTSMILE.curricula, who, date(2025, 2, 3), 120,
                                attendees, "om", state)
        return session.decide(session.initial(), command)

    [recorded] = record([Attendance("ann", score=90)])
    assert recorded.attendees[0].completed
    with pytest.raises(DomainError, match=r"attendees\[1\]\.staff_id"):
        record([Attendance("ann"), Attendance("zed")])
    with pytest.raises(DomainError, match="missing module"):
        record([Attendance("ann")], Trainer("s2", "Sam", "loc", False, "missing module x"))
