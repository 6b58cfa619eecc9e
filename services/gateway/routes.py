"""The route table: which `/api/v1` path prefix belongs to which owning service.

Data, not code: a new resource is one row here. A prefix owns itself and every path
below it (`/api/v1/locations` owns `/api/v1/locations/01J…/assessment`), never a
sibling that merely starts with the same letters (`/api/v1/locationsX`).
"""

from __future__ import annotations

API_PREFIX = "/api/v1"

ROUTES: dict[str, str] = {
    "/api/v1/locations": "readiness",
    "/api/v1/readiness": "readiness",
    "/api/v1/programs": "waves",
    "/api/v1/waves": "waves",
    "/api/v1/gates": "waves",
    "/api/v1/champions": "training",
    "/api/v1/training": "training",
    "/api/v1/metrics": "metrics",
    "/api/v1/cases": "metrics",
    "/api/v1/baselines": "metrics",
}

SERVICES: tuple[str, ...] = tuple(dict.fromkeys(ROUTES.values()))


def owner(path: str) -> str | None:
    """The service that owns `path`, or None when no route matches."""
    segments = path.split("/")
    # Dot segments could walk a forwarded path out of its owner's prefix; refuse them.
    if any(segment in (".", "..") for segment in segments):
        return None
    for prefix in sorted(ROUTES, key=len, reverse=True):
        if path == prefix or path.startswith(prefix + "/"):
            return ROUTES[prefix]
    return None
