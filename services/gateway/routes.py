"""Where each `/api/v1` route goes: the policy table names the owning service of every route.

One table for routing and access, so a route cannot be reachable without a policy.
"""

from __future__ import annotations

from services.gateway.access.policy import Match, Policy, default_policy

API_PREFIX = "/api/v1"
# The services the gateway forwards to; `gateway` in the table means the gateway answers itself.
SERVICES: tuple[str, ...] = ("readiness", "waves", "training", "metrics")


def policy() -> Policy:
    return default_policy(SERVICES)


def owner(method: str, path: str) -> str | None:
    """The service answering `method path` (a concrete path or a template), or None when no rule has it."""
    found = policy().match(method.upper(), path)
    return found.rule.service if isinstance(found, Match) else None
