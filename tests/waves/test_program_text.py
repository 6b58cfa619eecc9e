"""Programme names and override reasons: no control or bidi-override characters (one rule with readiness)."""

from __future__ import annotations

from tests.conftest import bearer, serve

PROGRAMS = "/api/v1/programs"


async def test_program_text_refuses_control_and_bidi_characters(app, token, org) -> None:
    auth = bearer(token(org, "super_admin"))
    async with serve(app) as client:
        for name in ("North\x00", "North \x1b[31m", "North\u202e2025", "North\u2069", "North\x9b"):
            body = {"name": name, "playbook": "softsmile-dso", "start_date": "2025-09-01"}
            refused = await client.post(PROGRAMS, json=body, headers=auth)
            assert refused.status_code == 422 and refused.json()["error"]["field"] == "name", (name, refused.text)
        assert (await client.get(PROGRAMS, headers=auth)).json() == []
        created = await client.post(PROGRAMS, json={"name": "North", "playbook": "softsmile-dso",
                                                    "start_date": "2025-09-01"}, headers=auth)
        playbook = f"{PROGRAMS}/{created.json()['id']}/playbook"
        change = [{"path": "phases[1].name", "value": "Pilot"}]
        hidden = await client.patch(playbook, json={"overrides": change, "reason": "ok\u202eevil"}, headers=auth)
        assert hidden.status_code == 422 and hidden.json()["error"]["field"] == "reason", hidden.text
        lines = await client.patch(playbook, json={"overrides": change, "reason": "two\nlines"}, headers=auth)
        assert lines.status_code == 200, lines.text
