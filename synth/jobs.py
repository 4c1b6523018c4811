"""Imports and fits as jobs in the store, run by `synth worker` processes or by a dashboard
server's background thread, on one machine or many sharing one database.

    enqueue_import(store, who=..., file_name=..., data=bytes | path=str, **import options) -> job id
    enqueue_fit(store, who=...) -> job id (the one already waiting, if any)
    run_next(store, settings) -> the job it claimed and ran to its end, or None when none waits
    run_job(store, settings, job, worker) -> runs one claimed job to done or failed
    work(store, settings, stop=...)        the loop `synth worker` runs
    BackgroundRunner(settings).start()     the same loop in a daemon thread (a single-machine server)

A job's life: queued -> running (claimed atomically by one worker, `attempt` counts the starts)
-> done (its `result`) or failed (its `error`, a sentence for the user). While it runs, a
heartbeat thread writes its progress; a job whose heartbeat goes stale for `job_stale_s`
(its worker was killed) is queued again, or failed with the reason after `job_attempts`
starts. Nothing a killed job did is kept: an import and a fit each write everything in one
transaction at their end (`synth.pipeline` runs them; this module only schedules them). A fit
job that finds another fit running goes back to the queue.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

from synth import pipeline
from synth.config import Settings
from synth.errors import FitRunning, SynthError, UsageError
from synth.store import Job, Store

KINDS = ("import", "fit")
IMPORT_OPTIONS = ("mapping", "skip_bad_rows", "header_row", "defaults", "day_first")
log = logging.getLogger("synth.jobs")


def enqueue_import(store: Store, *, who: str, file_name: str, data: bytes | None = None, path: str | None = None,
                   **options) -> int:
    """Queue an import of `data` (the file's bytes, kept in the job row so a worker on any
    machine can read it) or of `path` (a file every worker can open, for files too large to
    keep in the database). `options`: `pipeline.import_file`'s mapping, skip_bad_rows,
    header_row, defaults, day_first."""
    if (data is None) == (path is None):
        raise UsageError("An import job needs either the file's bytes or a path to it, not both.")
    unknown = set(options) - set(IMPORT_OPTIONS)
    if unknown:
        raise UsageError(f"Unknown import option(s) {', '.join(sorted(unknown))}; allowed: {', '.join(IMPORT_OPTIONS)}.")
    return store.enqueue_job("import", dict(file_name=file_name, path=path, **options), who, data=data)


def enqueue_fit(store: Store, *, who: str) -> int:
    """Queue a refit, unless one is already waiting (it will see everything imported by then)."""
    return store.queued_job("fit") or store.enqueue_job("fit", {}, who)


class _Heartbeat:
    """Beats for a running job and writes its latest progress, from a thread of its own, so a
    long stage that never reports still shows its worker alive."""

    def __init__(self, store: Store, job: Job, worker: str, every_s: float):
        self.store, self.job, self.worker, self.every_s = store, job, worker, every_s
        self.progress: tuple[int, int, str] | None = None
        self.lost = threading.Event()  # the job was taken back from this worker
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"synth-job-{job.id}", daemon=True)
        self._thread.start()

    def report(self, stage: str, done: int, total: int) -> None:
        self.progress = (done, total, stage)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.beat()

    def beat(self) -> None:
        done, total, message = self.progress or (None, None, None)
        try:
            if not self.store.beat_job(self.job.id, self.worker, done, total, message):
                self.lost.set()
        except Exception:  # a database hiccup: the next beat tries again; stale only if it lasts
            log.warning("job #%s: heartbeat failed", self.job.id, exc_info=True)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_job(store: Store, settings: Settings, job: Job, worker: str) -> Job:
    """Run one job that `worker` has claimed, to done or failed; the job as it ends.
    A fit that finds another fit running goes back to the queue instead."""
    beat = _Heartbeat(store, job, worker, every_s=max(min(settings.job_stale_s / 4, 5.0), 0.2))
    outcome: dict = {}
    try:
        if job.kind == "import":
            outcome["result"] = _run_import(store, settings, job, beat.report)
        elif job.kind == "fit":
            outcome["result"] = pipeline.fit(store, settings, who=job.who, progress=beat.report)
        else:
            outcome["error"] = f"Unknown job kind {job.kind!r}; this synth runs {', '.join(KINDS)}. Upgrade the worker."
    except FitRunning as exc:
        beat.stop()
        store.release_job(job.id, worker, f"waiting: {exc}")
        return store.job(job.id)
    except SynthError as exc:
        outcome["error"] = str(exc)
    except Exception as exc:  # the job fails with a reason; the worker lives on for the next
        log.exception("job #%s (%s) failed", job.id, job.kind)
        outcome["error"] = f"Something went wrong on our side ({type(exc).__name__}); nothing was changed. " \
                           "The details are in the worker's log."
    beat.stop()
    if not store.finish_job(job.id, worker, **outcome):
        log.warning("job #%s was taken back from %s while it ran (its heartbeat went stale)", job.id, worker)
    return store.job(job.id)


def _run_import(store: Store, settings: Settings, job: Job, progress) -> dict:
    p = job.payload
    options = {k: p[k] for k in IMPORT_OPTIONS if p.get(k) is not None}
    folder = tempfile.mkdtemp(prefix="synth-job-")  # mode 0700: only this user can read the file
    try:
        if p.get("path"):
            path = Path(p["path"])
        else:
            suffix = Path(p["file_name"]).suffix.lower()
            path = Path(folder) / ("upload" + (suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""))
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
                fh.write(store.job_data(job.id) or b"")
        s = pipeline.import_file(store, settings, path, who=job.who, file_name=p["file_name"], progress=progress,
                                 **options)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    out = {k: v for k, v in dataclasses.asdict(s).items() if k != "row_errors"}
    return {**out, "row_errors": [str(e) for e in s.row_errors[:20]], "row_errors_total": len(s.row_errors),
            "skipped_rows": sorted({e.row for e in s.row_errors})}


def run_next(store: Store, settings: Settings, worker: str | None = None, kinds=None) -> Job | None:
    """Take back stale jobs, then claim the oldest queued job (of `kinds`) and run it."""
    worker = worker or pipeline.process_name()
    for j in store.reap_stale_jobs(settings.job_stale_s, settings.job_attempts):
        log.warning("job #%s %s: %s", j.id, "queued again" if j.state == "queued" else "failed", j.error)
    job = store.claim_job(worker, kinds)
    if job is None:
        return None
    log.info("job #%s (%s) claimed by %s, attempt %s", job.id, job.kind, worker, job.attempt)
    return run_job(store, settings, job, worker)


def work(store: Store, settings: Settings, *, stop: threading.Event | None = None, until_idle: bool = False,
         poll_s: float = 1.0, kinds=None, on_job=None) -> int:
    """Run jobs until `stop` is set (or, with `until_idle`, until none waits or runs anywhere);
    how many ended."""
    stop = stop or threading.Event()
    ended = 0
    while not stop.is_set():
        job = run_next(store, settings, kinds=kinds)
        if job is None and until_idle and store.jobs_frame(states=("queued", "running"), limit=1).empty:
            break  # nothing waits, and nothing runs that could come back to the queue
        if job is not None and on_job:
            on_job(job)
        if job is not None and job.state in ("done", "failed"):
            ended += 1
            continue
        stop.wait(poll_s)  # nothing waits, or a fit waits on another: look again shortly
    return ended


class BackgroundRunner:
    """`work` in a daemon thread of this process: how a single dashboard server runs jobs with
    no `synth worker` beside it (`SYNTH_JOBS_IN_SERVER`). Several servers each running one
    still run each job once, and one fit at a time."""

    def __init__(self, store: Store, settings: Settings, poll_s: float = 2.0):
        self.store, self.settings, self.poll_s = store, settings, poll_s
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="synth-jobs", daemon=True)

    def start(self) -> "BackgroundRunner":
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                work(self.store, self.settings, stop=self.stop, poll_s=self.poll_s)
            except Exception:  # the database went away for a moment: keep the thread alive
                log.exception("background job runner")
                self.stop.wait(10 * self.poll_s)
