"""Read-model databases: SQLite in WAL mode by default, PostgreSQL in production."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from sqlalchemy import Engine, event, make_url
from sqlalchemy.pool import QueuePool
from sqlmodel import create_engine


def _dumps(value: Any) -> str:
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def _loads(value: Any) -> Any:
    # SQLite's numeric affinity hands back a stored JSON number as a number already.
    return orjson.loads(value) if isinstance(value, str | bytes | bytearray | memoryview) else value


# JSON columns (facts, factor details) are (de)serialized on every projected row: orjson
# does it several times faster than the standard library, which shows in rebuilds.
JSON_CODEC: dict[str, Any] = {"json_serializer": _dumps, "json_deserializer": _loads}


# Threads that may hold a read-model connection at once: AnyIO's worker threads (sync routes,
# 40 by default) plus asyncio's default executor (`asyncio.to_thread`: projections, async routes).
# A pool smaller than that overflows under load, and SQLAlchemy closes overflow connections on
# return: each request then opened a file and ran its PRAGMAs again. SQLite connections are cheap
# to keep, and the pool opens them only as concurrency reaches them.
ANYIO_WORKER_THREADS = 40
SQLITE_POOL_SIZE = ANYIO_WORKER_THREADS + min(32, (os.cpu_count() or 1) + 4)


WAL_CHECKPOINT_PAGES = 8192

T = TypeVar("T")


async def on_engine(engine: Engine, work: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run synchronous read-model work `work(engine, *args, **kwargs)` from async code.

    On SQLite inline: an indexed lookup takes tens of microseconds, less than the hop to a
    worker thread and back (which, with the sync route it replaced, was ~20 % of a GET's CPU);
    and a projection's batch in a worker thread lost the GIL to the event loop on every row
    SQLite stepped (the thread waits a switch interval to get it back), which made a rebuild's
    writes cost twice what they cost inline. Elsewhere (PostgreSQL: network round trips) in a
    worker thread, off the event loop.
    """
    if engine.dialect.name == "sqlite":
        return work(engine, *args, **kwargs)
    return await asyncio.to_thread(work, engine, *args, **kwargs)


def _file_sqlite(url: str) -> bool:
    database = make_url(url).database
    return bool(database) and database != ":memory:" and "mode=memory" not in url


def make_engine(url: str) -> Engine:
    """An engine tuned for the backend named by `url`."""
    if url.startswith("sqlite"):
        # A file database gets a pool as large as the threads that use it (see SQLITE_POOL_SIZE),
        # so each connection is opened, and its PRAGMAs run, once per process.
        pool: dict[str, Any] = (
            {"poolclass": QueuePool, "pool_size": SQLITE_POOL_SIZE, "max_overflow": 8} if _file_sqlite(url) else {}
        )
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool, **JSON_CODEC)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            # WAL lets API reads run while a projection writes; NORMAL is durable at
            # each checkpoint under WAL, and a lost tail is replayed from JetStream.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # A rebuild rewrites most pages again and again: checkpointing every 8,192 pages (32 MB of
            # WAL) instead of SQLite's 1,000 copies a page back once per round, not once per 4 MB
            # (measured: rebuild 8-10 % faster). The WAL file is truncated back to that size after.
            cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
            cursor.execute(f"PRAGMA journal_size_limit={WAL_CHECKPOINT_PAGES * 4096}")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, **JSON_CODEC)
