"""Which events a caller may see on the live stream; pure.

Org-wide roles see every event of their org. Below them an event is shown when
it names (in `location_id`, `location_ids` or `region`) a location or region in
the caller's scope, or when it names none (program-level facts, the same for
everyone in the org). A regional admin's locations are those the readiness
service lists for it at connect time, plus any registered in (or moved to) its
regions later, minus any moved out of them: from the move on, nothing of that
location is shown (the stream says `out_of_scope` with its id, so a screen can drop it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shared.access import org_wide
from shared.auth import Principal


class Visibility:
    """The caller's scope, learning new locations of its regions as they are registered."""

    def __init__(self, *, everything: bool, locations: Iterable[str] = (), regions: Iterable[str] = ()) -> None:
        self.everything = everything
        self.locations = set(locations)
        self.regions = frozenset(regions)
        self.departed: set[str] = set()  # moved out of the caller's regions by the last event admitted or not

    @classmethod
    def of(cls, principal: Principal, region_locations: Iterable[str] = ()) -> Visibility:
        if org_wide(principal):
            return cls(everything=True)
        if principal.role == "regional_admin":
            return cls(everything=False, locations=region_locations, regions=principal.regions)
        return cls(everything=False, locations=principal.locations)

    def admits(self, data: Mapping[str, Any]) -> bool:
        """Whether an event with this payload may be shown."""
        if self.everything:
            return True
        named = {data["location_id"]} if isinstance(data.get("location_id"), str) else set()
        named |= {x for x in data.get("location_ids") or () if isinstance(x, str)}
        changes = data.get("changes")
        changes = changes if isinstance(changes, dict) else {}
        regions = {r for r in (data.get("region"), changes.get("region")) if isinstance(r, str)}
        if not named and not regions:
            return True
        if regions & self.regions:
            self.locations |= named  # a location registered in (or moved to) one of our regions
            return True
        if regions and self.regions:  # placed in a region that is not ours: out of a regional admin's scope
            self.departed = named & self.locations
            self.locations -= named
            return False
        return bool(named & self.locations)

    def take_departures(self) -> set[str]:
        """Locations the last event moved out of the caller's scope (each reported once)."""
        departed, self.departed = self.departed, set()
        return departed
