"""A program's calendar must be readable: dates outside 2000-01-01..2100-12-31 are refused, never stored."""

from __future__ import annotations

from tests.conftest import bearer, serve

PROGRAMS = "/api/v1/programs"


async def test_a_start_date_whose_calendar_cannot_be_read_is_refused(app, token, org) -> None:
    auth = bearer(token(org, "super_admin"))
    async with serve(app) as client:
        for start in ("9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"):
            body = {"name": "Far", "playbook": "softsmile-dso", "start_date": start}
            refused = await client.post(PROGRAMS, json=body, headers=auth)
            assert refused.status_code == 422, (start, refused.text)
            assert refused.json()["error"]["field"] == "start_date"
        # In range, but its 24 weeks would run past the last day: refused by the domain, naming the field.
        late = await client.post(PROGRAMS, json={"name": "Late", "playbook": "softsmile-dso",
                                                 "start_date": "2100-12-01"}, headers=auth)
        assert late.status_code == 422 and late.json()["error"]["field"] == "start_date", late.text
        assert "after 2100-12-31" in late.json()["error"]["message"]
        assert (await client.get(PROGRAMS, headers=auth)).json() == []

        fits = await client.post(PROGRAMS, json={"name": "Fits", "playbook": "softsmile-dso",
                                                 "start_date": "2099-09-01"}, headers=auth)
        assert fits.status_code == 201, fits.text
        program = f"{PROGRAMS}/{fits.json()['id']}"
        longer = {"overrides": [{"path": "timeline.total_weeks_max", "value": 104}], "reason": "a longer rollout"}
        stretched = await client.patch(f"{program}/playbook", json=longer, headers=auth)
        assert stretched.status_code == 422 and stretched.json()["error"]["field"] == "overrides", stretched.text
        detail = await client.get(program, headers=auth)
        assert detail.status_code == 200 and detail.json()["end_date"] <= "2100-12-31"
        assert [p["name"] for p in (await client.get(PROGRAMS, headers=auth)).json()] == ["Fits"]
