"""The access table as data: loaded from `policy.yaml`, matched per request, decided by pure functions.

One table for routing and access: a rule names the route (method + path template), its
owning service, the permission, the scope kind and the roles allowed. The gateway matches
requests against it; the services authorize their commands by the same permissions
(`shared.access.require`), so the edge and the owner can never disagree on a role.
Matching works on the raw path's segments, so an id holding `%2F` stays one segment,
and dot segments never match anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from shared.auth import ROLES, Principal
from shared.config import DOMAIN_SERVICES

POLICY_FILE = Path(__file__).with_name("policy.yaml")
API_PREFIX = "/api/v1"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SCOPES = ("org", "region", "location")
ORG_WIDE = frozenset({"super_admin", "executive"})
LOCATION_BOUND = frozenset({"location_admin", "provider", "treatment_coordinator"})


class PolicyError(ValueError):
    """The policy file is wrong; the gateway refuses to start with it."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One line of the table."""

    method: str
    template: str
    service: str
    permission: str
    scope: str
    roles: frozenset[str]
    # Split once: every request is matched against the table, at the gateway and again in the service.
    segments: tuple[str | None, ...] = field(init=False, repr=False, compare=False)
    names: tuple[str | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = self.template.split("/")
        # Literal segments, None where the template has a `{parameter}`; and the parameters' names.
        object.__setattr__(self, "segments", tuple(None if s.startswith("{") else s for s in parts))
        object.__setattr__(self, "names", tuple(s[1:-1] if s.startswith("{") else None for s in parts))

    def params(self, segments: list[str]) -> dict[str, str] | None:
        """The path parameters when `segments` fits this template, else None."""
        if len(segments) != len(self.segments):
            return None
        found: dict[str, str] = {}
        for literal, name, value in zip(self.segments, self.names, segments, strict=True):
            if literal is None and name is not None and value:
                found[name] = value
            elif literal != value:
                return None
        return found


@dataclass(frozen=True, slots=True)
class Match:
    rule: Rule
    params: dict[str, str]


@dataclass(frozen=True, slots=True)
class NoMatch:
    """No rule for this request: 404, or 405 listing the methods the path does have."""

    allowed: tuple[str, ...] = ()


class Policy:
    """Every rule, most specific first (a literal segment beats a parameter at the same place)."""

    def __init__(self, rules: list[Rule], permissions: Mapping[str, frozenset[str]] | None = None) -> None:
        self.rules = sorted(rules, key=lambda r: (tuple(s is None for s in r.segments), r.template, r.method))
        # The rules a path of n segments can match, in the same order: a request scans only those.
        self._by_length: dict[int, list[Rule]] = {}
        for rule in self.rules:
            self._by_length.setdefault(len(rule.segments), []).append(rule)
        # permission -> roles: every rule's, plus permissions no route names (a command's sub-permission).
        self.permissions: dict[str, frozenset[str]] = dict(permissions or {})
        for rule in self.rules:
            self.permissions.setdefault(rule.permission, rule.roles)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], *, services: tuple[str, ...]) -> Policy:
        """Validate the table (unknown role, group, scope, service or a malformed line stops start-up)."""
        groups: dict[str, list[str]] = dict(data.get("groups") or {})
        rules = []
        granted: dict[str, frozenset[str]] = {}

        def roles_of(names: Any, where: str) -> frozenset[str]:
            roles = {role for name in names or () for role in groups.get(name, [name])}
            if not roles or not roles <= set(ROLES):
                raise PolicyError(f"{where}: roles must be roles or groups; unknown: {sorted(roles - set(ROLES))}")
            return frozenset(roles)

        def grant(permission: str, roles: frozenset[str], where: str) -> None:
            # One permission, one set of roles: otherwise a service's check could differ from the edge's.
            if granted.setdefault(permission, roles) != roles:
                raise PolicyError(f"{where}: permission {permission} is granted to other roles elsewhere")

        for permission, names in (data.get("permissions") or {}).items():
            where = f"policy permission {permission!r}"
            grant(str(permission), roles_of(names, where), where)
        for line, spec in (data.get("routes") or {}).items():
            method, _, template = str(line).partition(" ")
            where = f"policy route {line!r}"
            if method not in METHODS or not template.startswith("/api/v1/"):
                raise PolicyError(f"{where}: must read 'METHOD /api/v1/...' with METHOD one of {', '.join(METHODS)}")
            if spec.get("service") not in (*services, "gateway"):
                raise PolicyError(f"{where}: service must be one of {', '.join((*services, 'gateway'))}")
            if spec.get("scope") not in SCOPES:
                raise PolicyError(f"{where}: scope must be one of {', '.join(SCOPES)}")
            if spec["scope"] == "location" and "{location_id}" not in template:
                raise PolicyError(f"{where}: a location-scoped route names {{location_id}} in its path")
            roles = roles_of(spec.get("roles"), where)
            if not str(spec.get("permission") or ""):
                raise PolicyError(f"{where}: permission is required")
            grant(spec["permission"], roles, where)
            rules.append(Rule(method, template, spec["service"], spec["permission"], spec["scope"], roles))
        return cls(rules, granted)

    @classmethod
    def load(cls, path: Path = POLICY_FILE, *, services: tuple[str, ...] = DOMAIN_SERVICES) -> Policy:
        return cls.from_data(yaml.safe_load(path.read_text()), services=services)

    def roles(self, permission: str) -> frozenset[str]:
        """The roles granted `permission` (a permission the table does not name grants nobody)."""
        return self.permissions.get(permission, frozenset())

    def match(self, method: str, raw_path: str) -> Match | NoMatch:
        """The rule for a request, by its raw (still percent-encoded) path."""
        segments = [unquote(s) for s in raw_path.split("/")]
        if any(s in (".", "..") for s in segments):  # could walk a forwarded path out of its owner's prefix
            return NoMatch()
        allowed: list[str] = []
        for rule in self._by_length.get(len(segments), ()):
            params = rule.params(segments)
            if params is None:
                continue
            if rule.method == method:
                return Match(rule, params)
            allowed.append(rule.method)
        return NoMatch(tuple(dict.fromkeys(allowed)))

    def rule(self, method: str, template: str) -> Rule | None:
        """The rule written for exactly this method and template."""
        return next((r for r in self.rules if r.method == method and r.template == template), None)


@cache
def policy() -> Policy:
    """The table in `policy.yaml`, loaded once per process."""
    return Policy.load()


def denial(match: Match, principal: Principal) -> str | None:
    """Why the caller may not use this route (the message of a 403), or None when it may."""
    rule = match.rule
    if principal.role not in rule.roles:
        return f"role {principal.role} lacks permission {rule.permission} ({rule.method} {rule.template})"
    if principal.role in ORG_WIDE:
        return None
    location = match.params.get("location_id")
    if rule.scope == "location" and location and principal.role in LOCATION_BOUND:
        if location not in principal.locations:
            return f"permission {rule.permission} on location {location} is outside the caller's locations"
    region = match.params.get("region")
    if region and (principal.role in LOCATION_BOUND or region not in principal.regions):
        return f"permission {rule.permission} in region {region} is outside the caller's regions"
    return None
