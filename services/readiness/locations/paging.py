"""Keyset paging of location lists: a stable order (name, id) and an opaque cursor after the last row.

A page costs the same wherever it is in the list (no OFFSET), and rows registered while a
client pages never shift what it has not read yet.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass

import orjson
from sqlalchemy import Engine, tuple_
from sqlmodel import Session, col
from sqlmodel.sql.expression import SelectOfScalar

from services.readiness.locations.models import LocationRow
from shared.errors import DomainError

MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[LocationRow]
    next_cursor: str | None


def encode_cursor(row: LocationRow) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([row.name, row.id])).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The (name, id) a cursor points after, or 422 naming `cursor`."""
    try:
        name, location_id = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(name, str) and isinstance(location_id, str):
            return name, location_id
    except (binascii.Error, ValueError, TypeError):
        pass
    raise DomainError("cursor is not one this API returned; start again without it", field="cursor")


def ordered(query: SelectOfScalar[LocationRow], cursor: str | None) -> SelectOfScalar[LocationRow]:
    """`query` in the stable order, starting after `cursor`."""
    if cursor:
        after = decode_cursor(cursor)
        query = query.where(tuple_(col(LocationRow.name), col(LocationRow.id)) > tuple_(*after))
    return query.order_by(col(LocationRow.name), col(LocationRow.id))


def page(engine: Engine, query: SelectOfScalar[LocationRow], *, limit: int, cursor: str | None) -> Page:
    """One page of `query` (at most `limit` rows) and the cursor of the next, if any."""
    with Session(engine) as session:
        rows = list(session.exec(ordered(query, cursor).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1]) if more and rows else None)


def every_row(engine: Engine, query: SelectOfScalar[LocationRow], *, batch: int = MAX_LIMIT) -> Iterator[LocationRow]:
    """Every row of `query`, fetched a page at a time (for streaming exports)."""
    cursor: str | None = None
    while True:
        found = page(engine, query, limit=batch, cursor=cursor)
        yield from found.rows
        if found.next_cursor is None:
            return
        cursor = found.next_cursor
