"""Patient matching at a location, pure: a delivery's patient against the PMS patients known there.

Per the location's setting:
- `name_dob_chart`: last name, first name, date of birth and chart number all equal (normalised);
- `chart`: the chart number equal;
- `fuzzy`: the date of birth equal and the names similar (RapidFuzz token-sort ratio ≥ the threshold),
  for typos, swapped name order and accents between the scanner and the PMS.
Two or more different PMS patients matching is a duplicate-patient finding, never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from services.metrics.cases.pseudonyms import normalised
from services.metrics.intake.adapters.base import PatientFields


@dataclass(frozen=True, slots=True)
class Candidate:
    """A PMS patient known at the location (its PMS id, which integration sent it, and who they are)."""

    integration_id: str
    patient_ref: str
    patient: PatientFields


@dataclass(frozen=True, slots=True)
class Match:
    found: Candidate | None
    reason: str | None = None  # unmatched_patient | ambiguous_patient
    detail: str = ""
    score: float | None = None


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and normalised(a) == normalised(b)


def _name(fields: PatientFields) -> str:
    return normalised(f"{fields.first_name or ''} {fields.last_name or ''}")


def _identity(candidate: Candidate) -> tuple[str, ...]:
    fields = candidate.patient
    if fields.chart_number:
        return ("chart", normalised(fields.chart_number))
    return ("person", _name(fields), str(fields.birth_date))


def match(given: PatientFields, known: Sequence[Candidate], *, mode: str, threshold: float) -> Match:
    scored: list[tuple[float, Candidate]] = []
    if mode == "chart":
        if not given.chart_number:
            return Match(None, "unmatched_patient", "matching by chart number, and the delivery has none")
        scored = [(100.0, c) for c in known if _same(c.patient.chart_number, given.chart_number)]
    elif mode == "fuzzy":
        if given.birth_date is None or not (given.last_name or given.first_name):
            return Match(None, "unmatched_patient", "fuzzy matching needs a name and a date of birth")
        wanted = _name(given)
        for candidate in known:
            if candidate.patient.birth_date != given.birth_date:
                continue
            score = fuzz.token_sort_ratio(wanted, _name(candidate.patient))
            if score >= threshold:
                scored.append((score, candidate))
    else:
        if not (given.chart_number and given.last_name and given.first_name and given.birth_date):
            return Match(None, "unmatched_patient",
                         "matching by name, date of birth and chart number, and the delivery lacks one of them")
        scored = [(100.0, c) for c in known
                  if _same(c.patient.last_name, given.last_name) and _same(c.patient.first_name, given.first_name)
                  and c.patient.birth_date == given.birth_date
                  and _same(c.patient.chart_number, given.chart_number)]
    people = {_identity(c) for _, c in scored}
    if not scored:
        return Match(None, "unmatched_patient", f"no PMS patient at this location matches ({mode})")
    if len(people) > 1:
        return Match(None, "ambiguous_patient",
                     f"{len(people)} different PMS patients match ({mode}): possible duplicate patient records")
    score, best = max(scored, key=lambda pair: pair[0])
    return Match(best, score=score)
