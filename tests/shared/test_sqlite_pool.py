"""A SQLite read model keeps its connections: as many threads as the services run reuse them, PRAGMAs run once each.

Before, the pool held 5 (+10 overflow) while 40 worker threads read: every overflow
connection was closed on return and opened again, PRAGMAs and all, on the next request.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import event, text

from shared.db import ANYIO_WORKER_THREADS, make_engine


def test_a_busy_threadpool_reuses_the_connections_it_opened(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'read.db'}")
    opened = []
    event.listen(engine, "connect", lambda dbapi_connection, _record: opened.append(dbapi_connection))
    all_holding = threading.Barrier(ANYIO_WORKER_THREADS)

    def read() -> tuple[str, int]:
        with engine.connect() as connection:
            mode = connection.execute(text("PRAGMA journal_mode")).scalar_one()
            all_holding.wait(timeout=30)  # every worker holds a connection at once, as under load
            return str(mode), int(connection.execute(text("SELECT 1")).scalar_one())

    with ThreadPoolExecutor(ANYIO_WORKER_THREADS) as workers:
        for _ in range(3):  # three waves of requests
            results = list(workers.map(lambda _: read(), range(ANYIO_WORKER_THREADS)))
            assert results == [("wal", 1)] * ANYIO_WORKER_THREADS

    assert len(opened) == ANYIO_WORKER_THREADS  # opened (and PRAGMA'd) once each, reused by later waves
    engine.dispose()
