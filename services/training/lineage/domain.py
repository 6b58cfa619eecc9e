"""The champion model, pure: were a later wave's staff trained by certified champions of an earlier wave?

SoftSmile's wave 2→3 gate asks whether "Wave 1 champions successfully trained Wave 2 staff"; the
seed's week 8 has certified Wave 1 champions train the Wave 2 locations, whose own (then certified)
champions train their staff. So a location of a later wave is validated when every person trained
there was trained by a certified champion, and at least one of those trainers came from a location
of an earlier wave. A location of the first wave has nothing earlier and is never evidenced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.training import ChampionModelEvidenced


@dataclass(frozen=True, slots=True)
class Taught:
    """One completion at the location: who was trained, by whom, and whether the trainer was a certified champion."""

    staff_id: str
    trainer_staff_id: str | None
    trainer_location_id: str | None
    trainer_certified_champion: bool


def earlier(wave: str | None, than: str, order: Sequence[str]) -> bool:
    """Whether `wave` comes before `than` in the playbook's wave order (unknown waves never do)."""
    return wave in order and than in order and order.index(wave) < order.index(than)


def champion_model(
    *, location_id: str, program_id: str, wave: str, taught: Sequence[Taught], wave_of: Mapping[str, str | None],
    order: Sequence[str], as_of: datetime,
) -> ChampionModelEvidenced | None:
    """The location's evidence, or None where the location is in the first wave (or no known wave)."""
    if wave not in order or order.index(wave) == 0:
        return None
    trained = {t.staff_id for t in taught}
    by_champions = {t.staff_id for t in taught if t.trainer_certified_champion}
    by_earlier = {t.staff_id for t in taught if t.trainer_certified_champion
                  and earlier(wave_of.get(t.trainer_location_id or ""), wave, order)}
    trainers = sorted({t.trainer_staff_id for t in taught if t.trainer_certified_champion and t.trainer_staff_id})
    reason = None
    if not trained:
        reason = "no staff trained at this location yet"
    elif by_champions != trained:
        reason = (f"{len(trained - by_champions)} of {len(trained)} trained staff were not trained by a "
                  "certified champion")
    elif not by_earlier:
        reason = "no one here was trained by a certified champion of an earlier wave"
    return ChampionModelEvidenced(
        location_id=location_id, program_id=program_id, wave=wave, validated=reason is None,
        staff_trained=len(trained), trained_by_certified_champions=len(by_champions),
        trained_by_earlier_wave_champions=len(by_earlier), trainer_staff_ids=trainers, reason=reason, as_of=as_of,
    )


@dataclass(frozen=True, slots=True)
class Evidenced:
    """The location's last published champion-model evidence."""

    last: ChampionModelEvidenced | None = None


@dataclass(frozen=True, slots=True)
class PublishChampionModel:
    """Publish the location's evidence unless it says what was last published."""

    evidence: ChampionModelEvidenced


def _figures(event: ChampionModelEvidenced | None) -> dict[str, object] | None:
    return None if event is None else event.model_dump(mode="json", exclude={"as_of"})


def decide(state: Evidenced, command: PublishChampionModel) -> list[DomainEvent]:
    return [] if _figures(state.last) == _figures(command.evidence) else [command.evidence]


def evolve(state: Evidenced, event: DomainEvent) -> Evidenced:
    return Evidenced(event) if isinstance(event, ChampionModelEvidenced) else state


champion_evidence = Aggregate(initial=Evidenced, decide=decide, evolve=evolve)
