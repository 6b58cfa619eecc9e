"""The programs projection without NATS: events from the in-memory store, rows in SQLite."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from services.waves.programs.domain import CreateProgram, OverridePlaybook, program
from services.waves.programs.models import OverrideRow, ProgramRow
from services.waves.programs.overrides import Override
from services.waves.programs.projections import ProgramsProjection
from shared.aggregates import Context, execute
from shared.auth import Principal
from shared.db import make_engine
from shared.events import AggregateRef, Metadata
from shared.eventstore.memory import InMemoryEventStore
from shared.playbooks import get_template
from shared.projections import store as read_store


async def test_a_creation_and_its_overrides_apply_in_one_batch(tmp_path: Path) -> None:
    store, ref = InMemoryEventStore(), AggregateRef("acme", "waves", "program", "P1")
    ctx = Context(store, Principal("cdo", "acme", "super_admin"), Metadata(), key="k1")
    create = CreateProgram("P1", "North", get_template("softsmile-dso"), date(2025, 9, 1), "cdo")
    await execute(ctx, ref, program, create)
    change = (Override("readiness.thresholds[0].min", 21), Override("readiness.thresholds[1].max", 20))
    await execute(ctx, ref, program, OverridePlaybook("P1", change, "why", "ceo"))
    events = await store.read("waves")

    engine, projection = make_engine(f"sqlite:///{tmp_path / 'read.db'}"), ProgramsProjection()
    read_store.create_tables(engine, projection)
    # A rebuild hands the whole stream to one transaction: the override must find the new row.
    assert read_store.apply_batch(engine, projection, events) == 3
    assert read_store.apply_batch(engine, projection, events) == 3  # a redelivery changes nothing
    with Session(engine) as session:
        row = session.exec(select(ProgramRow)).one()
        overrides = session.exec(select(OverrideRow).order_by(OverrideRow.override_version)).all()
    assert (row.override_count, row.version, row.playbook["readiness"]["thresholds"][0]["min"]) == (2, 3, 21)
    assert [(o.path, o.previous, o.value, o.reason) for o in overrides] == [
        ("readiness.thresholds[0].min", 20, 21, "why"), ("readiness.thresholds[1].max", 19, 20, "why"),
    ]
    engine.dispose()
