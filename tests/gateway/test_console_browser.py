"""`rollout demo`, then the console in a real browser (Debian's chromium, driven by Playwright).

The demo rolls a seeded DSO out against every real service behind the real gateway, over HTTP and
signed webhooks only; then the console signs in through its development login, shows every page
with the numbers the API gives, opens a gate's evidence, updates the location page live when a
signed webhook brings a case, and shows a location admin only its own location (one demo run for
both: it is the slowest part). Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import secrets
import shutil
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, RedirectResponse
from playwright.async_api import Browser, Page, async_playwright, expect
from rich.console import Console

from cli.demo import run_demo
from services.gateway.app import create_app
from shared.auth import issue_token
from shared.events import new_id
from shared.webhooks import signed_headers
from tests.conftest import bearer
from tests.gateway.conftest import listening

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM = shutil.which("chromium")
PAGES = ("timeline", "readiness", "gates", "incidents", "training", "roi")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: deploy/scripts/ensure-chromium.sh (make test runs it)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        await launched.close()


def demo_finished_as_seeded(summary: dict[str, Any], plan: dict[str, Any], board: list[dict[str, Any]],
                            printed: str) -> None:
    # Seed 7's eight practices: one strong pilot, two in wave 2, four in wave 3, one in remediation — all live.
    assert summary["live"] == {"wave-1": 1, "wave-2": 2, "wave-3": 4} and len(plan["unscheduled"]) == 1
    assert all(loc["name"].endswith("Dental") for loc in plan["locations"])
    # The pilot's real cases, surveys and training pass gate 1; wave 2's weaker figures fail gate 2, the no-go
    # path (pause, review, root cause, restart criteria) resumes deployment, and after remediation (better
    # cases, a better check-in survey) gate 2 passes and wave 3 goes live.
    assert summary["gates"] == {"wave-1-to-wave-2": "go",
                                "wave-2-to-wave-3": "no_go, then resumed; go after remediation"}
    assert [g["decision"]["decision"] for g in board] == ["go", "go"]
    champion = next(r for r in board[1]["evaluation"]["results"] if r["key"] == "champion-model")
    assert champion["status"] == "pass"  # wave 2's coordinators were trained by the pilot's champion
    assert "Gates" in printed and "ROI" in printed and "webhooks" in printed
    # Cases came as signed webhooks: a repeat is one effect; the one stranger's scan is parked, nothing else.
    assert summary["webhooks"] > 8 * 3 * 5 and summary["repeats"] >= 3
    assert summary["parked"] == ["unmatched_patient"]
    # ROI against target, from those webhook-delivered cases at the live locations (SoftSmile's success criteria).
    turnaround = {m["metric"]: m for m in summary["roi"]["metrics"]}["plan_turnaround_hours"]
    assert turnaround["current_n"] > 0 and turnaround["baseline_source"] == "measured"
    assert turnaround["target"] == round(turnaround["baseline"] * 0.7, 2) and turnaround["met"] is True


async def sign_in(page: Page, url: str, org: str, role: str = "super_admin", locations: str = "") -> None:
    await page.goto(url + "/")
    await page.get_by_label("Organisation").fill(org)
    await page.get_by_label("Role", exact=True).select_option(role)
    if locations:
        await page.get_by_label("Locations (comma-separated ids, location roles)").fill(locations)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#user")).to_have_text(f"{role} · {org}")


async def show(page: Page, url: str, name: str) -> None:
    await page.goto(f"{url}/#/{name}")
    await expect(page.locator(f"main[data-page='{name}']")).to_be_visible(timeout=15_000)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def webhook(client: httpx.AsyncClient, integration: dict[str, Any], webhook_id: str,
                  body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode()
    headers = signed_headers(integration["secret"], webhook_id=webhook_id, timestamp=int(time.time()), body=raw)
    answer = await client.post(integration["webhook_url"], content=raw, headers=headers)
    assert answer.status_code == 202, answer.text


async def test_the_demo_rolls_a_dso_out_and_the_console_shows_it_live_and_scoped(
        gateway_settings, service_urls, token, org, browser: Browser) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with AsyncExitStack() as stack:
        url = await stack.enter_async_context(listening(create_app(gateway_settings(**service_urls))))
        admin, executive = bearer(token(org)), bearer(token(org, "executive"))

        out = io.StringIO()

        def demo() -> dict[str, Any]:
            with httpx.Client(base_url=url, timeout=30) as client:
                return run_demo(client, admin=admin, executive=executive, playbook="softsmile-dso", locations=8,
                                seed=7, weeks=14, console=Console(file=out, width=120))

        summary = await asyncio.to_thread(demo)
        program = summary["program_id"]
        api = await stack.enter_async_context(httpx.AsyncClient(base_url=url, headers=admin, timeout=30))
        plan = (await api.get(f"/api/v1/programs/{program}/plan")).json()
        board = (await api.get(f"/api/v1/programs/{program}/gates")).json()
        trained = (await api.get(f"/api/v1/programs/{program}/training")).json()
        demo_finished_as_seeded(summary, plan, board, out.getvalue())

        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await sign_in(page, url, org)
        for name in PAGES:
            await show(page, url, name)

        # The numbers are the API's.
        await show(page, url, "timeline")
        live = sum(1 for loc in plan["locations"] if loc["went_live_on"])
        await expect(page.locator(".card").nth(1).locator(".n")).to_have_text(str(live))
        await show(page, url, "readiness")
        rows = page.locator("table.heat tbody tr")
        await expect(rows).to_have_count(len(plan["locations"]) + len(plan["unscheduled"]))
        await page.get_by_label("Search").fill(plan["locations"][0]["name"])
        await expect(rows).to_have_count(1)
        await show(page, url, "training")
        await expect(page.locator(".card .n").first).to_contain_text(f"{trained['completion_pct']:g}")

        # The gate board: outcome, every criterion, and its evidence one click away.
        await show(page, url, "gates")
        first = board[0]
        section = page.locator("section", has=page.get_by_role("heading", name=first["label"]))
        await expect(section.locator("tbody tr")).to_have_count(len(first["evaluation"]["results"]))
        await expect(section.locator("h2 .chip")).to_have_text(first["decision"]["decision"].replace("_", "-"))
        criterion = section.locator("tbody tr").first
        await criterion.locator("summary").click()
        source = first["evaluation"]["results"][0]["source"][0]
        await expect(criterion.get_by_text(source, exact=True)).to_be_visible()

        # Live: a signed PMS patient and scanner case reach the open location page without a reload.
        pilot = next(loc for loc in plan["locations"] if loc["went_live_on"])
        before = (await api.get(f"/api/v1/locations/{pilot['location_id']}/kpis")).json()
        count = before["values"]["aligner_cases_per_month"]["n"]
        await page.goto(f"{url}/#/location/{pilot['location_id']}")
        kpi = page.locator("tr", has=page.get_by_text("aligner cases per month", exact=True)).locator("td").nth(2)
        await expect(kpi).to_have_text(str(count), timeout=15_000)
        await expect(page.locator("#live")).to_have_text("live", timeout=15_000)
        made = {}
        for source_name, site in (("generic", "pms-1"), ("itero", "scan-1")):
            answer = await api.post("/api/v1/integrations", json={
                "source": source_name, "name": source_name, "clinic_map": {site: pilot["location_id"]}})
            made[source_name] = answer.json()
        patient = {"id": "p-1", "last_name": "Lee", "first_name": "Ann", "birth_date": "1990-02-01",
                   "chart_number": "C-1"}
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        await webhook(api, made["generic"], "live-p", {"type": "patient.updated", "occurred_at": now,
                                                       "clinic_id": "pms-1", "patient": patient})
        await webhook(api, made["itero"], "live-c", {"type": "case.created", "occurred_at": now,
                                                     "clinic_id": "scan-1", "case_id": "LIVE-1", "patient": patient})
        await expect(kpi).to_have_text(str(count + 1), timeout=20_000)
        await page.screenshot(path=str(SHOTS / "location.png"), full_page=True)

        # A location admin sees only its own location.
        scoped = await browser.new_page(viewport={"width": 1024, "height": 768})  # tablet width
        await sign_in(scoped, url, org, "location_admin", locations=pilot["location_id"])
        await show(scoped, url, "readiness")
        await expect(scoped.locator("table.heat tbody tr")).to_have_count(1)
        await expect(scoped.locator("table.heat tbody tr a")).to_have_text(pilot["name"])
        other = next(loc for loc in plan["locations"] if loc["location_id"] != pilot["location_id"])
        await scoped.goto(f"{url}/#/location/{other['location_id']}")
        await expect(scoped.get_by_role("alert")).to_contain_text("outside the caller's locations")
        await scoped.screenshot(path=str(SHOTS / "location-admin.png"), full_page=True)
        assert errors == []


async def test_the_development_login_is_off_with_an_identity_provider(gateway_settings, service_urls) -> None:
    settings = gateway_settings(**service_urls, auth_jwks_url="https://idp.example/jwks")
    async with listening(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as client:
        assert (await client.get("/")).status_code == 200  # the console itself is served
        refused = await client.post("/console/dev-token", json={"org": "acme", "role": "super_admin"})
        assert refused.status_code == 404 and "identity provider" in refused.json()["error"]["message"]


def identity_provider(platform: Any, org: str) -> FastAPI:
    """A stand-in OAuth 2.0 provider for one signed-in user: code flow with PKCE checked, tokens signed with the
    key the gateway trusts here (as a real provider's, by its JWKS)."""
    app = FastAPI()
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
    pending: dict[str, tuple[str, str]] = {}

    @app.get("/authorize")
    async def authorize(response_type: str, client_id: str, redirect_uri: str, code_challenge: str,
                        code_challenge_method: str, state: str) -> RedirectResponse:
        assert (response_type, client_id, code_challenge_method) == ("code", "dso-console", "S256")
        code = secrets.token_urlsafe(16)
        pending[code] = (code_challenge, redirect_uri)
        return RedirectResponse(f"{redirect_uri}?code={code}&state={state}")

    @app.post("/token")
    async def exchange(request: Request) -> JSONResponse:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        challenge, redirect_uri = pending.pop(form.get("code", ""), ("", ""))
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if not challenge or base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != challenge \
                or form.get("redirect_uri") != redirect_uri:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE check failed"}, 400)
        return JSONResponse({"token_type": "Bearer", "access_token": issue_token(
            platform, org=org, role="executive", subject="exec@dso.example", session_id=new_id())})

    return app


async def test_the_console_signs_in_with_the_identity_provider(gateway_settings, service_urls, platform, org,
                                                               browser: Browser) -> None:
    async with listening(identity_provider(platform, org)) as idp:
        settings = gateway_settings(**service_urls, console_oidc_authorize_url=f"{idp}/authorize",
                                    console_oidc_token_url=f"{idp}/token", console_oidc_client_id="dso-console")
        async with listening(create_app(settings)) as url:
            page = await browser.new_page()
            await page.goto(url + "/")
            await page.get_by_role("button", name="Sign in with your organisation").click()
            await expect(page.locator("#user")).to_have_text(f"executive · {org}", timeout=15_000)
            assert page.url == url + "/#/timeline" or page.url.startswith(url + "/")
            assert "code=" not in page.url  # the code is not left in the address bar or history
