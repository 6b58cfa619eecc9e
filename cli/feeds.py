"""The demo DSO's integrations: an Open Dental PMS and iTero scanners posting signed webhooks.

Registered once for all practices (clinic and site ids mapped to locations); each case is told the
way the sources tell it — the PMS's patient record (synced live: stamped minutes ago, in the
practices' local time), the scanner's case lifecycle by source time, and the PMS's posted aligner
procedure. A few deliveries are sent twice, some steps arrive before their case, and one scanner
patient matches nobody in the PMS, so the intake's duplicate handling, waiting and parking show.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from shared.webhooks import signed_headers

PRACTICE_ZONE = "America/Chicago"
FIRST = ("Ann", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea")
LAST = ("Lee", "Park", "Ortiz", "Nguyen", "Smith", "Khan", "Rossi", "Meyer", "Silva", "Ito")


@dataclass
class Feeds:
    client: httpx.Client
    pms: dict[str, Any]
    scanner: dict[str, Any]
    clinics: dict[str, str]
    sites: dict[str, str]
    sent: int = 0
    repeats: int = 0
    unmatched: list[str] = field(default_factory=list)

    def deliver(self, integration: dict[str, Any], webhook_id: str, body: dict[str, Any], *, times: int = 1) -> None:
        raw = json.dumps(body).encode()
        for _ in range(times):
            headers = signed_headers(integration["secret"], webhook_id=webhook_id, timestamp=int(time.time()),
                                     body=raw)
            answer = self.client.post(integration["webhook_url"], content=raw, headers=headers)
            if answer.status_code != 202:
                raise RuntimeError(f"webhook {webhook_id}: {answer.status_code} {answer.text[:300]}")
            self.sent += 1
            self.repeats += bool(answer.json().get("duplicate"))


def register(client: httpx.Client, call: Callable[..., Any], location_ids: list[str]) -> Feeds:
    clinics = {loc: str(index + 1) for index, loc in enumerate(location_ids)}
    sites = {loc: f"IT-{index + 1:03d}" for index, loc in enumerate(location_ids)}
    pms = call("POST", "/api/v1/integrations", json={
        "source": "open_dental", "name": "Open Dental (all practices)", "time_zone": PRACTICE_ZONE,
        "clinic_map": {clinic: loc for loc, clinic in clinics.items()}})
    scanner = call("POST", "/api/v1/integrations", json={
        "source": "itero", "name": "iTero scanners", "clinic_map": {site: loc for loc, site in sites.items()}})
    return Feeds(client, pms, scanner, clinics, sites)


def _local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(PRACTICE_ZONE)).strftime("%Y-%m-%d %H:%M:%S")


def send_cases(feeds: Feeds, rng: random.Random, location_id: str, *, since: date, until: date, good: bool,
               count: int = 8, first: int = 0) -> None:
    """`count` cases at the location (numbered from `first`), each from PMS patient to posted procedure."""
    days = max((until - since).days - 5, 1)  # every step of a case lies in the past
    tag = location_id[-5:]
    site = feeds.sites[location_id]
    for number in range(first, first + count):
        # Who the patient is and how the sync timed out comes from its own generator, so the case draws below
        # (which decide the KPIs and so the gates) are the same whatever the names.
        who = random.Random(f"{number}")
        born = date(1960 + who.randrange(45), 1 + who.randrange(12), 1 + who.randrange(28)).isoformat()
        person = {"first_name": who.choice(FIRST), "last_name": who.choice(LAST), "birth_date": born,
                  "chart_number": f"{tag}-{number}"}
        pat_num = int.from_bytes(f"{tag}{number}".encode(), "big") % 10_000_000
        feeds.deliver(feeds.pms, f"od-pat-{tag}-{number}", {
            "PatNum": pat_num, "LName": person["last_name"], "FName": person["first_name"],
            "Birthdate": born, "ChartNumber": person["chart_number"],
            "ClinicNum": feeds.clinics[location_id],
            "DateTStamp": _local(datetime.now(UTC) - timedelta(seconds=who.randrange(40, 200)))})
        patient = {"id": f"it-{tag}-{number}", **person}
        submitted = datetime.combine(since + timedelta(days=rng.randrange(days)), datetime.min.time(), UTC) \
            + timedelta(hours=9 + rng.randrange(8))
        # The scan arrives hours after the case opens; the plan is designed and approved minutes after it.
        scan = submitted + timedelta(hours=rng.randrange(20, 40))
        approved = scan + timedelta(minutes=rng.randrange(12, 18) if good else rng.randrange(18, 26))
        decided = approved + timedelta(days=2)
        accepted = rng.random() < (0.6 if good else 0.45)
        case = f"{tag}-{number}"

        def step(kind: str, at: datetime, case: str = case, **extra: Any) -> tuple[str, dict[str, Any]]:
            return f"it-{case}-{kind}", {"type": kind, "occurred_at": at.isoformat(), "clinic_id": site,
                                         "case_id": case, **extra}

        steps = [step("case.created", submitted, patient=patient, provider_id=f"dr-{tag}"),
                 step("scan.uploaded", scan), step("plan.generated", scan + timedelta(minutes=6)),
                 step("plan.approved", approved, details={"review_minutes": who.randrange(8, 16)}),
                 step("patient.accepted" if accepted else "patient.declined", decided)]
        if number == 1:  # the approval arrives before the case itself: it waits, then applies
            steps.insert(0, steps.pop(3))
        for index, (webhook_id, body) in enumerate(steps):
            feeds.deliver(feeds.scanner, webhook_id, body, times=2 if number == 0 and index == 0 else 1)
        if accepted:
            feeds.deliver(feeds.pms, f"od-proc-{case}", {
                "ProcNum": pat_num * 10, "PatNum": pat_num, "ProcCode": "D8090", "ProcStatus": "C", "ProcFee": 5200,
                "ProvNum": f"dr-{tag}", "ClinicNum": feeds.clinics[location_id],
                "DateTStamp": _local(decided + timedelta(hours=1))})


def send_stranger(feeds: Feeds, location_id: str, at: datetime) -> None:
    """A scan of a patient the PMS never sent: parked as unmatched, for someone to look at."""
    feeds.deliver(feeds.scanner, f"it-stranger-{location_id[-5:]}", {
        "type": "case.created", "occurred_at": at.isoformat(), "clinic_id": feeds.sites[location_id],
        "case_id": f"stranger-{location_id[-5:]}",
        "patient": {"first_name": "Zed", "last_name": "Unknown", "birth_date": "1970-01-01", "chart_number": "none"}})
    feeds.unmatched.append(location_id)
