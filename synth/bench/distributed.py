"""Large imports on Dask (synth/backfill.py): notes per second in one process and on a
LocalCluster of 1 and 2 worker processes on this machine, and the projected time for 1,000,000 notes.

    .venv/bin/python -m synth.bench.distributed [N]     (default: 2,000 sample notes)

Every run imports the same N-note sample export into a copy of one store with themes fitted, so
each import redacts, segments, classifies, embeds and assigns its statements. Cluster start-up
and model loading (once per worker) are timed apart from the import.
"""

from __future__ import annotations

import os
import shutil
import sys
import time

from synth import pipeline, sample
from synth.bench.common import scratch
from synth.config import Settings
from synth.store import open_store

MILLION = 1_000_000


def _import(folder, settings: Settings, export, client=None) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds of this process, of the workers, notes added)."""
    store = open_store(settings)
    workers = (lambda: sum(client.run(time.process_time).values())) if client else (lambda: 0.0)
    try:
        t, c, w = time.perf_counter(), time.process_time(), workers()
        s = pipeline.import_file(store, settings, export, who="bench")
        return time.perf_counter() - t, time.process_time() - c, workers() - w, s.notes_added
    finally:
        store.close()


def _copy(base, target, **overrides) -> Settings:
    shutil.copytree(base, target)
    return Settings.for_directory(target, max_upload_mb=2048, **overrides)


def main(n: int = 2000) -> dict:
    from distributed import Client, LocalCluster

    from synth.backfill import Models

    folder, _ = scratch("distributed")
    base = folder / "base"
    base_export, _ = sample.write(folder / "files", n_notes=300, seed=5, name="base")
    export, _ = sample.write(folder / "files", n_notes=n, seed=13, name="backfill")
    settings = Settings.for_directory(base, max_upload_mb=2048)
    store = open_store(settings)
    pipeline.import_file(store, settings, base_export, who="bench")
    pipeline.fit(store, settings, who="bench")
    store.close()

    results = {}
    seconds, cpu, _, added = _import(folder, _copy(base, folder / "plain"), export)
    results["one process"] = added / seconds
    load = os.getloadavg()[0]
    print(f"load average before: {load:.1f} on {os.cpu_count()} cores (other processes make wall times longer; "
          "CPU seconds per note do not depend on them)\n")
    print("| workers | notes | start-up + models (s) | import (s) | notes/s | CPU ms/note: driver | workers | "
          "1,000,000 notes (h) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| none (one process) | {added:,} | | {seconds:.1f} | {added / seconds:,.0f} | {1000 * cpu / added:.1f} | | "
          f"{MILLION / (added / seconds) / 3600:.1f} |", flush=True)
    for workers in (1, 2):
        t = time.perf_counter()
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=40) as cluster, Client(cluster) as client:
            client.register_plugin(Models())
            startup = time.perf_counter() - t
            run = _copy(base, folder / f"workers-{workers}", dask_scheduler=cluster.scheduler_address,
                        dask_partition_notes=max(50, n // (8 * workers)))
            seconds, driver, cpu, added = _import(folder, run, export, client)
        rate = added / seconds
        results[workers] = rate
        results[f"cpu {workers}"] = (driver / added, cpu / added)
        print(f"| {workers} | {added:,} | {startup:.1f} | {seconds:.1f} | {rate:,.0f} | {1000 * driver / added:.1f} | "
              f"{1000 * cpu / added:.1f} | {MILLION / rate / 3600:.1f} |", flush=True)
    driver, per_note = results["cpu 2"]
    print(f"\n{MILLION:,} notes: {MILLION / results[2] / 3600:.1f} h at the 2-worker rate measured here. With "
          f"dedicated cores: {MILLION * per_note / 3600 / 16:.1f} h of worker time on 16 cores "
          f"({1000 * per_note:.1f} CPU ms a note), and the driver, which writes one partition while the workers "
          f"compute the next, needs {MILLION * driver / 3600:.1f} h ({1000 * driver:.1f} CPU ms a note): the "
          "longer of the two bounds the backfill.")
    return results


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
