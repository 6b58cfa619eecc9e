"""Who may do what: the one access table (`policy.yaml`) and the checks every service makes with it.

The gateway routes and admits requests by the table; a service authorizes each command by
the same permission name (`require(principal, "locations:assess")`) and checks the caller's
scope where the data is (the region a location is in), so a request that reaches a service
by another path is held to the same rules.
"""

from __future__ import annotations

from fastapi import Request

from shared.access.policy import API_PREFIX, LOCATION_BOUND, ORG_WIDE, Match, denial, policy
from shared.auth import CurrentPrincipal, Forbidden
from shared.principal import SYSTEM_ROLE, Principal

__all__ = [
    "API_PREFIX", "LOCATION_BOUND", "ORG_WIDE", "authorize", "in_scope", "org_wide", "require", "require_scope",
]


def org_wide(principal: Principal) -> bool:
    """Whether the caller acts on the whole org (org-wide roles and the platform's own reactions)."""
    return principal.role in ORG_WIDE or principal.role == SYSTEM_ROLE


def require(principal: Principal, permission: str) -> None:
    """Raise 403 naming the permission unless the access table grants it to the caller's role."""
    if principal.role == SYSTEM_ROLE:
        return  # a reaction of the platform itself, acting on events it was given
    if principal.role not in policy().roles(permission):
        raise Forbidden(f"role {principal.role} lacks permission {permission}")


def in_scope(principal: Principal, *, region: str, location_id: str) -> bool:
    """Below org-wide roles, a caller acts only in its regions or on its locations."""
    if org_wide(principal):
        return True
    if principal.role == "regional_admin" and region in principal.regions:
        return True
    return bool(location_id) and location_id in principal.locations


def require_scope(principal: Principal, *, region: str, location_id: str, permission: str) -> None:
    """Raise 403 unless the location (or region) is in the caller's scope."""
    if not in_scope(principal, region=region, location_id=location_id):
        target = f"location {location_id}" if location_id else f"region {region}"
        raise Forbidden(f"{permission} on {target} is outside the caller's scope")


async def authorize(request: Request, principal: CurrentPrincipal) -> Principal:
    """FastAPI dependency: the route's line of the access table, applied where the request lands.

    The same decision the gateway makes at the edge (role, and a `{location_id}` or `{region}`
    in the path against the caller's scope), so a request reaching a service by another way
    is held to the same rules; a route without a line is refused.
    """
    raw_path = (request.scope.get("raw_path") or request.url.path.encode()).decode("latin-1").split("?")[0]
    found = policy().match(request.method, raw_path)
    if not isinstance(found, Match):
        raise Forbidden(f"no access rule for {request.method} {request.url.path}")
    reason = denial(found, principal)
    if reason:
        raise Forbidden(reason)
    return principal
