"""The audit key: what makes a chain entry unforgeable by anyone who can merely publish on NATS.

Production sets `GATEWAY_AUDIT_KEY` (a secret of at least 32 characters, from the
secret store) or `GATEWAY_AUDIT_KEY_FILE`; in development a random key is created once
under `var/keys/`, beside the development token-signing key. The gateway and
`rollout audit verify` read the same setting.
"""

from __future__ import annotations

from services.gateway.config import GatewaySettings
from shared.keys import MIN_KEY_BYTES, ensure_key_file

DEV_KEY = "audit-chain.key"


class AuditKeyInvalid(ValueError):
    """The configured audit key is too short to be a secret."""


def audit_key(settings: GatewaySettings) -> bytes:
    """The configured key, else the development key under `var/keys/` (created on first use)."""
    if settings.audit_key is not None:
        key = settings.audit_key.get_secret_value().encode()
    else:
        path = settings.audit_key_file or settings.key_dir() / DEV_KEY
        key = ensure_key_file(path.parent, path.name).read_bytes().strip()
    if len(key) < MIN_KEY_BYTES:
        raise AuditKeyInvalid(f"the audit key must be at least {MIN_KEY_BYTES} bytes (GATEWAY_AUDIT_KEY)")
    return key
