"""The baseline of the request-path benchmark: bare FastAPI + pydantic with our route shapes, nothing else.

    .venv/bin/python -m uvicorn bench.bare:app --port 8100 --no-access-log

No auth, no audit, no database, no event store: what the framework costs for a
location-shaped JSON answer and a validated body, served by the same uvicorn.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field

from shared.webhooks import DeliveryRefused, verify

Text = Annotated[str, Field(min_length=1, max_length=200)]
NOW = datetime(2025, 1, 6, 9, 30, tzinfo=UTC)


class LocationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    region: Text
    program_id: Text | None = None
    facts: dict[str, Any] = Field(default_factory=dict)


class LocationPublic(BaseModel):
    """The fields of readiness's `LocationPublic`, so the JSON has the same shape and size."""

    id: str
    name: str
    region: str
    program_id: str | None = None
    it_infrastructure: int | None = None
    staff_adaptability: int | None = None
    patient_volume: int | None = None
    tech_stack: int | None = None
    champion: int | None = None
    composite: int | None = None
    level: str | None = None
    recommended_wave: str | None = None
    assessor: str | None = None
    method: str | None = None
    scored_at: datetime | None = None
    registered_at: datetime
    updated_at: datetime | None = None
    version: int = 0
    facts: dict[str, Any] = {}


FACTS: dict[str, Any] = {
    "internet_down_mbps": 300, "internet_up_mbps": 40, "pms": "dentrix", "scanner": "itero",
    "monthly_aligner_starts": 18, "staff_turnover_pct": 12, "prior_tech_adoption": "embraced",
}
app = FastAPI(title="bare baseline")


@app.get("/api/v1/locations/{location_id}", response_model=LocationPublic)
async def get_location(location_id: str) -> LocationPublic:
    """A scored location, built in memory."""
    return LocationPublic(
        id=location_id, name="Smile Dental Harbor #17", region="north", program_id="prog-1", it_infrastructure=4,
        staff_adaptability=3, patient_volume=4, tech_stack=5, champion=4, composite=20, level="high",
        recommended_wave="wave-1", assessor="regional manager", method="assessed", scored_at=NOW,
        registered_at=NOW, updated_at=NOW, version=4, facts=FACTS,
    )


@app.post("/api/v1/locations", status_code=status.HTTP_201_CREATED, response_model=LocationPublic)
async def register_location(body: LocationCreate) -> LocationPublic:
    """Validates the body and echoes it as a new location."""
    return LocationPublic(id="01JBENCHBARE0000000000000", registered_at=NOW, **body.model_dump())


# A bare signed POST: the same Standard Webhooks verification (one secret), nothing stored.
BARE_WEBHOOK_SECRET = "whsec_" + "QmFyZUJlbmNoU2VjcmV0Rm9yV2ViaG9va3M="


@app.post("/webhooks/{source}/{integration_id}", status_code=status.HTTP_202_ACCEPTED)
async def receive_webhook(source: str, integration_id: str, request: Request) -> dict[str, Any]:
    body = await request.body()
    now = datetime.now(UTC)
    try:
        verify([BARE_WEBHOOK_SECRET], {k.lower(): v for k, v in request.headers.items()}, body, now=now)
    except DeliveryRefused as refused:
        raise HTTPException(refused.status, refused.reason) from None
    return {"status": "accepted", "webhook_id": request.headers["webhook-id"], "integration_id": integration_id}
