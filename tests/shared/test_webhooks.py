"""Standard Webhooks verification, pure: the published test vector, tolerance, several signatures, refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.webhooks import DeliveryRefused, fingerprint, integration_secret, sign, verify

# The Standard Webhooks specification's reference vector.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ID, STAMP, BODY = "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
THEN = datetime.fromtimestamp(STAMP + 30, tz=UTC)


def headers(signature: str = SIGNATURE, stamp: int = STAMP, webhook_id: str = ID) -> dict[str, str]:
    return {"webhook-id": webhook_id, "webhook-timestamp": str(stamp), "webhook-signature": signature}


def test_the_reference_vector_signs_and_verifies() -> None:
    assert sign(SECRET, webhook_id=ID, timestamp=STAMP, body=BODY) == SIGNATURE
    assert verify([SECRET], headers(), BODY, now=THEN) == 0


def test_any_of_several_signatures_and_secrets_verifies() -> None:
    other = integration_secret(b"k" * 32, org="acme", integration_id="i1", secret_id="s1")
    assert verify([other, SECRET], headers(f"v1,AAAA v2,xyz {SIGNATURE}"), BODY, now=THEN) == 1


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ2OE="}, 401, "webhook-signature"),
    ({"webhook-signature": "v2," + SIGNATURE[3:]}, 401, "webhook-signature"),
    ({"webhook-timestamp": str(STAMP + 1)}, 401, "webhook-signature"),
    ({"webhook-id": "msg_other"}, 401, "webhook-signature"),
    ({"webhook-timestamp": "yesterday"}, 400, "webhook-timestamp"),
    ({"webhook-id": ""}, 400, "webhook-id"),
])
def test_a_changed_header_is_refused_naming_it(change: dict[str, str], status: int, field: str) -> None:
    with pytest.raises(DeliveryRefused) as refused:
        verify([SECRET], headers() | change, BODY, now=THEN)
    assert (refused.value.status, refused.value.field) == (status, field)


def test_a_changed_body_is_refused() -> None:
    with pytest.raises(DeliveryRefused):
        verify([SECRET], headers(), b'{"test": 2432232315}', now=THEN)


@pytest.mark.parametrize("offset", [-301, 301])
def test_a_timestamp_more_than_five_minutes_off_is_refused(offset: int) -> None:
    now = datetime.fromtimestamp(STAMP - offset, tz=UTC)
    with pytest.raises(DeliveryRefused) as refused:
        verify([SECRET], headers(), BODY, now=now)
    assert (refused.value.status, refused.value.field) == (401, "webhook-timestamp")


def test_integration_secrets_differ_by_every_id_and_never_show_in_the_fingerprint() -> None:
    key = b"x" * 32
    secrets = {integration_secret(key, org=o, integration_id=i, secret_id=s)
               for o in ("a", "b") for i in ("i1", "i2") for s in ("s1", "s2")}
    assert len(secrets) == 8 and all(s.startswith("whsec_") for s in secrets)
    one = integration_secret(key, org="a", integration_id="i1", secret_id="s1")
    assert one not in fingerprint(one) and len(fingerprint(one)) == 12
    assert integration_secret(b"y" * 32, org="a", integration_id="i1", secret_id="s1") != one
