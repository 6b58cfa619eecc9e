"""The audit key: what makes a chain entry unforgeable by anyone who can merely publish on NATS.

Production sets `GATEWAY_AUDIT_KEY` (a secret of at least 32 characters, from the
secret store) or `GATEWAY_AUDIT_KEY_FILE`; in development a random key is created once
under `var/keys/`, beside the development token-signing key. The gateway and
`rollout audit verify` read the same setting.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from services.gateway.config import GatewaySettings

DEV_KEY = "audit-chain.key"
MIN_KEY_BYTES = 32


class AuditKeyInvalid(ValueError):
    """The configured audit key is too short to be a secret."""


def audit_key(settings: GatewaySettings) -> bytes:
    """The configured key, else the development key under `var/keys/` (created on first use)."""
    if settings.audit_key is not None:
        key = settings.audit_key.get_secret_value().encode()
    else:
        key = _key_file(settings.audit_key_file or settings.key_dir() / DEV_KEY).read_bytes().strip()
    if len(key) < MIN_KEY_BYTES:
        raise AuditKeyInvalid(f"the audit key must be at least {MIN_KEY_BYTES} bytes (GATEWAY_AUDIT_KEY)")
    return key


def _key_file(path: Path) -> Path:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32) + "\n")
        path.chmod(0o600)
    return path
