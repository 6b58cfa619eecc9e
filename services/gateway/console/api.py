"""Serving the console, and its development login.

The console is static files (HTML, one ES module, one stylesheet; nothing fetched from the internet)
served at `/`; it calls the same `/api/v1` as every client, with the caller's bearer token, so the
access table, scopes and audit apply to it unchanged. Sign-in (`GET /console/config` says which):
with the identity provider, the browser runs the OAuth 2.0 authorization-code flow with PKCE as a
public client (`GATEWAY_CONSOLE_OIDC_*`) and keeps the access token the provider issues; in
development — the gateway verifying tokens with the local key, listening on loopback — `POST
/console/dev-token` signs a browser-session token (with a `sid`, so the 30-minute idle rule applies)
for the org, role and scope typed into the form, as `rollout token` does on the command line; with an
identity provider configured it is 404.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.config import GatewaySettings
from shared.auth import issue_token
from shared.events import new_id
from shared.http import error_response
from shared.principal import ROLES

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
router = APIRouter(include_in_schema=False)


class DevLogin(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    role: str
    subject: str = Field("console-user", min_length=1, max_length=64)
    regions: list[str] = Field(default_factory=list, max_length=20)
    locations: list[str] = Field(default_factory=list, max_length=50)


def dev_login_enabled(settings: GatewaySettings) -> bool:
    local_key = settings.auth_jwks_url is None and settings.auth_public_key_file is None
    return settings.console_dev_login and local_key and settings.host in LOOPBACK


@router.get("/console/config")
async def console_config(request: Request) -> JSONResponse:
    """How the console signs in here: the development form, the identity provider (PKCE), or both."""
    settings: GatewaySettings = request.app.state.settings
    oidc = None
    if settings.console_oidc_authorize_url and settings.console_oidc_token_url and settings.console_oidc_client_id:
        oidc = {"authorize_url": settings.console_oidc_authorize_url, "token_url": settings.console_oidc_token_url,
                "client_id": settings.console_oidc_client_id, "scope": settings.console_oidc_scope}
    return JSONResponse({"dev_login": dev_login_enabled(settings), "oidc": oidc}, headers={"Cache-Control": "no-store"})


@router.get("/")
async def console() -> FileResponse:
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


@router.post("/console/dev-token")
async def dev_token(body: DevLogin, request: Request) -> JSONResponse:
    settings: GatewaySettings = request.app.state.settings
    if not dev_login_enabled(settings):
        return error_response(404, "not_found", "development login is off: sign in with the identity provider")
    if body.role not in ROLES:
        return error_response(422, "invalid", f"role must be one of {', '.join(ROLES)}", field="role")
    token = issue_token(settings, org=body.org, role=body.role, subject=body.subject, regions=tuple(body.regions),
                        locations=tuple(body.locations), ttl_s=8 * 3600, session_id=new_id())
    log.info("console development login: org %s role %s subject %s", body.org, body.role, body.subject)
    return JSONResponse({"token": token, "org": body.org, "role": body.role},
                        headers={"Cache-Control": "no-store"})
