"""The gateway and the services decide the same: every route of the access table, times every role,
in scope and out of it, is refused (403) by the owning service exactly when the edge refuses it.

The services are real apps on a real NATS server; each request carries an empty body, so an
admitted command stops at validation (422) or a missing id (404) — never at a 403 of its own.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from cli.settings import SETTINGS
from shared.access.policy import Match, denial, policy
from shared.auth import ROLES, Principal
from shared.config import DOMAIN_SERVICES, PlatformSettings
from tests.conftest import bearer, serve

SAMPLES = {
    "location_id": "LOC-1", "region": "north", "program_id": "PROG-1", "playbook_id": "softsmile-dso",
    "gate": "wave-1-to-wave-2", "pause_id": "PAUSE-1", "criterion": "root-cause-resolved",
    "incident_id": "INC-1", "case_id": "CASE-1", "survey_id": "SURVEY-1", "staff_id": "STAFF-1",
    "checklist": "vendor-onboarding", "item": "license-agreement", "integration_id": "INT-1", "delivery_id": "DEL-1",
}
SCOPES = {"in scope": {"regions": ("north",), "locations": ("LOC-1",)},
          "out of scope": {"regions": ("south",), "locations": ("LOC-2",)}}


@pytest.mark.parametrize("service", [s for s in DOMAIN_SERVICES if any(r.service == s for r in policy().rules)])
async def test_each_service_refuses_exactly_what_the_gateway_refuses(
    service: str, platform: PlatformSettings, token, org: str, tmp_path: Path
) -> None:
    settings = SETTINGS[service](**platform.model_dump(), database_url=f"sqlite:///{tmp_path / 'read.db'}")
    app = importlib.import_module(f"services.{service}.app").create_app(settings)
    disagreements, checked = [], 0
    async with serve(app) as client:
        for rule in (r for r in policy().rules if r.service == service):
            path = rule.template.format(**SAMPLES)
            match = policy().match(rule.method, path)
            assert isinstance(match, Match) and match.rule == rule
            for role in ROLES:
                for scope_name, scope in SCOPES.items():
                    principal = Principal(subject="u1", org=org, role=role, **scope)
                    edge_refuses = denial(match, principal) is not None
                    response = await client.request(rule.method, path, headers=bearer(token(org, role, **scope)),
                                                    json={} if rule.method != "GET" else None)
                    checked += 1
                    if (response.status_code == 403) != edge_refuses:
                        disagreements.append(f"{rule.method} {path} as {role} ({scope_name}): service "
                                             f"{response.status_code}, gateway {'403' if edge_refuses else 'admits'}")
    assert checked and not disagreements, "\n".join(disagreements)
