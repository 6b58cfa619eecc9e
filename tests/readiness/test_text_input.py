"""Free text and CSV cells through the readiness API: control and bidi characters refused, huge cells a 422."""

from __future__ import annotations

import pytest

from services.readiness.app import create_app
from services.readiness.config import ReadinessSettings
from shared.config import PlatformSettings
from tests.conftest import bearer, serve

IMPORT = "/api/v1/locations/import"
CSV = {"Content-Type": "text/csv"}
HOSTILE = {"NUL": "Elm\x00St", "ESC": "Elm \x1b[2J St", "RLO": "Elm St\u202egnp.exe", "isolate": "Elm\u2066St",
           "C1": "Elm\x85St", "newline": "Elm\nSt"}


@pytest.fixture
def app(platform: PlatformSettings, tmp_path):
    return create_app(ReadinessSettings(**platform.model_dump(), database_url=f"sqlite:///{tmp_path / 'r.db'}"))


async def test_names_with_control_or_bidi_characters_are_refused_everywhere(app, token, org) -> None:
    auth = bearer(token(org))
    async with serve(app) as client:
        for label, name in HOSTILE.items():
            created = await client.post("/api/v1/locations", json={"name": name, "region": "north"}, headers=auth)
            assert created.status_code == 422, (label, created.text)
            assert created.json()["error"]["field"] == "name"
            region = await client.post("/api/v1/locations", json={"name": "Elm", "region": name}, headers=auth)
            assert region.status_code == 422 and region.json()["error"]["field"] == "region", label
        # The import applies the same rule, with a reason per row; nothing is imported.
        rows = "name,region\nOak,north\n" + "".join(f'"{name}",north\n' for name in HOSTILE.values())
        imported = await client.post(IMPORT, content=rows.encode(), headers=auth | CSV)
        assert imported.status_code == 422, imported.text
        rejected = imported.json()["error"]["rejected"]
        assert [r["line"] for r in rejected] == list(range(3, 3 + len(HOSTILE)))
        assert all(r["errors"][0]["field"] == "name" and "not allowed" in r["errors"][0]["message"] for r in rejected)
        assert (await client.get("/api/v1/locations", headers=auth)).json() == []
        # A reason may span lines; plain names of any script are fine.
        fine = await client.post("/api/v1/locations", json={"name": "Zahnarztpraxis Müller — 東京", "region": "north"},
                                 headers=auth)
        assert fine.status_code == 201, fine.text
        moved = await client.patch(f"/api/v1/locations/{fine.json()['id']}/profile",
                                   json={"region": "south", "reason": "merged\n\twith south"}, headers=auth)
        assert moved.status_code == 200, moved.text
        hidden = await client.patch(f"/api/v1/locations/{fine.json()['id']}/profile",
                                    json={"region": "west", "reason": "ok\u202eevil"}, headers=auth)
        assert hidden.status_code == 422 and hidden.json()["error"]["field"] == "reason"


async def test_a_cell_over_the_csv_limit_is_a_422_naming_line_and_column(app, token, org) -> None:
    auth = bearer(token(org))
    async with serve(app) as client:
        huge = "x" * 131_073
        text = f"name,region,pms\nOak,north,dentrix\nElm,north,\"{huge}\"\n"
        refused = await client.post(IMPORT, content=text.encode(), headers=auth | CSV)
        assert refused.status_code == 422, refused.text
        error = refused.json()["error"]
        assert error["field"] == "line.3.pms"
        assert "line 3, column 3 (pms): a cell is over 131072 characters" in error["message"]
        in_header = await client.post(IMPORT, content=f"name,{huge}\n".encode(), headers=auth | CSV)
        assert in_header.status_code == 422 and "line 1, column 2" in in_header.json()["error"]["message"]
        assert (await client.get("/api/v1/locations", headers=auth)).json() == []
