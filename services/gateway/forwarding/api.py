"""The `/api/v1` catch-all: every admitted request the gateway does not answer itself goes to its owner."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from services.gateway.deps import SettingsDep, TransportDep
from services.gateway.forwarding.forward import forward
from shared.access.policy import API_PREFIX, Rule
from shared.errors import NotFound

# Authenticated: create_service_app adds `current_principal`; the edge has already matched the policy rule.
router = APIRouter()


@router.api_route(
    f"{API_PREFIX}/{{path:path}}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
async def forward_api(request: Request, transport: TransportDep, settings: SettingsDep) -> Response:
    """Forwards an `/api/v1` request to the service its policy rule names."""
    rule: Rule | None = getattr(request.state, "rule", None)
    if rule is None or rule.service == "gateway":  # the edge admitted it for a gateway route that does not exist
        raise NotFound(f"no route {request.method} {request.url.path}")
    base_url = settings.service_urls()[rule.service]
    return await forward(request, transport=transport, service=rule.service, base_url=base_url, settings=settings)
