"""The benchmark runs end to end in --quick mode and writes every metric (no timing assertions)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THROUGHPUT = {"append", "rebuild"}
REQUEST_PATH = {"get_location_gateway", "get_location_readiness", "post_location_gateway", "matrix_page"}
SINGLE = {"propagation_waves_to_readiness", "publish_fsync_1", "publish_fsync_50"}
MEMORY = {"rss_idle_readiness", "rss_idle_gateway", "rss_readiness_loaded"}
GATES = {"gate_evaluation_50_locations_100k_events", "gate_evaluation_50_locations_1000k_events"}
WEBHOOKS = {"webhook_ingest", "intake_processing", "webhook_to_case_event_50_per_s", "webhook_to_case_event_200_per_s"}


def test_quick_benchmark_writes_every_metric(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    command = [sys.executable, "-m", "bench.run", "--quick", "--out", str(out), "--workdir", str(tmp_path / "work")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr

    results = {row["metric"]: row for row in json.loads(out.read_text())}
    assert set(results) == THROUGHPUT | REQUEST_PATH | SINGLE | MEMORY | GATES | WEBHOOKS
    for row in results.values():
        assert set(row) == {"metric", "ours", "baseline", "ratio", "unit", "p50", "p99"}
        assert row["ours"] > 0, row
    for metric in THROUGHPUT | REQUEST_PATH - {"matrix_page"} | MEMORY:
        assert results[metric]["baseline"] > 0 and results[metric]["ratio"] > 0, results[metric]
    for metric in REQUEST_PATH | GATES | {"propagation_waves_to_readiness", "publish_fsync_1"}:
        assert 0 < results[metric]["p50"] <= results[metric]["p99"], results[metric]
    assert {results[m]["unit"] for m in THROUGHPUT} == {"events/s"}
    assert {results[m]["unit"] for m in REQUEST_PATH} == {"req/s"}
    assert {results[m]["unit"] for m in MEMORY} == {"MB"}
    assert results["webhook_ingest"]["unit"] == "webhooks/s" and results["webhook_ingest"]["baseline"] > 0
    for metric in WEBHOOKS - {"intake_processing"}:
        assert 0 < results[metric]["p50"] <= results[metric]["p99"], results[metric]
