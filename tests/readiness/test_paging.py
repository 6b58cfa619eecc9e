"""Location lists page by a keyset cursor in a stable order, with filters, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select, text
from sqlmodel import col

from services.readiness.locations import views
from services.readiness.locations.models import LocationRow
from services.readiness.locations.projections import LocationsProjection
from shared.db import make_engine
from shared.principal import Principal
from shared.projections.store import create_tables
from tests.conftest import bearer, serve
from tests.readiness.factories import FACTORS, create_program, scores


async def test_lists_page_in_a_stable_order_with_filters_and_the_csv_streams_them_all(
    app: FastAPI, token: Any, org: str
) -> None:
    auth = bearer(token(org))
    async with serve(app) as client:
        program = await create_program(app, org)
        names = [f"Loc {i:02d}" for i in range(7)]
        for i, name in enumerate(reversed(names)):  # registered out of order
            body = {"name": name, "region": "north" if i % 2 else "south", **({"program_id": program} if i < 4 else {})}
            created = await client.post("/api/v1/locations", json=body, headers=auth)
            assert created.status_code == 201, created.text
            values = (5, 4, 4, 5, 5) if i < 2 else (3, 3, 3, 4, 3)
            assessed = await client.put(f"/api/v1/locations/{created.json()['id']}/assessment", headers=auth,
                                        json={"scores": scores(values), "assessor": "RM"})
            assert assessed.status_code == 200, assessed.text

        seen, cursor, pages = [], None, 0
        while True:
            query = {"limit": 3} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/api/v1/readiness/matrix", params=query, headers=auth)).json()
            seen += [row["name"] for row in page["rows"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert (seen, pages) == (names, 3)

        listed = await client.get("/api/v1/locations", params={"limit": 4}, headers=auth)
        assert [loc["name"] for loc in listed.json()] == names[:4]
        following = await client.get("/api/v1/locations", headers=auth,
                                     params={"limit": 4, "cursor": listed.headers["X-Next-Cursor"]})
        assert [loc["name"] for loc in following.json()] == names[4:] and "X-Next-Cursor" not in following.headers
        assert 'rel="next"' in listed.headers["Link"]

        def names_of(response: Any) -> list[str]:
            return [row["name"] for row in response.json()["rows"]]

        in_program = await client.get("/api/v1/readiness/matrix", params={"program_id": program}, headers=auth)
        assert names_of(in_program) == sorted(reversed(names[3:]))
        wave_1 = await client.get("/api/v1/readiness/matrix", params={"wave": "wave-1"}, headers=auth)
        assert names_of(wave_1) == [names[5], names[6]]
        north = await client.get("/api/v1/readiness/matrix", params={"region": "north"}, headers=auth)
        assert {row["region"] for row in north.json()["rows"]} == {"north"} and len(north.json()["rows"]) == 3

        for bad in ({"cursor": "not-a-cursor"}, {"limit": 501}, {"limit": 0}):
            refused = await client.get("/api/v1/readiness/matrix", params=bad, headers=auth)
            assert (refused.status_code, refused.json()["error"]["field"]) == (422, next(iter(bad))), refused.text

        exported = await client.get("/api/v1/readiness/matrix.csv", headers=auth)
        table = list(csv.DictReader(io.StringIO(exported.text)))
        assert [row["name"] for row in table] == names and set(FACTORS) <= set(table[0])


def plan_on_an_older_database(tmp_path: Path, index: str, sql: str, *params: object) -> str:
    """SQLite's plan for `sql` on a read model created before `index`, once create_tables has run again."""
    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    create_tables(engine, LocationsProjection())
    with engine.begin() as connection:  # a database from before the index
        connection.execute(text(f"DROP INDEX {index}"))
    create_tables(engine, LocationsProjection())
    with engine.connect() as connection:
        return " ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))


def test_a_page_reads_the_org_in_index_order_and_an_older_database_gets_the_index(tmp_path: Path) -> None:
    """The (org, name, id) index serves a page: no scan of the org, no sort; create_tables adds it to old tables."""
    principal = Principal(subject="s", org="o", role="regional_admin", regions=("north",))
    query = (select(*views.PUBLIC_COLUMNS).where(*views.conditions(principal, views.LocationFilter(wave="wave-1")))
             .order_by(col(LocationRow.name), col(LocationRow.id)).limit(101))
    sql = str(query.compile(make_engine("sqlite://"), compile_kwargs={"literal_binds": True}))
    plan = plan_on_an_older_database(tmp_path, "ix_readiness_locations_v2_org_name_id", sql)
    assert "ix_readiness_locations_v2_org_name_id" in plan and "TEMP B-TREE" not in plan, plan


def test_the_name_check_of_a_new_location_reads_its_own_index_not_the_region(tmp_path: Path) -> None:
    """Each register looks its name up: through (org, region, name), not every location of the region."""
    sql = str(views._NAMED.compile(make_engine("sqlite://")))  # the prepared query, its parameters positional
    plan = plan_on_an_older_database(tmp_path, "ix_readiness_locations_v2_org_region_name", sql, "o", "n", "r")
    assert "ix_readiness_locations_v2_org_region_name" in plan, plan
