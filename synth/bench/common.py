"""Helpers for the benchmark scripts: a scratch folder and a stopwatch. Benchmarks print
figures; they never assert timings."""

from __future__ import annotations

import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from synth.config import Settings


def scratch(name: str) -> tuple[Path, Settings]:
    folder = Path(os.environ.get("SYNTH_BENCH_DIR") or tempfile.mkdtemp(prefix=f"synth-bench-{name}-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder, Settings.for_directory(folder, max_upload_mb=2048)


@contextmanager
def timed(label: str, count: int | None = None, unit: str = "items"):
    t = time.perf_counter()
    result = {}
    yield result
    dt = time.perf_counter() - t
    result["seconds"] = dt
    rate = f", {count / dt:,.0f} {unit}/s" if count else ""
    print(f"{label:<58} {dt:8.2f} s{rate}", flush=True)
