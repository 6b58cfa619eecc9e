"""The intake's lookups: read once per `TTL_S` per key, again at once when asked for a fresh read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, SQLModel

from services.metrics.intake.lookups import TTL_S, Lookups
from services.metrics.integrations.models import IntakeSettingsRow, IntegrationRow
from shared.db import make_engine


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _integration(clinics: dict[str, str]) -> IntegrationRow:
    return IntegrationRow(org="o1", id="i1", source="itero", name="scanners", clinic_map=clinics, secret_id="s1",
                          fingerprint="f", registered_by="admin", registered_at=datetime(2026, 1, 5, tzinfo=UTC))


async def test_a_change_shows_after_the_ttl_or_at_once_when_read_fresh(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'metrics.db'}")
    SQLModel.metadata.create_all(engine, tables=[IntegrationRow.__table__, IntakeSettingsRow.__table__])  # type: ignore[list-item]
    with Session(engine) as session:
        session.add(_integration({"site-1": "loc-a"}))
        session.commit()
    clock = Clock()
    lookups = Lookups(engine, clock=clock)
    first = await lookups.integration("o1", "i1")
    assert first is not None and first.clinic_map == {"site-1": "loc-a"}
    assert await lookups.clinics("o1", "loc-a") == [("i1", "site-1")]
    with Session(engine) as session:
        session.merge(_integration({"site-1": "loc-b"}))
        session.commit()

    clock.now += TTL_S / 2
    kept = await lookups.integration("o1", "i1")
    assert kept is not None and kept.clinic_map == {"site-1": "loc-a"}  # within the TTL: not read again
    assert await lookups.clinics("o1", "loc-a") == [("i1", "site-1")]
    fresh = await lookups.integration("o1", "i1", fresh=True)
    assert fresh is not None and fresh.clinic_map == {"site-1": "loc-b"}

    clock.now += TTL_S
    assert await lookups.clinics("o1", "loc-a") == []
    assert await lookups.clinics("o1", "loc-b") == [("i1", "site-1")]
    assert await lookups.integration("o1", "missing") is None
    settings = await lookups.settings("o1", "loc-b")
    assert (settings.patient_matching, settings.procedure_codes) == ("name_dob_chart", {})
    engine.dispose()
