"""Who is acting: a verified caller, or the platform itself. Pure data, so domain code may name it."""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("super_admin", "executive", "regional_admin", "location_admin", "provider", "treatment_coordinator")
# The platform acting on events (a reaction), never a role a token can carry.
SYSTEM_ROLE = "system"

@dataclass(frozen=True, slots=True)
class Principal:
    """The verified caller."""

    subject: str
    org: str
    role: str
    regions: tuple[str, ...] = field(default=())
    locations: tuple[str, ...] = field(default=())
    # A browser login's session id (OIDC `sid`); tokens of integrations carry none.
    session_id: str | None = None
    issued_at: int | None = None

    @classmethod
    def system(cls, org: str, actor: str) -> Principal:
        """The platform itself, acting in `org` on behalf of reaction `actor`."""
        return cls(subject=actor, org=org, role=SYSTEM_ROLE)
