"""Schemathesis checks of our own (loaded through SCHEMATHESIS_HOOKS): every error has the one body."""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.check
def one_error_body(ctx: Any, response: Any, case: Any) -> None:
    """Every 4xx/5xx answer is `{"error": {"code", "message", ...}}` (JSON), whichever part produced it."""
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError as error:
        raise AssertionError(f"{response.status_code} without a JSON body: {response.text[:200]!r}") from error
    problem = body.get("error") if isinstance(body, dict) else None
    if not (isinstance(problem, dict) and isinstance(problem.get("code"), str)
            and isinstance(problem.get("message"), str)):
        raise AssertionError(f"{response.status_code} not in the one error body: {str(body)[:200]}")
    return None
