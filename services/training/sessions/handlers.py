"""Record a training session: the session, each attendee's completion, then the location's status."""

from __future__ import annotations

from dataclasses import replace

from services.training.champions.domain import champion
from services.training.champions.handlers import champion_ref
from services.training.completion.handlers import refresh_status, staff_ref
from services.training.sessions.domain import CompleteTraining, RecordSession, Session, Trainer, session, staff_record
from services.training.staff.domain import Place, roster
from services.training.staff.handlers import in_place, location_ref
from shared.aggregates import Context, Outcome, execute
from shared.events import AggregateRef
from shared.playbooks.training import Training


def session_ref(org: str, session_id: str) -> AggregateRef:
    return AggregateRef(org, "training", "session", session_id)


async def trainer_of(ctx: Context, *, staff_id: str | None, name: str | None, training: Training) -> Trainer:
    """Who the trainer is, and why they may not deliver training (not a champion, not certified)."""
    rule = training.champion.certification
    if staff_id is None:
        if rule is not None:
            return Trainer(None, name, None, False, "trainer_staff_id is required: sessions are delivered by "
                                                   "certified champions")
        return Trainer(None, name, None, False)
    cert = champion.fold(champion.initial(), (await ctx.store.load(champion_ref(ctx.principal.org, staff_id))).events)
    location_id = cert.location_id or None
    nominated = None
    if location_id is not None:
        history = await ctx.store.load(location_ref(ctx.principal.org, location_id))
        nominated = roster.fold(roster.initial(), history.events)
    member = nominated.staff.get(staff_id) if nominated else None
    trainer_name = member.name if member else name
    if rule is None:
        return Trainer(staff_id, trainer_name, location_id, False)
    if cert.certified is not None:
        return Trainer(staff_id, trainer_name, location_id, True)
    lacking = cert.missing(rule)
    return Trainer(staff_id, trainer_name, location_id, False,
                   f"trainer {staff_id} is not a certified champion: {'; '.join(lacking)}")


async def record_session(command: RecordSession, ctx: Context, *, place: Place, training: Training) -> Outcome[Session]:
    """Record the session whole, or nothing (422 naming the field); then each attendee's `TrainingCompleted`."""
    in_place(ctx, place, "training:record")
    org = ctx.principal.org
    history = await ctx.store.load(location_ref(org, place.location_id))
    command = replace(command, roster=roster.fold(roster.initial(), history.events))
    recorded = await execute(ctx, session_ref(org, command.session_id), session, command)
    events = list(recorded.events)
    fact = recorded.state.recorded
    assert fact is not None
    for attendee in fact.attendees:
        if attendee.completed:
            done = await execute(ctx.part(attendee.staff_id), staff_ref(org, attendee.staff_id), staff_record,
                                 CompleteTraining(fact, attendee))
            events += done.events
    status = await refresh_status(ctx, place=place, training=training)
    return Outcome(recorded.state, events + status.events)
