"""Verified tokens are remembered: one RS256 check per token, only until its `exp`, never for a different token.

The wrapped verification is the real one (development key under a temporary VAR_DIR),
counted so the tests see when it runs; the cache's clock is the only thing moved.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from shared.auth import AuthError, CachingTokenVerifier, Principal, TokenVerifier, VerifiedTokens, issue_token
from shared.config import PlatformSettings


class Counted:
    """The real TokenVerifier.verify, counting how often it runs."""

    def __init__(self, settings: PlatformSettings) -> None:
        self.verifier, self.calls = TokenVerifier(settings), 0

    def __call__(self, token: str) -> Principal:
        self.calls += 1
        return self.verifier.verify(token)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def settings(tmp_path: Path) -> PlatformSettings:
    return PlatformSettings(var_dir=tmp_path)


def token(settings: PlatformSettings, subject: str = "user-1", ttl_s: int = 3600) -> str:
    return issue_token(settings, org="acme", role="executive", subject=subject, ttl_s=ttl_s)


def test_a_token_is_verified_once_then_answered_from_memory(settings: PlatformSettings) -> None:
    verify = Counted(settings)
    tokens = VerifiedTokens(verify)
    bearer = token(settings)

    first, second = tokens.verify(bearer), tokens.verify(bearer)

    assert first == second and first.subject == "user-1"
    assert verify.calls == 1


def test_a_remembered_token_is_verified_again_once_its_exp_has_passed(settings: PlatformSettings) -> None:
    verify, clock = Counted(settings), Clock()
    tokens = VerifiedTokens(verify, max_age_s=10_000, clock=clock)
    bearer = token(settings, ttl_s=600)
    tokens.verify(bearer)

    clock.now += 599
    tokens.verify(bearer)
    assert verify.calls == 1
    clock.now += 2  # past exp: the leeway is the verifier's to grant, never the cache's
    tokens.verify(bearer)
    assert verify.calls == 2


def test_a_remembered_token_is_verified_again_after_max_age(settings: PlatformSettings) -> None:
    verify, clock = Counted(settings), Clock()
    tokens = VerifiedTokens(verify, max_age_s=300, clock=clock)
    bearer = token(settings)
    tokens.verify(bearer)

    clock.now += 301
    tokens.verify(bearer)

    assert verify.calls == 2


def test_a_token_with_another_signature_is_verified_and_refused(settings: PlatformSettings) -> None:
    verify = Counted(settings)
    tokens = VerifiedTokens(verify)
    bearer = token(settings)
    tokens.verify(bearer)
    header, claims, signature = bearer.split(".")
    forged = f"{header}.{claims}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"

    with pytest.raises(AuthError, match="signature"):
        tokens.verify(forged)
    assert verify.calls == 2


def test_a_refused_token_is_never_remembered(settings: PlatformSettings) -> None:
    verify = Counted(settings)
    tokens = VerifiedTokens(verify)
    other_key = PlatformSettings(var_dir=settings.var_dir / "elsewhere")

    for _ in range(2):
        with pytest.raises(AuthError):
            tokens.verify(token(other_key))
    assert verify.calls == 2


def test_memory_is_bounded_least_recently_used_first(settings: PlatformSettings) -> None:
    verify = Counted(settings)
    tokens = VerifiedTokens(verify, max_entries=2)
    a, b, c = (token(settings, subject=name) for name in ("a", "b", "c"))

    for bearer in (a, b, a, c):  # c evicts b, the least recently used
        tokens.verify(bearer)
    assert verify.calls == 3
    tokens.verify(a)
    assert verify.calls == 3
    assert tokens.verify(b).subject == "b"
    assert verify.calls == 4


def test_the_services_verifier_remembers_and_still_refuses_foreign_tokens(settings: PlatformSettings) -> None:
    verifier = CachingTokenVerifier(settings)
    bearer = token(settings)

    assert verifier.verify(bearer) == verifier.verify(bearer)
    with pytest.raises(AuthError, match="signature"):
        verifier.verify(token(PlatformSettings(var_dir=settings.var_dir / "elsewhere")))
