"""The readiness workload: realistic location events, and the exact messages the store publishes for them.

Payloads follow SPEC §3 (a location's facts; five factor scores). Metadata looks like an
HTTP command's (command id, request id, W3C traceparent, actor), so headers have
production sizes.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from services.readiness.scoring.domain import assess
from shared.contracts.readiness import FACTORS, LocationRegistered, LocationScored
from shared.events import AggregateRef, Metadata, NewEvent, new_id, record
from shared.eventstore.base import NEW, Revision, message_id

ORG = "benchorg"
REGIONS = ("north", "south", "east", "west", "central", "coastal")
PMS = (("Dentrix", "G7.4"), ("Eaglesoft", "22"), ("Open Dental", "23.1"))
SCANNERS = (("iTero", "6.2"), ("3Shape TRIOS", "2.1"), ("Medit", "3.1"), ("Carestream", "3600"))


@dataclass(frozen=True, slots=True)
class Message:
    """One JetStream publish: what the baseline sends and what the store would send."""

    subject: str
    payload: bytes
    headers: dict[str, str]


def location_ref(location_id: str) -> AggregateRef:
    return AggregateRef(ORG, "readiness", "location", location_id)


def command_meta(command: str, rng: random.Random) -> Metadata:
    """Metadata as `shared.app.command_metadata` builds it for an HTTP command."""
    return Metadata(
        command_id=f"{command}:{new_id()}",
        correlation_id=new_id(),
        traceparent=f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01",
        actor=f"regional_admin:user-{rng.randrange(1000)}",
    )


def facts(rng: random.Random) -> dict[str, object]:
    """A location's facts (SPEC §3): about twenty fields, ~700 bytes of JSON."""
    pms, pms_version = rng.choice(PMS)
    scanner, scanner_version = rng.choice(SCANNERS)
    return {
        "geo": {"lat": round(rng.uniform(25, 48), 5), "lon": round(rng.uniform(-123, -70), 5)},
        "practice_type": rng.choice(["gp", "ortho_specialty", "multi_specialty"]),
        "setting": rng.choice(["urban", "suburban", "rural"]),
        "monthly_aligner_starts": rng.randrange(2, 60),
        "ops_strength": rng.choice(["strong", "average", "weak"]),
        "internet": {"down_mbps": rng.randrange(10, 1000), "up_mbps": rng.randrange(5, 500),
                     "latency_ms": rng.randrange(8, 180)},
        "hardware_age_years": rng.randrange(0, 8),
        "pms": {"name": pms, "version": pms_version},
        "scanner": {"name": scanner, "version": scanner_version},
        "staff_turnover_pct": rng.randrange(0, 60),
        "prior_tech_adoption": rng.choice(["successful", "mixed", "failed", "none"]),
        "champion": {"provider": rng.random() < 0.6, "office_manager": rng.random() < 0.5,
                     "commitment": rng.choice(["high", "medium", "low"]), "volunteered": rng.random() < 0.3},
        "om_capacity": rng.choice(["available", "limited", "none"]),
        "major_change": rng.choice([None, "renovation", "provider_transition"]),
        "distance_to_regional_manager_km": rng.randrange(1, 400),
        "notes": "Front desk on Dentrix since 2019; two hygienists part-time; parking shared with pharmacy.",
    }


def registered(location_id: str, rng: random.Random) -> NewEvent:
    return LocationRegistered(
        location_id=location_id,
        name=f"Smile Dental {rng.choice(['Elm St', 'Harbor', 'Lakeside', 'Midtown'])} #{rng.randrange(10_000)}",
        region=rng.choice(REGIONS),
        program_id=f"prog-{rng.randrange(5)}",
        facts=facts(rng),
    ).to_new_event()


def scored(location_id: str, rng: random.Random) -> NewEvent:
    scores = {factor: rng.randint(1, 5) for factor in FACTORS}
    readiness = assess(scores)
    return LocationScored(
        location_id=location_id,
        scores=scores,
        composite=readiness.composite,
        level=readiness.level,  # type: ignore[arg-type]
        recommended_wave=readiness.recommended_wave,  # type: ignore[arg-type]
        assessor="regional manager",
        reason="quarterly reassessment after site visit",
    ).to_new_event()


def message(ref: AggregateRef, event: NewEvent, meta: Metadata, expected: Revision = NEW) -> Message:
    """What `JetStreamEventStore.append` publishes for one event (mirrors its header logic)."""
    [recorded] = record(ref, [event], version=expected.version, meta=meta)
    headers = recorded.headers() | {
        "Nats-Expected-Last-Subject-Sequence": str(expected.sequence),
        "Nats-Expected-Last-Subject-Sequence-Subject": ref.filter,
        "Nats-Msg-Id": message_id(ref, meta.command_id, 0),
    }
    return Message(recorded.subject, recorded.payload(), headers)
