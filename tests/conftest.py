"""Fixtures: a real NATS server per test, SQLite or PostgreSQL read models, signed tokens."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import nats
import psycopg
import pytest
from fastapi import FastAPI
from nats.aio.client import Client

from shared.auth import AuthError, TokenVerifier, issue_token
from shared.config import PlatformSettings
from shared.events import new_id
from shared.eventstore.streams import ensure_streams
from shared.internal_auth import HEADER as INTERNAL_HEADER
from shared.internal_auth import InternalCredentials
from shared.natsserver import EmbeddedNats

PG_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A fresh JetStream server on a free port; nothing shared with other tests."""
    with EmbeddedNats(tmp_path / "nats") as server:
        yield server


@pytest.fixture
async def nc(nats_server: EmbeddedNats) -> AsyncIterator[Client]:
    """A client of this test's server, with every service stream provisioned."""
    client = await nats.connect(nats_server.url)
    await ensure_streams(client.jetstream())
    yield client
    await client.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL schema of this test's own, dropped afterwards."""
    schema = f"t_{new_id().lower()}"
    try:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.OperationalError as error:  # pragma: no cover - CI starts PostgreSQL
        pytest.fail(f"PostgreSQL is required at {PG_DSN}: {error}")
    yield f"{PG_DSN}?options=-csearch_path%3D{schema}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'read.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def platform(tmp_path: Path, nats_server: EmbeddedNats) -> PlatformSettings:
    return PlatformSettings(nats_url=nats_server.url, var_dir=tmp_path / "var", log_json=False)


@pytest.fixture
def token(platform: PlatformSettings) -> Callable[..., str]:
    """Sign a token: token("acme", "super_admin", regions=("north",))."""

    def make(org: str, role: str = "super_admin", **scope: tuple[str, ...]) -> str:
        return issue_token(platform, org=org, role=role, **scope)

    return make


@pytest.fixture
def org() -> str:
    return f"org{new_id().lower()[-10:]}"


class AsGateway(httpx.Auth):
    """A test client talking to a service the way the gateway does.

    Services accept only requests carrying the gateway's internal credential; this
    verifies the request's bearer token as the gateway would and mints one for that
    request, so service tests keep sending `bearer(token)`. An invalid bearer token
    gets no credential (the service answers 401).
    """

    def __init__(self, settings: PlatformSettings) -> None:
        self.verifier = TokenVerifier(settings)
        self.internal = InternalCredentials.of(settings)

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if INTERNAL_HEADER not in request.headers and scheme.lower() == "bearer":
            try:
                principal = self.verifier.verify(token.strip())
            except AuthError:
                principal = None
            if principal is not None:
                target = request.url.raw_path.decode("latin-1")
                request.headers[INTERNAL_HEADER] = self.internal.mint(principal, method=request.method, target=target)
        yield request


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's lifespan and talk to it over HTTP semantics in-process (to a service: as the gateway)."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        auth = None if app.state.settings.service == "gateway" else AsGateway(app.state.settings)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", auth=auth) as client:
            yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
