"""Readiness test data: facts that score as the SoftSmile sample matrix, and programs made of waves events."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import FastAPI

from services.readiness.programs.projections import ProgramsProjection
from shared.contracts.readiness import FACTORS
from shared.contracts.waves import PlaybookOverridden, ProgramCreated
from shared.events import AggregateRef, Metadata, new_id
from shared.eventstore.jetstream import JetStreamEventStore
from shared.playbooks import get_template

# SoftSmile seed §3 sample matrix (L179-184): expected scores, composite, level, wave.
SAMPLE = {
    "Location A": ((5, 4, 4, 5, 5), 23, "high", "wave-1"),
    "Location B": ((4, 4, 5, 4, 4), 21, "high", "wave-1"),
    "Location C": ((3, 3, 3, 4, 3), 16, "medium_high", "wave-2"),
    "Location D": ((2, 2, 2, 3, 2), 11, "low", "remediation"),
}

# Facts chosen so the SoftSmile rubric (L131-170) gives exactly the sample scores above.
SAMPLE_FACTS: dict[str, dict[str, Any]] = {
    "Location A": {  # IT 5 fiber/150/1y/current/managed; staff 4; volume 4 (60, moderate ops); tech 5; champion 5
        "internet_type": "fiber", "internet_down_mbps": 150, "hardware_age_years": 1, "pms_versions_behind": 0,
        "it_managed": True, "pms_supported": True,
        "staff_turnover_pct": 15, "prior_tech_adoption": "adequate", "staff_tech_culture": "neutral",
        "monthly_aligner_starts": 60, "ops_strength": "moderate",
        "scanner_compatibility": "certified", "pms_integration": "native", "cloud_imaging": True,
        "provider_champion": True, "om_champion": True, "champion_commitment": "committed",
    },
    "Location B": {  # IT 4 (cable 60 Mbps, 2y); staff 4; volume 5 (70, strong ops); tech 4; champion 4
        "internet_type": "cable", "internet_down_mbps": 60, "hardware_age_years": 2, "pms_versions_behind": 1,
        "pms_supported": True,
        "staff_turnover_pct": 18, "prior_tech_adoption": "successful", "staff_tech_culture": "neutral",
        "monthly_aligner_starts": 70, "ops_strength": "strong",
        "scanner_compatibility": "compatible", "pms_integration": "available", "cloud_imaging": False,
        "provider_champion": True, "om_champion": False, "champion_commitment": "committed",
    },
    "Location C": {  # IT 3 (30 Mbps, 4y); staff 3; volume 3 (30); tech 4; champion 3 (willing)
        "internet_type": "dsl", "internet_down_mbps": 30, "hardware_age_years": 4, "pms_versions_behind": 1,
        "pms_supported": True,
        "staff_turnover_pct": 25, "prior_tech_adoption": "mixed", "staff_tech_culture": "neutral",
        "monthly_aligner_starts": 30, "ops_strength": "moderate",
        "scanner_compatibility": "compatible", "pms_integration": "available",
        "provider_champion": False, "om_champion": False, "champion_commitment": "willing",
    },
    "Location D": {  # IT 2 (15 Mbps, 5y); staff 2 (40%, resisted); volume 2 (12); tech 3 (middleware); champion 2
        "internet_type": "dsl", "internet_down_mbps": 15, "hardware_age_years": 5, "pms_versions_behind": 2,
        "pms_supported": True,
        "staff_turnover_pct": 40, "prior_tech_adoption": "resisted",
        "monthly_aligner_starts": 12, "ops_strength": "weak",
        "scanner_compatibility": "compatible", "pms_integration": "middleware",
        "champion_commitment": "none", "active_staff_resistance": False,
    },
}


def scores(values: tuple[int, ...]) -> dict[str, int]:
    return dict(zip(FACTORS, values, strict=True))


async def create_program(app: FastAPI, org: str, template: str = "softsmile-dso") -> str:
    """Append `ProgramCreated` as the waves service would, and wait until readiness has projected it."""
    runtime = app.state.runtime
    program_id = new_id()
    event = ProgramCreated(
        program_id=program_id, name=f"{template} rollout", playbook_id=template, playbook_version="1.0.0",
        start_date=date(2025, 1, 6), playbook=get_template(template).model_dump(mode="json"), created_by="cdo",
    )
    ref = AggregateRef(org, "waves", "program", program_id)
    store = JetStreamEventStore(runtime.nc)
    [stored] = await store.append(ref, [event.to_new_event()], expected=(await store.load(ref)).revision,
                                  meta=Metadata(actor="super_admin:cdo"))
    await runtime.runners[ProgramsProjection.name].wait_for(stored.sequence)
    return program_id


async def override(app: FastAPI, org: str, program_id: str, path: str, value: Any, version: int) -> None:
    """Append `PlaybookOverridden` for a program and wait until readiness has applied it."""
    runtime = app.state.runtime
    ref = AggregateRef(org, "waves", "program", program_id)
    store = JetStreamEventStore(runtime.nc)
    event = PlaybookOverridden(program_id=program_id, path=path, value=value, previous=None, reason="test",
                               overridden_by="vp-ops", override_version=version)
    [stored] = await store.append(ref, [event.to_new_event()], expected=(await store.load(ref)).revision,
                                  meta=Metadata(actor="super_admin:vp-ops"))
    await runtime.runners[ProgramsProjection.name].wait_for(stored.sequence)
