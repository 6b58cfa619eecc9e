"""Read-model databases: SQLite in WAL mode by default, PostgreSQL in production."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Engine, event
from sqlmodel import create_engine


def _dumps(value: Any) -> str:
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def _loads(value: Any) -> Any:
    # SQLite's numeric affinity hands back a stored JSON number as a number already.
    return orjson.loads(value) if isinstance(value, str | bytes | bytearray | memoryview) else value


# JSON columns (facts, factor details) are (de)serialized on every projected row: orjson
# does it several times faster than the standard library, which shows in rebuilds.
JSON_CODEC: dict[str, Any] = {"json_serializer": _dumps, "json_deserializer": _loads}


def make_engine(url: str) -> Engine:
    """An engine tuned for the backend named by `url`."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **JSON_CODEC)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            # WAL lets API reads run while a projection writes; NORMAL is durable at
            # each checkpoint under WAL, and a lost tail is replayed from JetStream.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, **JSON_CODEC)
