"""Sessions planned ahead, checked against the program's calendar: training completes by the wave's go-live."""

from __future__ import annotations

from datetime import date

from services.training.sessions.planning import complete_by
from shared.playbooks import get_template
from tests.conftest import bearer, serve
from tests.training.factories import create_program, register_location
from tests.training.test_champion_model import plan
from tests.training.test_training_api import add, rebuilt_alike

START = date(2025, 1, 6)  # a Monday, the factories' program start


def test_training_completes_by_the_waves_last_go_live_day() -> None:
    softsmile, spark = get_template("softsmile-dso"), get_template("spark-dso")
    assert complete_by(softsmile, START, "wave-1") == date(2025, 2, 9)  # all of week 5 (L213)
    assert complete_by(softsmile, START, "wave-2") == date(2025, 3, 16)  # staggered through week 10
    spark_pilot = spark.waves[0].key
    assert complete_by(spark, START, spark_pilot) == date(2025, 2, 3)  # the go-live Monday of week 5
    assert complete_by(softsmile, START, "no-such-wave") is None


async def test_a_session_planned_outside_the_wave_calendar_is_refused(app, token, org) -> None:
    auth = bearer(token(org))
    async with serve(app) as client:
        program = await create_program(app, org)
        location = await register_location(app, org, program)
        dana = await add(client, auth, location, "Dana Provider", "provider")
        url = f"/api/v1/locations/{location}/training/sessions/planned"
        body = {"curriculum": "provider", "planned_on": "2025-02-20", "duration_minutes": 120,
                "attendee_staff_ids": [dana]}
        # No wave yet: only the program's start bounds it.
        assert (await client.post(url, headers=auth, json=body)).status_code == 201
        early = await client.post(url, headers=auth, json=body | {"planned_on": "2024-12-31"})
        assert early.status_code == 422 and early.json()["error"]["field"] == "planned_on"

        await plan(app, org, program, location, "wave-1")
        late = await client.post(url, headers=auth, json=body)
        assert late.status_code == 422 and late.json()["error"]["field"] == "planned_on"
        assert "2025-02-09" in late.json()["error"]["message"] and "go-live" in late.json()["error"]["message"]
        planned = await client.post(url, headers=auth, json=body | {"planned_on": "2025-02-03"})
        assert planned.status_code == 201, planned.text
        assert (planned.json()["wave"], planned.json()["complete_by"]) == ("wave-1", "2025-02-09")

        unknown = await client.post(url, headers=auth, json=body | {"curriculum": "juggling"})
        assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "curriculum"
        stranger = await client.post(url, headers=auth, json=body | {"planned_on": "2025-02-04",
                                                                     "attendee_staff_ids": ["nobody"]})
        assert stranger.status_code == 422 and stranger.json()["error"]["field"] == "attendee_staff_ids[0]"
        listed = (await client.get(url, headers=auth)).json()
        assert [p["planned_on"] for p in listed] == ["2025-02-03", "2025-02-20"]
        rows = await rebuilt_alike(app)
        assert len(rows["training_planned_sessions_v1"]) == 2 and len(rows["training_waves_v1"]) == 1
