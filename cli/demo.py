"""`rollout demo`: a seeded DSO rolled out through the public HTTP API, as a real DSO would drive it.

Business dates come from the data: the programme starts on the Monday `weeks` weeks ago, so go-lives,
cases, baselines and surveys all lie in the past and nothing waits. The same `seed` gives the same DSO.
Cases arrive as signed PMS and scanner webhooks (`cli/feeds.py`), as a DSO's integrations send them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from cli.feeds import Feeds, register, send_cases, send_stranger

FACTORS = ("it_infrastructure", "staff_adaptability", "patient_volume", "tech_stack", "champion")
REGIONS = ("north", "south", "east", "west")
TOWNS = ("Maple", "Cedar", "Harbor", "Summit", "Willow", "Granite", "Lakeside", "Orchard", "Riverside", "Pine",
         "Meadow", "Bayview", "Hillcrest", "Brookfield", "Fairview", "Oakridge", "Sunset", "Northgate")
CASES_PER_LOCATION = 8
MODULES = ("platform-fundamentals", "clinical-workflow", "integration-troubleshooting", "training-delivery",
           "certification-assessment")


class DemoError(RuntimeError):
    """A step the stack refused: the call and its answer."""


@dataclass
class Demo:
    """One demo run against a gateway with a super-admin and an executive token of one org."""

    client: httpx.Client
    admin: dict[str, str]
    executive: dict[str, str]
    rng: random.Random
    weeks: int
    program: str = ""
    start: date = field(default_factory=date.today)
    notes: list[str] = field(default_factory=list)

    def call(self, method: str, url: str, *, expect: tuple[int, ...] = (200, 201), executive: bool = False,
             **kwargs: Any) -> Any:
        headers = (self.executive if executive else self.admin) | kwargs.pop("headers", {})
        response = self.client.request(method, url, headers=headers, **kwargs)
        if response.status_code not in expect:
            raise DemoError(f"{method} {url}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content and "json" in response.headers.get("content-type", "") else None

    def until(self, read: Callable[[], Any], ok: Callable[[Any], bool], what: str | None, seconds: float = 30) -> Any:
        """Read until `ok`; after `seconds`, the last value (noted as given up, unless `what` is None)."""
        deadline = time.monotonic() + seconds
        while True:
            value = read()
            if ok(value) or time.monotonic() > deadline:
                if not ok(value) and what is not None:
                    self.notes.append(f"gave up waiting for {what}")
                return value
            time.sleep(0.1)

    def day(self, week: int, weekday: int = 0) -> date:
        return self.start + timedelta(weeks=week - 1, days=weekday)


def scores_for(rng: random.Random, index: int, count: int) -> dict[str, int]:
    """A realistic spread: a few strong practices, most medium, a couple needing remediation."""
    share = index / max(count - 1, 1)
    base = 4.6 if share < 0.1 else 3.6 if share < 0.35 else 2.8 if share < 0.92 else 2.0
    return {f: max(1, min(5, round(base + rng.uniform(-0.6, 0.6)))) for f in FACTORS}


def run_demo(client: httpx.Client, *, admin: dict[str, str], executive: dict[str, str], playbook: str,
             locations: int, seed: int, weeks: int, console: Console) -> dict[str, Any]:
    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    demo = Demo(client, admin, executive, rng, weeks, start=today - timedelta(days=today.weekday(), weeks=weeks))
    with Progress(console=console, transient=True) as progress:
        step = progress.add_task("readiness", total=locations)
        demo.program = demo.call("POST", "/api/v1/programs", executive=True, json={
            "name": f"Aligner rollout ({seed})", "playbook": playbook, "start_date": demo.start.isoformat()})["id"]
        ids = []
        for index in range(locations):
            town = TOWNS[index % len(TOWNS)] + ("" if index < len(TOWNS) else f" {index // len(TOWNS) + 1}")
            created = demo.call("POST", "/api/v1/locations", json={
                "name": f"{town} Dental", "region": REGIONS[index % len(REGIONS)], "program_id": demo.program})
            demo.call("PUT", f"/api/v1/locations/{created['id']}/assessment", json={
                "scores": scores_for(rng, index, locations), "assessor": "regional manager"})
            ids.append(created["id"])
            progress.advance(step)
        feeds = register(client, demo.call, ids)
        # The money behind the ROI: what a plan costs in design fees and platform, a provider hour, a case.
        demo.call("PUT", f"/api/v1/programs/{demo.program}/roi/assumptions", executive=True, json={
            "provider_hourly_rate": 180, "platform_cost_per_plan": 35, "revenue_per_case": 4800,
            "cost_per_plan": 150})
        plan = demo.until(lambda: demo.call("GET", f"/api/v1/programs/{demo.program}/plan"),
                          lambda p: len(p["locations"]) + len(p["unscheduled"]) == locations, "the wave plan")
        waves: dict[str, list[str]] = {}
        for placed in plan["locations"]:
            waves.setdefault(placed["wave"], []).append(placed["location_id"])
        order = [w["key"] for w in plan["waves"]]

        step = progress.add_task("pre-implementation", total=1)
        checklists = demo.call("GET", f"/api/v1/programs/{demo.program}/checklists")["checklists"]
        for checklist in (c for c in checklists if c["gates_wave_1"] and c["per"] == "program"):
            for item in checklist["items"]:
                demo.call("PATCH", f"/api/v1/programs/{demo.program}/checklists/{checklist['key']}/items/"
                                   f"{item['key']}", json={"status": "done"})
        progress.advance(step)

        step = progress.add_task("champions and training", total=2 * len(plan["locations"]))
        people: dict[str, tuple[str, dict[str, str]]] = {}
        for wave_index, wave in enumerate(order):
            for position, location_id in enumerate(waves.get(wave, [])):
                people[location_id] = certify_location(demo, location_id, fail_first=wave_index == 0 and position == 0)
                progress.advance(step)
        pilots = [people[i][0] for i in waves.get(order[0], []) if people[i][0]]
        curricula = demo.call("GET", f"/api/v1/programs/{demo.program}/training/curricula")["curricula"]
        for wave in order:
            members = waves.get(wave, [])
            for position, location_id in enumerate(members):
                champion, staff = people[location_id]
                # Pilot champions train each other's coordinators; later waves' coordinators (their champions)
                # are trained by a pilot champion: the train-the-trainer model the gates look for.
                mentor = pilots[(position + 1) % len(pilots)] if pilots else champion
                train_staff(demo, location_id, staff, champion=champion, mentor=mentor, curricula=curricula)
                progress.advance(step)

        outcomes: dict[str, str] = {}
        for wave_index, wave in enumerate(order):
            members = waves.get(wave, [])
            if not members:
                continue
            go_week = wave_index * 4 + 5
            if demo.day(go_week) > today - timedelta(days=14):
                demo.notes.append(f"{wave} would go live after today: left for later")
                break
            task = progress.add_task(f"{wave} go-live", total=len(members))
            for location_id in members:
                capture_baselines(demo, location_id, before=demo.day(go_week))
                go_live(demo, location_id, demo.day(go_week))
                send_cases(feeds, rng, location_id, since=demo.day(go_week), until=today, good=wave_index == 0)
                progress.advance(task)
            if wave_index == 0:
                send_stranger(feeds, members[0], datetime.combine(demo.day(go_week), datetime.min.time(), UTC))
            support(demo, members, wave_index)
            for location_id in members:  # the intake processes deliveries asynchronously: let it catch up
                cases_processed(demo, location_id)
            survey(demo, wave, members, good=wave_index == 0)
            gate = next((g for g in demo.call("GET", f"/api/v1/programs/{demo.program}/gates")
                         if g["from_wave"] == wave), None)
            if gate is None:
                continue
            outcomes[gate["key"]] = decide_gate(demo, gate["key"], members)
            if outcomes[gate["key"]] != "go":
                # Remediation: the wave's providers retrained, its next weeks' cases are better; evaluated again.
                task = progress.add_task(f"{wave} remediation", total=len(members))
                for location_id in members:
                    send_cases(feeds, rng, location_id, since=demo.day(go_week + 2), until=today, good=True,
                               count=2 * CASES_PER_LOCATION, first=CASES_PER_LOCATION)
                    progress.advance(task)
                for location_id in members:
                    cases_processed(demo, location_id, at_least=3 * CASES_PER_LOCATION)
                survey(demo, wave, members, good=True)  # the check-in after remediation
                again = decide_gate(demo, gate["key"], members)
                outcomes[gate["key"]] += f"; {again} after remediation"
                if again != "go":
                    break
    return summarize(demo, order, outcomes, console, feeds)


def certify_location(demo: Demo, location_id: str, *, fail_first: bool) -> tuple[str, dict[str, str]]:
    """The location's roster (CSV) and its champion, certified (one fails the assessment first and retakes)."""
    tag = location_id[-4:]
    roster = "name,role,capacity_hours\n" + "\n".join(f"{name} {tag},{role},{hours}" for name, role, hours in (
        ("Tess", "treatment_coordinator", 8), ("Dr Dana", "provider", ""), ("Hal", "hygienist", ""),
        ("Olive", "office_manager", "")))
    staff = {m["role"]: m["id"] for m in demo.call(
        "POST", f"/api/v1/locations/{location_id}/staff/import", content=roster.encode(),
        headers={"Content-Type": "text/csv"})}
    champion = staff["treatment_coordinator"]
    demo.call("PUT", f"/api/v1/locations/{location_id}/champion", json={"staff_id": champion})
    base = f"/api/v1/locations/{location_id}/champions/{champion}"
    for module in MODULES:
        demo.call("POST", f"{base}/modules", json={"module": module}, expect=(200, 404, 422))
    demo.call("POST", f"{base}/simulation", json={}, expect=(200, 404, 422))
    for score in ((78, 91) if fail_first else (90,)):
        demo.call("POST", f"{base}/assessments", json={"score": score}, expect=(200, 404, 422))
    return champion, staff


def train_staff(demo: Demo, location_id: str, staff: dict[str, str], *, champion: str, mentor: str,
                curricula: list[dict[str, Any]]) -> None:
    """Each person's curriculum in a session by the location's champion; the champion's own by `mentor`."""
    for role, person in staff.items():
        for curriculum in (c for c in curricula if role in (c["staff_roles"] or [c["role"]])):
            trainer = mentor if person == champion else champion
            demo.call("POST", f"/api/v1/locations/{location_id}/training/sessions", expect=(201, 422), json={
                "curriculum": curriculum["role"], "trainer_staff_id": trainer, "held_on": demo.day(3).isoformat(),
                "duration_minutes": curriculum["duration_minutes"] or 60,
                "attendees": [{"staff_id": person, "score": 90}]})


def go_live(demo: Demo, location_id: str, on: date) -> None:
    """Record the go-live once waves has seen the baselines just captured (it learns them from events)."""
    url = f"/api/v1/programs/{demo.program}/locations/{location_id}/go-live"
    deadline = time.monotonic() + 30
    while True:
        response = demo.client.post(url, headers=demo.admin, json={"date": on.isoformat()})
        if response.status_code in (200, 201):
            return
        if response.status_code != 422 or "no baseline" not in response.text or time.monotonic() > deadline:
            raise DemoError(f"POST {url}: {response.status_code} {response.text[:300]}")
        time.sleep(0.2)


def capture_baselines(demo: Demo, location_id: str, *, before: date) -> None:
    metrics = [{"metric": m, "value": v, "period_start": (before - timedelta(days=60)).isoformat(),
                "period_end": (before - timedelta(days=1)).isoformat(), "sample_size": 40}
               for m, v in (("case_acceptance_rate_pct", round(demo.rng.uniform(48, 56), 1)),
                            ("plan_turnaround_hours", round(demo.rng.uniform(60, 80), 1)),
                            ("planning_time_minutes", round(demo.rng.uniform(18, 24), 1)))]
    for metric in metrics:  # each playbook has its own baseline set: keep what it takes
        demo.call("PUT", f"/api/v1/locations/{location_id}/baseline", json={"metrics": [metric]}, expect=(200, 422))


def support(demo: Demo, members: list[str], wave_index: int) -> None:
    """The wave's support load: the pilot's tickets and one severity-2 incident; later waves fewer tickets and
    one systemic issue (the same category at two locations) — each acknowledged and resolved."""
    base = f"/api/v1/programs/{demo.program}"

    def incident(location_id: str, **body: Any) -> None:
        opened = demo.call("POST", f"{base}/locations/{location_id}/incidents", json=body)
        demo.call("POST", f"{base}/incidents/{opened['incident_id']}/acknowledge", json={"note": "on it"})
        demo.call("POST", f"{base}/incidents/{opened['incident_id']}/resolve", json={"resolution": "fixed"})

    for location_id in members:
        for _ in range(2 if wave_index == 0 else 1):
            incident(location_id, kind="ticket", severity=4, category="how-to",
                     description="How do I send a modified plan back for revision?")
    if wave_index == 0:
        incident(members[0], severity=2, category="plan-export", description="Approved plans do not export to the lab")
    elif len(members) >= 2:
        for location_id in members[:2]:
            incident(location_id, severity=3, category="scan-import", description="iTero scans arrive without bite")


def cases_processed(demo: Demo, location_id: str, at_least: int = CASES_PER_LOCATION) -> None:
    url = f"/api/v1/locations/{location_id}/kpis"
    demo.until(lambda: demo.call("GET", url),
               lambda k: k["values"]["aligner_cases_per_month"]["n"] >= at_least,
               f"the cases of {location_id}", seconds=60)


def survey(demo: Demo, wave: str, members: list[str], *, good: bool) -> None:
    for kind in ("provider", "clinician"):
        created = demo.call("POST", f"/api/v1/programs/{demo.program}/surveys", expect=(201, 422),
                            json={"kind": kind, "title": f"{wave} post-training survey", "wave": wave})
        if not created or "id" not in created:
            continue  # the playbook has no scale for this kind
        high = created["scale_max"]
        for location_id in members:
            for person in range(3):
                score = high - demo.rng.randrange(0, 2) if good else max(created["scale_min"], high // 2)
                demo.call("POST", f"/api/v1/surveys/{created['id']}/responses", json={
                    "respondent": f"{location_id}-{person}@dso.example", "score": score, "location_id": location_id})


def decide_gate(demo: Demo, gate: str, members: list[str]) -> str:
    url = f"/api/v1/programs/{demo.program}/gates/{gate}"
    evaluated = demo.until(lambda: demo.call("POST", f"{url}/evaluate"),
                           lambda g: g["evaluation"]["passed"], None, seconds=8)  # a fail is an answer too
    if evaluated["evaluation"]["passed"]:
        demo.call("POST", f"{url}/decision", executive=True, json={"decision": "go", "rationale": "criteria met"})
        return "go"
    failing = [r["key"] for r in evaluated["evaluation"]["results"] if r["status"] != "pass"]
    demo.call("POST", f"{url}/decision", executive=True,
              json={"decision": "no_go", "rationale": f"not met: {', '.join(failing)}"})
    pauses = demo.call("GET", f"/api/v1/programs/{demo.program}/pauses")
    for pause in (p for p in pauses if not p.get("resumed_at")):
        base = f"/api/v1/programs/{demo.program}/pauses/{pause['pause_id']}"
        demo.call("POST", f"{base}/review", json={"summary": f"review of {', '.join(failing)}"})
        demo.call("POST", f"{base}/root-cause", json={"category": "training",
                                                       "description": "providers need more plan-review practice"})
        for criterion in ("root-cause-resolved", "preventive-measures", "executive-approval"):
            demo.call("POST", f"{base}/criteria/{criterion}", executive=True, json={"note": "done"})
        demo.call("POST", f"{base}/resume", executive=True)
    return "no_go, then resumed"


def summarize(demo: Demo, order: list[str], outcomes: dict[str, str], console: Console,
              feeds: Feeds) -> dict[str, Any]:
    plan = demo.call("GET", f"/api/v1/programs/{demo.program}/plan")
    roi = demo.call("GET", f"/api/v1/programs/{demo.program}/roi")
    live = {w: sum(1 for loc in plan["locations"] if loc["wave"] == w and loc["went_live_on"]) for w in order}
    table = Table(title=f"Programme {demo.program}")
    table.add_column("wave")
    table.add_column("locations", justify="right")
    table.add_column("live", justify="right")
    for wave in plan["waves"]:
        table.add_row(wave["key"], str(wave["locations"]), str(live[wave["key"]]))
    console.print(table)
    gates = Table(title="Gates")
    gates.add_column("gate")
    gates.add_column("outcome")
    for gate, outcome in outcomes.items():
        gates.add_row(gate, outcome)
    console.print(gates)
    metrics = Table(title="ROI")
    for column in ("metric", "baseline", "current", "target", "progress %"):
        metrics.add_column(column)
    for row in roi["metrics"]:
        metrics.add_row(row["label"], *(str(row[k]) for k in ("baseline", "current", "target", "progress_pct")))
    console.print(metrics)
    console.print(f"saved and earned per month at the live locations: {roi['total_per_month']:,.0f} "
                  "(design fees, provider time, acceptance uplift; assumptions at /api/v1/programs/<id>/roi)")
    parked = demo.call("GET", "/api/v1/integrations/parked")
    console.print(f"webhooks: {feeds.sent} delivered ({feeds.repeats} repeats, one effect each); "
                  f"{len(parked)} parked: {', '.join(sorted({p['reason'] for p in parked})) or 'none'}")
    for note in demo.notes:
        console.print(f"note: {note}", style="yellow")
    return {"program_id": demo.program, "live": live, "gates": outcomes, "roi": roi, "webhooks": feeds.sent,
            "repeats": feeds.repeats, "parked": [p["reason"] for p in parked]}
