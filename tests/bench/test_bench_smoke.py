"""The benchmark runs end to end in --quick mode and writes every metric (no timing assertions)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_benchmark_writes_both_metrics(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    command = [sys.executable, "-m", "bench.run", "--quick", "--out", str(out), "--workdir", str(tmp_path / "work")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr

    results = {row["metric"]: row for row in json.loads(out.read_text())}
    assert set(results) == {"append", "rebuild", "propagation_p50", "propagation_p99"}
    for row in results.values():
        assert row["unit"] == ("ms" if row["metric"].startswith("propagation") else "events/s")
        assert row["ours"] > 0 and row["baseline"] >= 0 and row["ratio"] > 0
