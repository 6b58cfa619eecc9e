"""Which wave each location is in: readiness's recommendation, the confirmed pilot set, the waves' capacity.

Pure. The pilot wave holds the confirmed pilot set when there is one; every other location starts
in its recommended wave; a wave over its playbook capacity (its phase's `locations.max`) keeps the
highest composites and the rest wait for the next wave, with the reason. Locations that went live
stay in the wave they went live in. Remediation locations stay unscheduled, with the scores that
hold them back.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from shared.errors import DomainError
from shared.playbooks import PlaybookTemplate
from shared.playbooks.rubric import REMEDIATION


@dataclass(frozen=True, slots=True)
class Candidate:
    """A location of the program as readiness scored it (None: not scored yet)."""

    location_id: str
    composite: int | None = None
    recommended_wave: str | None = None
    scores: dict[str, int] = field(default_factory=dict)
    pilot: bool = False
    live_wave: str | None = None


@dataclass(frozen=True, slots=True)
class Placement:
    """A location's wave (None: unscheduled) and why."""

    location_id: str
    wave: str | None
    reason: str
    composite: int | None = None
    blocking_scores: dict[str, int] = field(default_factory=dict)


def capacities(playbook: PlaybookTemplate) -> dict[str, int | None]:
    """Each wave's maximum number of locations (None: the remaining ones, no limit)."""
    limits: dict[str, int | None] = {}
    for rule in playbook.waves:
        spec = playbook.phase(rule.key).locations
        limits[rule.key] = spec.max if spec is not None and spec.scope == "count" else None
    return limits


def _blocking(playbook: PlaybookTemplate, candidate: Candidate) -> tuple[str, dict[str, int]]:
    """Why a remediation location waits: its composite vs the lowest scheduled range, its weakest factors."""
    scheduled = [t.min for t in playbook.readiness.thresholds if t.recommended_wave != REMEDIATION]
    floor = min(scheduled) if scheduled else 0
    # A factor below the average a schedulable composite needs holds the location back.
    needed = floor / max(len(candidate.scores), 1)
    blocking = {factor: score for factor, score in sorted(candidate.scores.items()) if score < needed}
    named = ", ".join(f"{factor} {score}" for factor, score in blocking.items()) or "none below average"
    return f"remediation: composite {candidate.composite} below {floor}; blocking scores: {named}", blocking


def assign(playbook: PlaybookTemplate, candidates: list[Candidate], *, pilot_confirmed: bool,
           limits: dict[str, int | None] | None = None) -> list[Placement]:
    """Every candidate's placement, in the order given (`limits`: other wave capacities, for a what-if)."""
    order = [rule.key for rule in playbook.waves]
    pilot_wave = next((rule.key for rule in playbook.waves if rule.pilot), None)
    limits = capacities(playbook) | (limits or {})
    placed: dict[str, Placement] = {}
    desired: dict[str, tuple[str, str]] = {}
    for c in candidates:
        if c.live_wave is not None:
            placed[c.location_id] = Placement(c.location_id, c.live_wave, f"live in {c.live_wave}", c.composite)
        elif c.composite is None or c.recommended_wave is None:
            placed[c.location_id] = Placement(c.location_id, None, "not scored yet")
        elif pilot_confirmed and pilot_wave is not None and c.pilot:
            desired[c.location_id] = (pilot_wave, "confirmed pilot set")
        elif c.recommended_wave == REMEDIATION:
            reason, blocking = _blocking(playbook, c)
            placed[c.location_id] = Placement(c.location_id, None, reason, c.composite, blocking)
        elif c.recommended_wave not in order:
            placed[c.location_id] = Placement(c.location_id, None, f"unknown wave {c.recommended_wave}", c.composite)
        elif pilot_confirmed and c.recommended_wave == pilot_wave:
            following = order[order.index(pilot_wave) + 1] if len(order) > 1 else pilot_wave
            desired[c.location_id] = (following, f"recommended {pilot_wave}, not in the confirmed pilot set")
        else:
            desired[c.location_id] = (c.recommended_wave, f"recommended {c.recommended_wave} (composite {c.composite})")
    by_id = {c.location_id: c for c in candidates}
    for index, wave in enumerate(order):
        members = sorted((i for i, (w, _) in desired.items() if w == wave),
                         key=lambda i: (-(by_id[i].composite or 0), i))
        live = sum(1 for p in placed.values() if p.wave == wave)
        limit = limits[wave]
        room = len(members) if limit is None else max(limit - live, 0)
        for position, location_id in enumerate(members):
            if position < room or index == len(order) - 1:
                reason = desired[location_id][1]
                placed[location_id] = Placement(location_id, wave, reason, by_id[location_id].composite)
            else:
                nxt = order[index + 1]
                desired[location_id] = (nxt, f"{wave} full (capacity {limit}): composite "
                                              f"{by_id[location_id].composite} waits for {nxt}")
    return [placed[c.location_id] for c in candidates]


def simulated(playbook: PlaybookTemplate, candidates: list[Candidate], *, pilot_confirmed: bool,
              capacity: dict[str, int | None], waves: dict[str, str], pilot: list[str] | None) -> list[Placement]:
    """The plan under another composition: capacities, locations moved to a wave, another pilot set (pure)."""
    order = [rule.key for rule in playbook.waves]
    for wave in capacity:
        if wave not in order:
            raise DomainError(f"wave must be one of {', '.join(order)}", field=f"capacity.{wave}")
    known = {c.location_id for c in candidates}
    for location_id, wave in waves.items():
        if location_id not in known:
            raise DomainError(f"location {location_id} is not in the program", field=f"waves.{location_id}")
        if wave not in order:
            raise DomainError(f"wave must be one of {', '.join(order)}", field=f"waves.{location_id}")
    for index, location_id in enumerate(pilot or ()):
        if location_id not in known:
            raise DomainError(f"location {location_id} is not in the program", field=f"pilot_location_ids[{index}]")
    moved = [replace(c, recommended_wave=waves.get(c.location_id, c.recommended_wave),
                     composite=c.composite if c.composite is not None or c.location_id not in waves else 0,
                     pilot=c.pilot if pilot is None else c.location_id in pilot) for c in candidates]
    return assign(playbook, moved, pilot_confirmed=pilot_confirmed or pilot is not None, limits=capacity)
