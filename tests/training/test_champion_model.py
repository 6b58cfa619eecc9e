"""Train-the-trainer evidence: `ChampionModelEvidenced` from sessions and the plan, over HTTP and real events."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.training.lineage.domain import Taught, champion_model
from services.training.places.projections import WavesProjection
from shared.contracts.base import parse
from shared.contracts.training import ChampionModelEvidenced
from shared.contracts.waves import LocationWaveAssigned
from shared.events import AggregateRef
from shared.eventstore.jetstream import JetStreamEventStore
from tests.conftest import bearer, serve
from tests.training.factories import _append, create_program, register_location
from tests.training.test_training_api import MODULES, add

ORDER = ("wave-1", "wave-2", "wave-3")
NOW = datetime(2025, 3, 3, tzinfo=UTC)


def evidence(wave: str, taught: list[Taught], wave_of: dict[str, str | None]) -> ChampionModelEvidenced | None:
    return champion_model(location_id="B", program_id="P", wave=wave, taught=taught, wave_of=wave_of, order=ORDER,
                          as_of=NOW)


def test_the_first_wave_has_nothing_earlier_to_be_trained_by() -> None:
    assert evidence("wave-1", [Taught("s1", "c", "A", True)], {"A": "wave-1"}) is None
    assert evidence("wave-9", [Taught("s1", "c", "A", True)], {"A": "wave-1"}) is None


@pytest.mark.parametrize(("taught", "validated", "reason"), [
    ([], False, "no staff trained"),
    ([Taught("s1", "c1", "A", True), Taught("s2", "c2", "B", True)], True, None),
    ([Taught("s1", "c1", "A", True), Taught("s2", None, None, False)], False, "1 of 2 trained staff"),
    ([Taught("s1", "c2", "B", True)], False, "earlier wave"),
    ([Taught("s1", "c3", "C", True)], False, "earlier wave"),  # a later wave's champion does not count
    ([Taught("s1", "cx", "X", True)], False, "earlier wave"),  # nor one whose location has no wave
])
def test_validated_only_when_all_trained_by_champions_and_one_from_an_earlier_wave(
    taught: list[Taught], validated: bool, reason: str | None
) -> None:
    found = evidence("wave-2", taught, {"A": "wave-1", "B": "wave-2", "C": "wave-3", "X": None})
    assert found is not None and found.validated is validated
    assert (found.reason is None) if reason is None else (reason in (found.reason or ""))


async def plan(app: FastAPI, org: str, program: str, location: str, wave: str | None) -> None:
    event = LocationWaveAssigned(program_id=program, location_id=location, wave=wave, reason="test plan")
    await _append(app, AggregateRef(org, "waves", "plan", program), event, WavesProjection.name)


async def certified(client: httpx.AsyncClient, auth: dict[str, str], location: str, name: str) -> str:
    staff = await add(client, auth, location, name, "treatment_coordinator", capacity_hours=8)
    assert (await client.put(f"/api/v1/locations/{location}/champion", headers=auth,
                             json={"staff_id": staff})).status_code == 200
    base = f"/api/v1/locations/{location}/champions/{staff}"
    for module in MODULES:
        await client.post(f"{base}/modules", headers=auth, json={"module": module})
    await client.post(f"{base}/simulation", headers=auth, json={})
    assert (await client.post(f"{base}/assessments", headers=auth, json={"score": 90})).json()["certified_at"]
    return staff


async def train(client: httpx.AsyncClient, auth: dict[str, str], location: str, trainer: str, curriculum: str,
                *attendees: str) -> None:
    response = await client.post(f"/api/v1/locations/{location}/training/sessions", headers=auth, json={
        "curriculum": curriculum, "trainer_staff_id": trainer, "held_on": "2025-03-03", "duration_minutes": 60,
        "attendees": [{"staff_id": a, "score": 90} for a in attendees]})
    assert response.status_code == 201, response.text


async def latest(app: FastAPI, org: str, location: str,
                 until: Callable[[ChampionModelEvidenced], bool]) -> ChampionModelEvidenced:
    """The location's last published evidence, once it satisfies `until` (the reactions run asynchronously)."""
    store = JetStreamEventStore(app.state.runtime.nc)
    found: Any = None
    for _ in range(200):
        events = [parse(e) for e in (await store.load(AggregateRef(org, "training", "location", location))).events]
        found = next((e for e in reversed(events) if isinstance(e, ChampionModelEvidenced)), None)
        if found is not None and until(found):
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"no such ChampionModelEvidenced for {location}: last {found}")


async def test_wave_1_champions_training_wave_2_staff_validates_the_model(app, token, org) -> None:
    auth = bearer(token(org))
    async with serve(app) as client:
        program = await create_program(app, org)
        pilot = await register_location(app, org, program)
        second = await register_location(app, org, program)
        third = await register_location(app, org, program)
        for location, wave in ((pilot, "wave-1"), (second, "wave-2"), (third, "wave-2")):
            await plan(app, org, program, location, wave)
        mentor = await certified(client, auth, pilot, "Pia Pilot")

        # Wave 2, location one: the pilot's certified champion trains its coordinator, who is then certified
        # and trains the provider. Location two trains only with its own champion: not validated.
        local = await certified(client, auth, second, "Sam Second")
        provider = await add(client, auth, second, "Dr Second", "provider")
        await train(client, auth, second, mentor, "treatment_coordinator", local)
        await train(client, auth, second, local, "provider", provider)
        own = await certified(client, auth, third, "Tia Third")
        provider3 = await add(client, auth, third, "Dr Third", "provider")
        await train(client, auth, third, own, "provider", provider3)

        good = await latest(app, org, second, lambda e: e.validated and e.staff_trained == 2)
        assert (good.wave, good.staff_trained, good.trained_by_earlier_wave_champions) == ("wave-2", 2, 1)
        assert set(good.trainer_staff_ids) == {mentor, local}
        bad = await latest(app, org, third, lambda e: e.staff_trained == 1)
        assert not bad.validated
        assert bad.reason and "earlier wave" in bad.reason and bad.trained_by_certified_champions == 1

        # The plan moves the pilot location to wave 3: its champion is no longer from an earlier wave.
        await plan(app, org, program, pilot, "wave-3")
        moved = await latest(app, org, second, lambda e: not e.validated)
        assert moved.trained_by_earlier_wave_champions == 0

        # The lineage shows each trainer's wave; the program's completion is grouped by wave.
        tree = (await client.get(f"/api/v1/programs/{program}/training/lineage", headers=auth)).json()
        assert {(n["staff_id"], n["wave"]) for n in tree["trainers"]} >= {(mentor, "wave-3"), (local, "wave-2")}
        report = (await client.get(f"/api/v1/programs/{program}/training", headers=auth)).json()
        assert set(report["by_wave"]) == {"wave-2", "wave-3"}
        assert {loc["location_id"]: loc["wave"] for loc in report["locations"]}[second] == "wave-2"
        assert report["by_wave"]["wave-2"]["staff_total"] == sum(
            loc["staff_total"] for loc in report["locations"] if loc["wave"] == "wave-2")


async def test_curricula_come_from_the_program_playbook(app, token, org) -> None:
    auth = bearer(token(org, "provider", locations=("x",)))
    async with serve(app) as client:
        softsmile, spark = await create_program(app, org), await create_program(app, org, "spark-dso")
        ours = (await client.get(f"/api/v1/programs/{softsmile}/training/curricula", headers=auth)).json()
        provider = next(c for c in ours["curricula"] if c["role"] == "provider")
        assert provider["duration_minutes"] == 120 and provider["outline"]
        theirs = (await client.get(f"/api/v1/programs/{spark}/training/curricula", headers=auth)).json()
        assert theirs["curricula"] != ours["curricula"] and theirs["events"]
        missing = await client.get("/api/v1/programs/nope/training/curricula", headers=auth)
        assert missing.status_code == 404 and missing.json()["error"]["field"] == "program_id"
