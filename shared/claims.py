"""The claims a token must carry, with exact types: checked after the signature, before anyone trusts them.

A verified signature says who issued a token, not that its claims make sense: an
identity provider misconfigured (or a development key misused) can sign `org: 123`,
`regions: "north"` (which would be read letter by letter) or an `exp` centuries away.
Every claim we act on is therefore validated strictly here — no coercion, patterns
and bounds — and a token that fails is refused with the claim named (401).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

MAX_TOKEN_BYTES = 8192  # an ID-provider access token is 1-2 KB; this bounds the work a caller can make us do
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Moment = Annotated[int | float, Field(ge=0)]


class InvalidClaims(ValueError):
    """A claim is missing, of the wrong type, or out of bounds (the message names it)."""


class TokenClaims(BaseModel):
    """Our claims, under our names; others (iss, aud, ...) are checked by the JWT library and ignored here."""

    model_config = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False, frozen=True)

    sub: Name
    org: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$", max_length=64)]
    # A string, or a list (Azure AD app roles); which of ours it names is decided by the verifier.
    role: Name | Annotated[list[Name], Field(max_length=50)]
    regions: Annotated[list[Name], Field(max_length=100)] = []
    locations: Annotated[list[Name], Field(max_length=1000)] = []
    exp: int
    iat: Moment | None = None
    nbf: Moment | None = None
    sid: Name | None = None


def strict_claims(
    claims: Mapping[str, Any], *, org_claim: str, role_claim: str, session_claim: str, max_lifetime_s: int,
    leeway_s: int, now: float | None = None,
) -> TokenClaims:
    """The claims, renamed from the identity provider's names to ours and validated; InvalidClaims otherwise."""
    ours = dict(claims)
    for name, theirs in (("org", org_claim), ("role", role_claim), ("sid", session_claim)):
        ours.pop(name, None)
        if theirs in claims:
            ours[name] = claims[theirs]
    try:
        valid = TokenClaims.model_validate(ours)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidClaims(f"token claim {where}: {first['msg']}") from None
    latest = (time.time() if now is None else now) + max_lifetime_s + leeway_s
    if valid.exp > latest:
        raise InvalidClaims(f"token claim exp: more than {max_lifetime_s} s in the future")
    return valid
