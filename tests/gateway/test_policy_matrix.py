"""Every route of every service, times every role, decided at the gateway against the policy table.

The services are replaced by a stand-in transport answering 200, so each status seen
here is the gateway's own decision. A service route without a line in the table
fails the build (with the line to add); so does a line naming no route.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from cli.settings import SETTINGS
from services.gateway.app import create_app
from services.gateway.config import GatewaySettings
from shared.access.policy import Rule, policy
from shared.auth import ROLES
from shared.config import DOMAIN_SERVICES as SERVICES
from tests.conftest import bearer
from tests.gateway.conftest import Recorder, listening

LOCATION, REGION = "LOC-1", "north"
SAMPLES = {"location_id": LOCATION, "region": REGION}


def service_routes(name: str, var_dir: Path) -> set[tuple[str, str]]:
    """(method, path template) of every public `/api/v1` route `services.<name>.app` serves."""
    module = importlib.import_module(f"services.{name}.app")
    settings = GatewaySettings(var_dir=var_dir) if name == "gateway" else SETTINGS[name](var_dir=var_dir)
    app = module.create_app(settings)
    return {
        (method, context.path)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        and context.path.startswith("/api/v1/")
        and ":path}" not in context.path  # the gateway's forwarding catch-all
        for method in sorted(context.methods or ())
    }


def test_every_route_of_every_service_has_exactly_its_policy_line(tmp_path: Path) -> None:
    table = policy()
    missing, misrouted, served = [], [], set()
    for name in (*SERVICES, "gateway"):
        for method, path in sorted(service_routes(name, tmp_path / name)):
            served.add((method, path))
            rule = table.rule(method, path)
            if rule is None:
                missing.append(f'  "{method} {path}": {{service: {name}, permission: ?, scope: ?, roles: [?]}}')
            elif rule.service != name:
                misrouted.append(f"{method} {path}: served by {name}, but the table sends it to {rule.service}")
    stale = [f"{r.method} {r.template} ({r.service})" for r in table.rules if (r.method, r.template) not in served]
    assert not missing, "routes without a policy; add to shared/access/policy.yaml:\n" + "\n".join(missing)
    assert not misrouted, "\n".join(misrouted)
    assert not stale, f"policy lines naming no route: {stale}"


def concrete(rule: Rule) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLES.get(m.group(1), f"{m.group(1)}-1"), rule.template)


def stand_in(request: httpx.Request) -> httpx.Response:
    """Every service says yes; readiness lists no locations (a regional admin's event stream asks)."""
    return httpx.Response(200, json=[] if request.url.path == "/api/v1/locations" else {"ok": True})


@pytest.fixture
def matrix_settings(gateway_settings) -> GatewaySettings:
    return gateway_settings(rate_limit_per_s=0)  # 54 requests of one user: not what this test is about


async def test_every_role_on_every_route_is_allowed_or_denied_as_the_table_says(matrix_settings, token, org) -> None:
    table = policy()
    services = Recorder(stand_in)
    tokens = {role: token(org, role, regions=(REGION,), locations=(LOCATION,)) for role in ROLES}
    decisions: dict[tuple[str, str], int] = {}
    async with (
        listening(create_app(matrix_settings, transport=services.transport())) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as client,
    ):
        for number, rule in enumerate(table.rules):
            body = {} if rule.method in ("POST", "PUT", "PATCH") else None
            for role in ROLES:
                headers = bearer(tokens[role]) | {"X-Request-Id": f"r{number}-{role}"}
                request = client.build_request(rule.method, concrete(rule), json=body, headers=headers)
                response = await client.send(request, stream=True)  # an event stream never ends: read the head
                decisions[(f"{rule.method} {rule.template}", role)] = response.status_code
                if response.status_code == 403:
                    await response.aread()
                    error = response.json()["error"]
                    assert error["code"] == "forbidden" and rule.permission in error["message"], error
                await response.aclose()

    expected = {
        (f"{rule.method} {rule.template}", role): 200 if role in rule.roles else 403
        for rule in table.rules
        for role in ROLES
    }
    wrong = {key: (seen, expected[key]) for key, seen in decisions.items() if seen != expected[key]}
    assert not wrong, f"(route, role): (seen, expected) = {wrong}"
    assert len(decisions) == len(table.rules) * len(ROLES)
    # Nothing denied left the edge; every allowed request to a service reached it (ids travel along).
    reached = {r.headers["x-request-id"] for r in services.requests}
    ids = {(f"{r.method} {r.template}", role): f"r{n}-{role}" for n, r in enumerate(table.rules) for role in ROLES}
    assert not reached & {ids[key] for key, status in expected.items() if status == 403}
    forwarded = {(f"{r.method} {r.template}", role) for r in table.rules for role in r.roles if r.service != "gateway"}
    assert {ids[key] for key in forwarded} <= reached
