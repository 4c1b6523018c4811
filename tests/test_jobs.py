"""Jobs through the database (issue #16): claimed once, one fit at a time across processes, and
a worker killed with kill -9 leaves nothing behind and its job is retried or failed with the
reason. Real worker processes (`synth worker`) on real SQLite and PostgreSQL databases."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from synth import jobs, pipeline, sample
from synth.errors import FitRunning
from synth.store import Store
from synth.store import schema as db

from conftest import dump

SYNTH = str(Path(sys.executable).parent / "synth")


def _env(settings, **extra) -> dict:
    return {**os.environ, "SYNTH_DB_URL": settings.db_url, "SYNTH_MODELS_DIR": settings.models_dir,
            "SYNTH_SECRET_FILE": settings.secret_file, "SYNTH_USERS_FILE": settings.users_file,
            "SYNTH_CACHE_DIR": str(settings.cache_dir), "HF_HUB_OFFLINE": "1", **extra}


def _worker(settings, *args, **env) -> subprocess.Popen:
    return subprocess.Popen([SYNTH, "worker", *args], env=_env(settings, **env), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _fit_runs(store) -> list:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(db.runs.c.id, db.runs.c.status, db.runs.c.started_at, db.runs.c.finished_at)
                            .where(db.runs.c.kind == "fit").order_by(db.runs.c.id)).all()


def _wait(predicate, timeout: float, what: str):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if value := predicate():
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture(params=["sqlite", "postgresql"])
def small_program(request, tmp_path):
    """A fitted 150-note program on either database."""
    from synth.config import Settings

    if request.param == "sqlite":
        settings = Settings.for_directory(tmp_path)
    else:
        pg_url = request.getfixturevalue("pg_url")
        engine = sa.create_engine(pg_url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
        settings = Settings.for_directory(tmp_path, db_url=pg_url)
    store = Store.open(settings.db_url, settings.secret_file)
    export, _ = sample.write(tmp_path, n_notes=150, seed=4)
    pipeline.import_file(store, settings, export)
    yield settings, store
    store.close()


# ---- claiming and locking, in one process ------------------------------------------------------
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_racing_claimers_take_each_job_exactly_once(database, tmp_path, request):
    from synth.config import Settings

    url = f"sqlite:///{tmp_path / 's.db'}" if database == "sqlite" else request.getfixturevalue("pg_url")
    if database == "postgresql":
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
    settings = Settings.for_directory(tmp_path, db_url=url)
    first = Store.open(url, settings.secret_file)
    ids = {first.enqueue_job("fit", {}, "t") for _ in range(40)}
    claimed: list[tuple[str, int]] = []
    start = threading.Barrier(4)

    def claimer(name: str) -> None:
        store = Store.open(url, settings.secret_file)  # a handle (and connections) of its own, like a process
        start.wait()
        while (job := store.claim_job(name)) is not None:
            claimed.append((name, job.id))
        store.close()

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(j for _, j in claimed) == sorted(ids)  # every job once, none twice
    assert {first.job(j).worker for _, j in claimed} == {w for w, _ in claimed}
    first.close()


def test_one_fit_lock_holder_at_a_time(small_program):
    settings, store = small_program
    other = Store.open(settings.db_url, settings.secret_file)
    with store.exclusive("fit", "a") as mine:
        assert mine
        with other.exclusive("fit", "b") as theirs:
            assert not theirs
        with pytest.raises(FitRunning):
            pipeline.fit(other, settings)
    with other.exclusive("fit", "b") as theirs:
        assert theirs  # freed on exit
    other.close()


def test_a_lock_row_whose_holder_stopped_beating_is_taken_over(store):
    with store.engine.begin() as conn:
        conn.execute(db.locks.insert().values(name="fit", holder="dead:1", heartbeat=time.time() - 120))
    with store.exclusive("fit", "alive", stale_after_s=60) as mine:
        assert mine and store.lock_holder("fit") == "alive"
    assert store.lock_holder("fit") is None


def test_an_import_job_runs_an_uploaded_file_and_reports_what_it_added(settings, store, write_csv):
    from conftest import note_row

    data = write_csv([note_row(i, f"The loaner tablets run flat by noon, week {i}.") for i in range(3)]).read_bytes()
    job_id = jobs.enqueue_import(store, who="coord", file_name="weekly.csv", data=data)
    job = jobs.run_next(store, settings)
    assert (job.id, job.state, job.error) == (job_id, "done", "")
    assert job.result["notes_added"] == 3 and job.result["import_id"] == int(store.list_imports()["id"].max())
    assert store.list_imports().iloc[0]["imported_by"] == "coord"
    assert store.job_data(job_id) is None  # the upload is not kept once imported
    assert jobs.run_next(store, settings) is None


def test_a_failing_import_job_is_failed_with_the_reason_and_changes_nothing(settings, store):
    before = dump(store)
    job_id = jobs.enqueue_import(store, who="coord", file_name="empty.csv", data=b"")
    job = jobs.run_next(store, settings)
    assert job.id == job_id and job.state == "failed" and "empty.csv" in job.error
    after = dump(store)
    assert {k: v for k, v in after.items() if k != "jobs"} == {k: v for k, v in before.items() if k != "jobs"}


# ---- real worker processes ---------------------------------------------------------------------
def test_two_workers_run_two_fits_one_at_a_time(small_program):
    settings, store = small_program
    first, second = store.enqueue_job("fit", {}, "t"), store.enqueue_job("fit", {}, "t")
    workers = [_worker(settings, "--until-idle") for _ in range(2)]
    outputs = [w.communicate(timeout=600)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    assert store.job(first).state == store.job(second).state == "done", outputs
    (_, s1, a, b), (_, s2, c, d) = _fit_runs(store)[-2:]
    assert s1 == s2 == "done"
    assert b <= c or d <= a, f"two fits overlapped: {a}..{b} and {c}..{d}"
    # Both workers were busy at once: one found the other's fit running and waited for it.
    assert "Another fit is running" in "".join(outputs), outputs


@pytest.mark.parametrize("attempts", [2, 1])
def test_a_worker_killed_mid_fit_leaves_nothing_and_its_job_is_retried_or_failed(small_program, attempts):
    settings, store = small_program
    pipeline.fit(store, settings)  # a fitted program: the kill must not touch its themes
    runs_before, folders_before = _fit_runs(store), sorted(p.name for p in Path(settings.models_dir).iterdir())
    before = {k: v for k, v in dump(store).items() if k not in ("jobs", "locks", "embeddings")}
    job_id = jobs.enqueue_fit(store, who="t")
    fast = dict(SYNTH_JOB_STALE_S="3", SYNTH_JOB_ATTEMPTS=str(attempts))
    doomed = _worker(settings, **fast)
    _wait(lambda: (j := store.job(job_id)).state == "running" and j.message == "cluster", 300, "the fit to cluster")
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=30)
    assert store.job(job_id).state == "running"  # as the dead worker left it
    assert _fit_runs(store) == runs_before
    assert sorted(p.name for p in Path(settings.models_dir).iterdir()) == folders_before
    assert {k: v for k, v in dump(store).items() if k not in ("jobs", "locks", "embeddings")} == before

    rescuer = _worker(settings, "--until-idle", **fast)
    out = rescuer.communicate(timeout=600)[0]
    assert rescuer.returncode == 0, out
    job = store.job(job_id)
    assert "stopped answering" in out, out
    if attempts == 2:
        assert (job.state, job.attempt) == ("done", 2), job
        assert len(_fit_runs(store)) == len(runs_before) + 1
    else:
        assert job.state == "failed" and "stopped answering" in job.error, job
        assert _fit_runs(store) == runs_before


def test_a_lock_row_left_by_a_process_gone_from_this_machine_is_taken_at_once(store):
    import socket

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    holder = f"{socket.gethostname()}:{dead.stdout.strip()}:1"
    with store.engine.begin() as conn:  # `synth fit` killed a second ago: its heartbeat is fresh
        conn.execute(db.locks.insert().values(name="fit", holder=holder, heartbeat=time.time()))
    with store.exclusive("fit", "me", stale_after_s=60) as mine:
        assert mine
    with store.engine.begin() as conn:
        conn.execute(db.locks.update().values(holder=f"{socket.gethostname()}:{os.getpid()}:1", heartbeat=time.time()))
    with store.exclusive("fit", "me", stale_after_s=60) as mine:
        assert not mine  # a live holder keeps it
