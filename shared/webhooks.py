"""Standard Webhooks: verifying a delivery, signing one (tests, the demo), and integration secrets.

A delivery carries `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`: one or
more space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under the integration's secret
(`whsec_` + base64). The HMAC itself is the `standardwebhooks` reference library's; verification is
ours so the clock is a parameter (the published test vector is years old) and every refusal names
its reason. Signatures are compared in constant time; the timestamp must lie within five minutes.

An integration's secret is never stored or sent in an event: it derives from the platform's
`WEBHOOK_SIGNING_KEY` and the integration's id and secret id (HMAC), so metrics can show it once at
registration and the gateway can verify with it, and a rotation is just a new secret id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

from shared.config import PlatformSettings
from shared.keys import platform_key

KEY_FILE = "webhook-signing.key"
TOLERANCE_S = 300
SECRET_PREFIX = "whsec_"
HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


class DeliveryRefused(Exception):
    """A delivery that does not verify; `status` is the answer (400 malformed, 401 not ours)."""

    def __init__(self, status: int, reason: str, *, field: str | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.field = status, reason, field


@dataclass(frozen=True, slots=True)
class Delivery:
    """The verified envelope of one delivery."""

    webhook_id: str
    timestamp: datetime


def signing_key(settings: PlatformSettings) -> bytes:
    return platform_key(settings.webhook_signing_key, settings.key_dir(), KEY_FILE, setting="WEBHOOK_SIGNING_KEY")


def integration_secret(key: bytes, *, org: str, integration_id: str, secret_id: str) -> str:
    """The `whsec_` secret of one integration's secret id (24 bytes, as Standard Webhooks suggests)."""
    raw = hmac.new(key, f"webhook-secret\x1f{org}\x1f{integration_id}\x1f{secret_id}".encode(), hashlib.sha256)
    return SECRET_PREFIX + base64.b64encode(raw.digest()[:24]).decode()


def fingerprint(secret: str) -> str:
    """Names a secret without revealing it (shown in lists, carried in events)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def sign(secret: str, *, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for `body` (one `v1` signature)."""
    stamp = datetime.fromtimestamp(timestamp, tz=UTC)
    return Webhook(secret).sign(msg_id=webhook_id, timestamp=stamp, data=body.decode())


def signed_headers(secret: str, *, webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {"webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, webhook_id=webhook_id, timestamp=timestamp, body=body),
            "content-type": "application/json"}


def envelope(headers: Mapping[str, str], *, now: datetime) -> Delivery:
    """The id and timestamp, checked for presence, shape and freshness (before any secret is tried)."""
    for name in HEADERS:
        if not headers.get(name):
            raise DeliveryRefused(400, f"header {name} is required (Standard Webhooks)", field=name)
    webhook_id = headers["webhook-id"]
    if len(webhook_id) > 256 or not webhook_id.isprintable():
        raise DeliveryRefused(400, "header webhook-id must be printable and at most 256 characters",
                              field="webhook-id")
    try:
        seconds = int(headers["webhook-timestamp"])
    except ValueError:
        raise DeliveryRefused(400, "header webhook-timestamp must be Unix seconds", field="webhook-timestamp") from None
    if abs(now.timestamp() - seconds) > TOLERANCE_S:
        raise DeliveryRefused(401, f"header webhook-timestamp is more than {TOLERANCE_S} s from now (replay?)",
                              field="webhook-timestamp")
    return Delivery(webhook_id, datetime.fromtimestamp(seconds, tz=UTC))


def _signatures(header: str) -> list[bytes]:
    found = []
    for part in header.split():
        version, _, value = part.partition(",")
        if version != "v1" or not value:
            continue
        try:
            found.append(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            continue
    return found


def verify(secrets: Iterable[str], headers: Mapping[str, str], body: bytes, *, now: datetime) -> int:
    """Which of `secrets` signed this delivery (its index), else `DeliveryRefused` (401)."""
    delivery = envelope(headers, now=now)
    given = _signatures(headers["webhook-signature"])
    if not given:
        raise DeliveryRefused(401, "header webhook-signature holds no v1 signature", field="webhook-signature")
    stamp = int(delivery.timestamp.timestamp())
    for index, secret in enumerate(secrets):
        expected = base64.b64decode(sign(secret, webhook_id=delivery.webhook_id, timestamp=stamp, body=body)[3:])
        if any(hmac.compare_digest(expected, signature) for signature in given):
            return index
    raise DeliveryRefused(401, "webhook-signature does not match this integration's secret", field="webhook-signature")
