"""The policy table as pure functions: loading and validating it, matching a request, deciding for a caller."""

from __future__ import annotations

from typing import Any

import pytest

from shared.access.policy import Match, NoMatch, Policy, PolicyError, denial, policy
from shared.auth import ROLES, Principal
from shared.config import DOMAIN_SERVICES as SERVICES


def table(routes: dict[str, Any], groups: dict[str, list[str]] | None = None) -> Policy:
    return Policy.from_data({"routes": routes, "groups": groups or {}}, services=SERVICES)


def line(**overrides: Any) -> dict[str, Any]:
    return {"service": "readiness", "permission": "things:read", "scope": "org", "roles": ["provider"]} | overrides


@pytest.mark.parametrize(
    ("routes", "message"),
    [
        ({"FETCH /api/v1/things": line()}, "must read 'METHOD /api/v1/...'"),
        ({"GET /things": line()}, "must read 'METHOD /api/v1/...'"),
        ({"GET /api/v1/things": line(service="billing")}, "service must be one of readiness, waves"),
        ({"GET /api/v1/things": line(scope="planet")}, "scope must be one of org, region, location"),
        ({"GET /api/v1/things": line(scope="location")}, "names {location_id} in its path"),
        ({"GET /api/v1/things": line(roles=["janitor"])}, "unknown: ['janitor']"),
        ({"GET /api/v1/things": line(roles=[])}, "roles must be roles or groups"),
        ({"GET /api/v1/things": line(permission="")}, "permission is required"),
    ],
)
def test_a_wrong_line_stops_the_gateway_naming_it(routes: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError, match="policy route") as refused:
        table(routes)
    assert message in str(refused.value)


def test_groups_expand_to_roles_and_the_shipped_table_loads() -> None:
    rules = table({"GET /api/v1/things": line(roles=["staff", "executive"])}, {"staff": ["provider", "location_admin"]})
    assert rules.rules[0].roles == {"provider", "location_admin", "executive"}
    assert policy().rule("GET", "/api/v1/audit").roles == {"super_admin"}  # type: ignore[union-attr]


def test_the_most_specific_template_wins_and_ids_stay_one_segment() -> None:
    rules = table({
        "GET /api/v1/things/{thing_id}": line(permission="things:read"),
        "GET /api/v1/things/export": line(permission="things:export"),
        "POST /api/v1/things/{thing_id}/notes": line(permission="notes:add"),
    })
    paths = ("/api/v1/things/export", "/api/v1/things/T1", "/api/v1/things/a%2Fb")
    export, one, encoded = (rules.match("GET", p) for p in paths)
    assert isinstance(export, Match) and export.rule.permission == "things:export"
    assert isinstance(one, Match) and one.params == {"thing_id": "T1"}
    assert isinstance(encoded, Match) and encoded.params == {"thing_id": "a/b"}
    assert rules.match("GET", "/api/v1/things/T1/notes") == NoMatch(allowed=("POST",))
    for path in ("/api/v1/things/T1/..", "/api/v1/things/%2E%2E", "/api/v1/things/", "/api/v1/things/T1/x"):
        assert rules.match("GET", path) == NoMatch(), path


def who(role: str, **scope: tuple[str, ...]) -> Principal:
    return Principal(subject="u", org="acme", role=role, **scope)


def test_roles_and_scopes_decide() -> None:
    rules = table({
        "GET /api/v1/locations/{location_id}": line(scope="location", roles=["everyone"]),
        "PUT /api/v1/regions/{region}/plan": line(scope="region", roles=["everyone"], permission="plans:write"),
    }, {"everyone": list(ROLES)})
    location = rules.match("GET", "/api/v1/locations/L1")
    region = rules.match("PUT", "/api/v1/regions/north/plan")
    assert isinstance(location, Match) and isinstance(region, Match)
    assert denial(location, who("provider", locations=("L1",))) is None
    assert denial(location, who("treatment_coordinator", locations=("L2",))) == (
        "permission things:read on location L1 is outside the caller's locations"
    )
    assert denial(location, who("regional_admin", regions=("south",))) is None  # its region is readiness' to check
    assert denial(location, who("executive")) is None
    assert denial(region, who("regional_admin", regions=("north",))) is None
    assert denial(region, who("regional_admin", regions=("south",))) == (
        "permission plans:write in region north is outside the caller's regions"
    )
    assert denial(region, who("location_admin", regions=("north",), locations=("L1",))) is not None
    provider_only = table({"GET /api/v1/things": line()}).match("GET", "/api/v1/things")
    assert isinstance(provider_only, Match)
    assert denial(provider_only, who("super_admin")) == (
        "role super_admin lacks permission things:read (GET /api/v1/things)"
    )
