"""Which of a program's locations the caller may see: the org's, its regions' or its own."""

from __future__ import annotations

from sqlmodel import Session, col, select

from services.training.places.models import TrainingLocationRow
from shared.access import org_wide
from shared.auth import Principal


def visible_locations(session: Session, principal: Principal, program_id: str) -> list[str]:
    """Ids of the program's locations in the caller's scope."""
    query = select(TrainingLocationRow.id).where(TrainingLocationRow.org == principal.org,
                                                 TrainingLocationRow.program_id == program_id)
    if not org_wide(principal):
        if principal.role == "regional_admin":
            query = query.where(col(TrainingLocationRow.region).in_(principal.regions))
        else:
            query = query.where(col(TrainingLocationRow.id).in_(principal.locations))
    return list(session.exec(query).all())
