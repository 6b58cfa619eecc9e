"""The `rollout` command: run the stack, mint development tokens, rebuild read models, verify the audit trail."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Annotated, TypeVar

import httpx
import typer
from rich.console import Console

from shared.auth import ROLES, issue_token
from shared.config import DEFAULT_PORTS, PlatformSettings
from shared.natscheck import NatsServerUnsuitable

app = typer.Typer(help="DSO Rollout: AI clear-aligner rollout across a dental group.", no_args_is_help=True)
projections_app = typer.Typer(help="Read models.", no_args_is_help=True)
app.add_typer(projections_app, name="projections")
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
console = Console()
T = TypeVar("T")


def refuse_unsuitable_nats(action: Callable[[], T]) -> T:
    """Run `action`; a NATS server we cannot trust ends the command with its one line, not a traceback."""
    try:
        return action()
    except NatsServerUnsuitable as unsuitable:
        Console(stderr=True).print(str(unsuitable), style="red", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


@app.command()
def up() -> None:
    """Start NATS (our embedded server, unless NATS_URL is set), every service and the gateway."""
    from cli.stack import run_stack

    run_stack(PlatformSettings())


@app.command()
def token(
    org: Annotated[str, typer.Option(help="Organisation (tenant) the token is scoped to")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}")] = "super_admin",
    region: Annotated[list[str] | None, typer.Option(help="Region in scope (repeatable)")] = None,
    location: Annotated[list[str] | None, typer.Option(help="Location id in scope (repeatable)")] = None,
    subject: Annotated[str, typer.Option(help="User id (sub claim)")] = "dev-user",
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds")] = 8 * 3600,
) -> None:
    """Print a development token signed with the local key under var/keys/."""
    try:
        value = issue_token(
            PlatformSettings(), org=org, role=role, subject=subject,
            regions=tuple(region or ()), locations=tuple(location or ()), ttl_s=ttl,
        )
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    print(value)


@projections_app.command("rebuild")
def rebuild(service: Annotated[str, typer.Argument(help=f"One of: {', '.join(DEFAULT_PORTS)}")]) -> None:
    """Empty the service's read models and replay its events from sequence 1."""
    from cli.rebuild import rebuild as run

    if service not in DEFAULT_PORTS:
        raise typer.BadParameter(f"service must be one of {', '.join(DEFAULT_PORTS)}")
    positions = refuse_unsuitable_nats(lambda: asyncio.run(run(service)))
    for name, position in positions.items():
        console.print(f"{name}: rebuilt to position {position}")
    if not positions:
        console.print(f"{service} has no projections yet")


@audit_app.command("verify")
def audit_verify(
    org: Annotated[str | None, typer.Option(help="Only this organisation's chain (default: every org)")] = None,
) -> None:
    """Recompute every audit chain from the stream; exit 1 naming broken chains and rejected (forged) messages."""
    from services.gateway.audit.key import audit_key
    from services.gateway.audit.verify import verify_at
    from services.gateway.config import GatewaySettings

    settings = GatewaySettings()
    reports = refuse_unsuitable_nats(
        lambda: asyncio.run(verify_at(settings.nats_url, key=audit_key(settings), org=org)))
    for report in reports:
        console.print(report.summary(), style="red" if report.failed else None, highlight=False, soft_wrap=True)
    if not reports:
        console.print("no audit entries", highlight=False)
    if any(report.failed for report in reports):
        raise typer.Exit(1)
def wait_ready(client: httpx.Client, seconds: float, headers: dict[str, str]) -> None:
    """Wait (at most `seconds`) until the gateway answers for each domain service: a stack just started."""
    probes = ("/api/v1/locations?limit=1", "/api/v1/programs", "/api/v1/me/training", "/api/v1/programs/x/surveys")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if all(client.get(path, headers=headers).status_code in (200, 404) for path in probes):
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)


@app.command()
def demo(
    playbook: Annotated[str, typer.Option(help="softsmile-dso or spark-dso")] = "softsmile-dso",
    locations: Annotated[int, typer.Option(min=4, max=60, help="How many practices the DSO has")] = 30,
    seed: Annotated[int, typer.Option(help="The same seed gives the same DSO")] = 42,
    weeks: Annotated[int, typer.Option(min=6, max=30, help="How far back the programme started")] = 24,
    url: Annotated[str, typer.Option(help="The gateway of a running stack (make run)")] = "http://127.0.0.1:8000",
    org: Annotated[str, typer.Option(help="The demo DSO's organisation id")] = "demo-dso",
    wait: Annotated[float, typer.Option(help="Seconds to wait for the gateway to report ready")] = 0,
) -> None:
    """Roll a seeded demo DSO out through the public HTTP API of a running stack, then print a summary."""
    from cli.demo import DemoError, run_demo

    settings = PlatformSettings()
    admin = {"Authorization": f"Bearer {issue_token(settings, org=org, role='super_admin', subject='demo-cdo')}"}
    executive = {"Authorization": f"Bearer {issue_token(settings, org=org, role='executive', subject='demo-vp')}"}
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            wait_ready(client, wait, admin)
            run_demo(client, admin=admin, executive=executive, playbook=playbook, locations=locations, seed=seed,
                     weeks=weeks, console=console)
    except (DemoError, httpx.HTTPError) as error:
        Console(stderr=True).print(f"demo stopped: {error}", style="red", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    console.print(f"Open the console at {url}/ (sign in to org {org}) or the API at {url}/docs "
                  f"(token: rollout token --org {org})")


