"""Jobs and named locks: the work queue every server and `synth worker` shares.

A job is claimed atomically (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: a conditional UPDATE
that only one claimer can win), beats while it runs, and is taken back from a claimer whose
heartbeat went stale. Every write after the claim names the claimer, so a worker thought dead
that wakes up cannot overwrite the job another worker took over.

Only one fit runs at a time: PostgreSQL's `pg_try_advisory_lock`, held on a connection for the
fit's length and freed by the server when that connection dies; SQLite has no such lock, so a
row in `locks` is claimed with a conditional UPDATE and kept by a heartbeat thread (never the
database's write lock: a fit takes a minute and readers must not wait on it).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator, Sequence

import pandas as pd
import sqlalchemy as sa

from synth.store.schema import insert_missing, jobs, locks, now


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    state: str
    payload: dict
    who: str
    worker: str | None
    attempt: int
    done: int
    total: int
    message: str
    error: str
    result: dict
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @classmethod
    def from_row(cls, r) -> "Job":
        return cls(r.id, r.kind, r.state, json.loads(r.payload or "{}"), r.who, r.worker, r.attempt, r.done, r.total,
                   r.message, r.error, json.loads(r.result or "{}"), r.created_at, r.started_at, r.finished_at)


_JOB_COLUMNS = [c for c in jobs.c if c.name != "data"]


class Jobs:
    # ---- the queue -------------------------------------------------------------------------
    def enqueue_job(self, kind: str, payload: dict, who: str, data: bytes | None = None) -> int:
        with self.engine.begin() as conn:
            return conn.execute(jobs.insert().values(
                kind=kind, state="queued", payload=json.dumps(payload), data=data, who=who, created_at=now(),
                attempt=0, done=0, total=0, message="waiting for a worker", error="", result="{}",
            ).returning(jobs.c.id)).scalar_one()

    def queued_job(self, kind: str) -> int | None:
        """The oldest job of this kind still waiting to start, if any."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.min(jobs.c.id)).where(jobs.c.kind == kind,
                                                                        jobs.c.state == "queued")).scalar()

    def claim_job(self, worker: str, kinds: Sequence[str] | None = None) -> Job | None:
        """The oldest queued job (of `kinds`), now running under `worker`; None when none waits."""
        values = dict(state="running", worker=worker, heartbeat=time.time(), started_at=now(),
                      attempt=jobs.c.attempt + 1, message="started", error="")
        waiting = sa.select(jobs.c.id).where(jobs.c.state == "queued").order_by(jobs.c.id).limit(1)
        if kinds is not None:
            waiting = waiting.where(jobs.c.kind.in_(list(kinds)))
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Claimers skip rows another has locked instead of queueing behind it.
                row = conn.execute(jobs.update().where(jobs.c.id == waiting.with_for_update(skip_locked=True)
                                                       .scalar_subquery())
                                   .values(**values).returning(*_JOB_COLUMNS)).first()
                return Job.from_row(row) if row else None
        # SQLite: the UPDATE applies only while the row is still queued, so of two claimers
        # racing for it exactly one changes a row; the other tries the next job.
        for _ in range(20):
            with self.engine.begin() as conn:
                job_id = conn.execute(waiting).scalar()
                if job_id is None:
                    return None
                row = conn.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.state == "queued")
                                   .values(**values).returning(*_JOB_COLUMNS)).first()
                if row:
                    return Job.from_row(row)
        return None

    def job_data(self, job_id: int) -> bytes | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(jobs.c.data).where(jobs.c.id == job_id)).scalar()

    def beat_job(self, job_id: int, worker: str, done: int | None = None, total: int | None = None,
                 message: str | None = None) -> bool:
        """Heartbeat (and progress, when given) of a running job. False when it is no longer
        this worker's: it was taken back as stale, and the worker must stop."""
        values = {"heartbeat": time.time()}
        values.update({k: v for k, v in dict(done=done, total=total, message=message).items() if v is not None})
        with self.engine.begin() as conn:
            return conn.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.worker == worker,
                                                    jobs.c.state == "running").values(**values)).rowcount == 1

    def finish_job(self, job_id: int, worker: str, *, result: dict | None = None, error: str | None = None,
                   message: str = "") -> bool:
        """Done (with `result`) or failed (with `error`); False when the job was not this worker's."""
        values = dict(state="failed" if error is not None else "done", finished_at=now(), heartbeat=None,
                      message=message or ("failed" if error is not None else "done"), data=None)
        values["error" if error is not None else "result"] = error if error is not None else json.dumps(result or {})
        with self.engine.begin() as conn:
            return conn.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.worker == worker,
                                                    jobs.c.state == "running").values(**values)).rowcount == 1

    def release_job(self, job_id: int, worker: str, message: str) -> bool:
        """Back to the queue without counting an attempt (it could not start: the fit lock is held)."""
        with self.engine.begin() as conn:
            return conn.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.worker == worker,
                                                    jobs.c.state == "running")
                                .values(state="queued", worker=None, heartbeat=None, started_at=None,
                                        attempt=jobs.c.attempt - 1, message=message)).rowcount == 1

    def reap_stale_jobs(self, stale_after_s: float, max_attempts: int) -> list[Job]:
        """Running jobs whose claimer has not beaten for `stale_after_s` seconds (killed, or its
        machine lost): queued again while attempts remain, else failed, with the reason."""
        cutoff = time.time() - stale_after_s
        out = []
        with self.engine.begin() as conn:
            stale = conn.execute(sa.select(*_JOB_COLUMNS).where(jobs.c.state == "running",
                                                                jobs.c.heartbeat < cutoff)).all()
            for r in stale:
                silent = time.time() - r.heartbeat
                reason = (f"worker {r.worker} stopped answering during attempt {r.attempt} "
                          f"(no heartbeat for {silent:.0f} s); nothing it did was kept")
                retry = r.attempt < max_attempts
                values = (dict(state="queued", worker=None, heartbeat=None, started_at=None, error=reason,
                               message="waiting to be retried")
                          if retry else dict(state="failed", heartbeat=None, finished_at=now(), error=reason,
                                             message="failed", data=None))
                # Conditional on the heartbeat read: a worker that beat in between keeps its job.
                changed = conn.execute(jobs.update().where(jobs.c.id == r.id, jobs.c.state == "running",
                                                           jobs.c.heartbeat == r.heartbeat).values(**values)).rowcount
                if changed:
                    out.append(Job.from_row(conn.execute(sa.select(*_JOB_COLUMNS).where(jobs.c.id == r.id)).one()))
        return out

    def job(self, job_id: int) -> Job | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*_JOB_COLUMNS).where(jobs.c.id == job_id)).first()
        return Job.from_row(row) if row else None

    def jobs_frame(self, states: Sequence[str] | None = None, limit: int = 50) -> pd.DataFrame:
        """The newest jobs first (only those in `states` when given), without their uploaded data."""
        q = sa.select(*_JOB_COLUMNS).order_by(jobs.c.id.desc()).limit(limit)
        if states is not None:
            q = q.where(jobs.c.state.in_(list(states)))
        with self.engine.connect() as conn:
            result = conn.execute(q)
            return pd.DataFrame(result.all(), columns=list(result.keys()))

    # ---- one holder at a time, across every process --------------------------------------------
    @contextmanager
    def exclusive(self, name: str, holder: str, stale_after_s: float = 60.0) -> Iterator[bool]:
        """Yields True while this process holds lock `name`, False (at once, without waiting)
        when another does. Freed on exit, and by the database when the holder dies: with its
        connection on PostgreSQL, after `stale_after_s` without a heartbeat on SQLite."""
        if self.engine.dialect.name == "postgresql":
            key = int.from_bytes(hashlib.sha256(f"synth:{name}".encode()).digest()[:8], "big", signed=True)
            with self.engine.connect() as conn:
                got = conn.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar()
                conn.commit()
                try:
                    yield bool(got)
                finally:
                    if got:
                        conn.execute(sa.select(sa.func.pg_advisory_unlock(key)))
                        conn.commit()
            return
        if not self._take_lock_row(name, holder, stale_after_s):
            yield False
            return
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(max(stale_after_s / 4, 0.2)):
                with self.engine.begin() as conn:
                    conn.execute(locks.update().where(locks.c.name == name, locks.c.holder == holder)
                                 .values(heartbeat=time.time()))

        beater = threading.Thread(target=beat, name=f"synth-lock-{name}", daemon=True)
        beater.start()
        try:
            yield True
        finally:
            stop.set()
            beater.join()
            with self.engine.begin() as conn:
                conn.execute(locks.update().where(locks.c.name == name, locks.c.holder == holder)
                             .values(holder=None, heartbeat=None))

    def _take_lock_row(self, name: str, holder: str, stale_after_s: float) -> bool:
        with self.engine.begin() as conn:
            conn.execute(insert_missing(conn, locks, [dict(name=name, holder=None, heartbeat=None)]))
            held_by = conn.execute(sa.select(locks.c.holder).where(locks.c.name == name)).scalar()
            free = sa.or_(locks.c.holder.is_(None), locks.c.heartbeat < time.time() - stale_after_s)
            if held_by and _gone(held_by):  # a `synth fit` killed on this machine: no need to wait
                free = sa.or_(free, locks.c.holder == held_by)
            return conn.execute(locks.update().where(locks.c.name == name, free)
                                .values(holder=holder, heartbeat=time.time())).rowcount == 1

    def lock_holder(self, name: str) -> str | None:
        """Who holds lock `name` on SQLite (None when free, and always on PostgreSQL)."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(locks.c.holder).where(locks.c.name == name)).scalar()


def _gone(holder: str) -> bool:
    """Whether a holder named "host:pid:thread" (`pipeline.process_name`) ran on this machine
    in a process that no longer exists."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
