"""Admitted `/api/v1` requests the gateway does not answer itself: relayed to their owner, or 404.

The edge hands a request whose policy rule names another service straight to
`relay`, a plain ASGI app: routing it through FastAPI (route match, dependency
solving, the exception middleware) cost a fifth of a forwarded GET's CPU and
decided nothing the edge had not decided already.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from services.gateway.forwarding.forward import forward
from shared.access.policy import API_PREFIX, Rule
from shared.errors import NotFound
from shared.http import http_error

# Authenticated: include_api adds `authorize`; the edge has already matched the policy rule.
router = APIRouter()


async def relay(scope: Scope, receive: Receive, send: Send) -> None:
    """Forward the request to the service its rule (`request.state.rule`) names and relay the answer."""
    request = Request(scope, receive)
    rule: Rule = request.state.rule
    settings = request.app.state.settings
    try:
        response = await forward(request, transport=request.app.state.transport, service=rule.service,
                                 base_url=settings.service_urls()[rule.service], settings=settings)
    except HTTPException as refused:  # the body limit (413): answered here, as the app's handler would
        response = http_error(refused)
    await response(scope, receive, send)


@router.api_route(
    f"{API_PREFIX}/{{path:path}}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
async def no_gateway_route(request: Request) -> None:
    """The edge admitted a request for a gateway route that does not exist (others never reach the app)."""
    raise NotFound(f"no route {request.method} {request.url.path}")
