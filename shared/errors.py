"""Domain errors every service raises; the HTTP edge maps them in one place."""

from __future__ import annotations


class DomainError(Exception):
    """A command the domain refuses. `code` is stable for clients; `field` names the culprit."""

    status = 422
    code = "rule_violated"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
