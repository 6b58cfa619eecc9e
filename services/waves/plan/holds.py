"""Incident holds, pure: an incident holds only its own location unless it is systemic.

A severity 1-2 incident open at a location holds that location's go-live (SoftSmile L253: each
location operates independently). An issue category open at two or more of the program's locations
is systemic and holds every wave with such a location, when the playbook says other locations
halt only then (`rollback.halt_other_locations_only_if_systemic`). Derived from the incidents as
they stand, so resolving them lifts the hold without a separate command.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from services.waves.evidence.build import utc
from services.waves.evidence.models import IncidentRow

SERIOUS = 2  # severities 1 (system down) and 2 (major workflow blocked)


@dataclass(frozen=True, slots=True)
class Holds:
    """Why locations and waves may not go live now, each with its reasons."""

    locations: dict[str, list[str]] = field(default_factory=dict)
    waves: dict[str, list[str]] = field(default_factory=dict)

    def of(self, location_id: str, wave: str | None) -> list[str]:
        return [*self.locations.get(location_id, []), *(self.waves.get(wave, []) if wave else [])]


def holds(incidents: Sequence[IncidentRow], wave_of: Mapping[str, str | None], at: datetime, *,
          systemic_halts_waves: bool = True) -> Holds:
    open_now = [i for i in incidents if i.kind == "incident" and utc(i.opened_at) <= at
                and (i.resolved_at is None or utc(i.resolved_at) > at)]
    found = Holds()
    for incident in sorted(open_now, key=lambda i: (i.opened_at, i.incident_id)):
        if incident.severity <= SERIOUS:
            found.locations.setdefault(incident.location_id, []).append(
                f"severity-{incident.severity} {incident.category} incident {incident.incident_id} open here")
    where: dict[str, set[str]] = {}
    for incident in open_now:
        where.setdefault(incident.category, set()).add(incident.location_id)
    if systemic_halts_waves:
        for category, locations in sorted(where.items()):
            if len(locations) < 2:
                continue
            for wave in sorted({w for loc in locations if (w := wave_of.get(loc))}):
                found.waves.setdefault(wave, []).append(
                    f"systemic {category} issue open at {len(locations)} locations")
    return found
