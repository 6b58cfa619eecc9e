"""The `rollout` command: development tokens and projection rebuilds."""

from __future__ import annotations

from pathlib import Path

import nats
import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from cli.main import app
from cli.rebuild import rebuild
from services.readiness.locations.models import LocationRow
from shared.auth import TokenVerifier
from shared.config import PlatformSettings
from shared.contracts.readiness import LocationRegistered
from shared.db import make_engine
from shared.events import AggregateRef, Metadata
from shared.eventstore.base import NEW
from shared.eventstore.jetstream import JetStreamEventStore
from shared.eventstore.streams import ensure_streams
from shared.natsserver import EmbeddedNats

runner = CliRunner()


def test_token_prints_a_verifiable_scoped_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    result = runner.invoke(app, ["token", "--org", "demo", "--role", "regional_admin", "--region", "north"])
    assert result.exit_code == 0, result.output
    principal = TokenVerifier(PlatformSettings(var_dir=tmp_path)).verify(result.output.strip())
    assert (principal.org, principal.role, principal.regions) == ("demo", "regional_admin", ("north",))


def test_token_refuses_an_unknown_role_and_a_bad_org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    bad_role = runner.invoke(app, ["token", "--org", "demo", "--role", "janitor"])
    assert bad_role.exit_code != 0 and "role must be one of" in bad_role.output
    bad_org = runner.invoke(app, ["token", "--org", "de.mo", "--role", "super_admin"])
    assert bad_org.exit_code != 0


async def test_projections_rebuild_replays_a_service_from_sequence_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nats_server: EmbeddedNats
) -> None:
    database = f"sqlite:///{tmp_path / 'readiness.db'}"
    for name, value in {
        "NATS_URL": nats_server.url,
        "VAR_DIR": str(tmp_path),
        "READINESS_DATABASE_URL": database,
    }.items():
        monkeypatch.setenv(name, value)
    nc = await nats.connect(nats_server.url)
    await ensure_streams(nc.jetstream())
    store = JetStreamEventStore(nc)
    for number in range(30):
        event = LocationRegistered(location_id=f"L{number}", name=f"Location {number}", region="north")
        ref = AggregateRef("acme", "readiness", "location", f"L{number}")
        await store.append(ref, [event.to_new_event()], expected=NEW, meta=Metadata())
    await nc.close()

    first = await rebuild("readiness")
    again = await rebuild("readiness")  # a second rebuild empties and replays: same rows, no duplicates

    assert first["readiness-locations-v2"] == again["readiness-locations-v2"] == 30
    with Session(make_engine(database)) as session:
        assert len(session.exec(select(LocationRow)).all()) == 30
