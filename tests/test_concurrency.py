"""Writers that must not lose each other's work, with real processes on a real SQLite file."""

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from synth import pipeline, store as db

from conftest import note_row


def _env(settings) -> dict:
    return {**os.environ, **settings.to_env(), "HF_HUB_OFFLINE": "1"}


class _Fit(subprocess.Popen):
    def stderr_text(self) -> str:
        return "".join(self.seen)


def _start_fit(settings) -> _Fit:
    """`synth fit` in its own process, returned once it has read its snapshot and is clustering
    (its progress line says so)."""
    import threading

    fit = _Fit([str(Path(sys.executable).parent / "synth"), "fit"], env={**_env(settings), "SYNTH_PROGRESS": "1"},
               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    fit.seen = []
    clustering = threading.Event()

    def read() -> None:
        while chunk := fit.stderr.read(64):
            fit.seen.append(chunk)
            if "cluster" in "".join(fit.seen):
                clustering.set()
        clustering.set()

    threading.Thread(target=read, daemon=True).start()
    assert clustering.wait(180), "the fit never started clustering"
    return fit


def _run_rows(st) -> list:
    with st.engine.connect() as conn:
        return conn.execute(sa.select(db.runs.c.id, db.runs.c.status).where(db.runs.c.kind == "fit")).all()


def test_an_import_during_a_fit_keeps_its_theme_assignments(fitted_copy, write_csv):
    settings, st = fitted_copy
    fit = _start_fit(settings)
    path = write_csv([note_row(i, "Parking at the clinic is full by eight and reps circle the block for twenty minutes.",
                               partner=f"Planted Partner{i}") for i in range(5)])
    summary = pipeline.import_file(st, settings, path)
    assert fit.wait(timeout=300) == 0, fit.stderr_text()
    assert summary.themed >= 1
    frame = st.statements_frame()
    mine = frame[frame["text"].str.startswith("Parking at the clinic is full by eight")]
    # Before, the fit deleted every assignment and re-inserted only the statements it had read:
    # the import's statements ended with no theme while the import had reported them themed.
    assert len(mine) == 5 and mine["theme_id"].notna().all()
    assert st.orphaned_statements() == []
    with st.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(db.runs).where(db.runs.c.status == "running")).scalar() == 0


def test_read_only_commands_do_not_wait_on_a_writer(settings, store):
    """`synth imports` used to write when it opened the store, so it waited on (or failed
    against) a long import. Now a store at the current version is opened without writing."""
    import sqlite3

    path = settings.db_url.removeprefix("sqlite:///")
    writer = sqlite3.connect(path, timeout=0.1)
    writer.execute("BEGIN IMMEDIATE")  # a long import holds the write lock
    try:
        r = subprocess.run([str(Path(sys.executable).parent / "synth"), "imports"], env=_env(settings),
                           capture_output=True, text=True, timeout=25)  # the busy timeout is 30 s
        assert r.returncode == 0, r.stderr
    finally:
        writer.rollback()
        writer.close()


def test_undoing_an_import_during_a_fit_leaves_no_partial_state(fitted_copy, write_csv):
    settings, st = fitted_copy
    path = write_csv([note_row(i, "Parking at the clinic is full by eight and reps circle the block.",
                               partner=f"Undo Partner{i}") for i in range(4)])
    summary = pipeline.import_file(st, settings, path)
    fit = _start_fit(settings)
    undo = subprocess.run([str(Path(sys.executable).parent / "synth"), "undo", str(summary.import_id)],
                          env=_env(settings), capture_output=True, text=True, timeout=120)
    assert undo.returncode == 0, undo.stderr
    # Before, the fit then failed on a foreign key with a traceback, left its run "running"
    # forever and an orphan model folder.
    assert fit.wait(timeout=300) == 0, fit.stderr_text()
    assert all(status == "done" for _, status in _run_rows(st))
    runs = {f"run-{run_id:04d}" for run_id, _ in _run_rows(st)}
    assert {p.name for p in Path(settings.models_dir).iterdir()} == runs
    assert st.orphaned_statements() == []


def test_a_fit_killed_while_it_computes_leaves_nothing_behind(fitted_copy):
    import signal

    settings, st = fitted_copy
    runs_before = _run_rows(st)
    folders_before = sorted(p.name for p in Path(settings.models_dir).iterdir())
    fit = _start_fit(settings)
    fit.send_signal(signal.SIGKILL)
    fit.wait(timeout=30)
    assert _run_rows(st) == runs_before
    assert sorted(p.name for p in Path(settings.models_dir).iterdir()) == folders_before


def _started(settings, *argv: str, until: str) -> subprocess.Popen:
    """`synth ARGV` in its own process, returned once its progress line shows `until`; what
    it wrote to stderr so far is in `.seen`, and the rest goes on being collected there."""
    import threading

    proc = subprocess.Popen([str(Path(sys.executable).parent / "synth"), *argv],
                            env={**_env(settings), "SYNTH_PROGRESS": "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.seen = []
    reached = threading.Event()

    def read() -> None:
        while chunk := proc.stderr.read(64):
            proc.seen.append(chunk)
            if until in "".join(proc.seen):
                reached.set()
        reached.set()

    proc.reader = threading.Thread(target=read, daemon=True)
    proc.reader.start()
    assert reached.wait(180), f"synth {' '.join(argv)} never reached {until!r}"
    return proc


def test_two_imports_of_the_same_file_at_once_store_each_note_once(settings, store, write_csv):
    """Both imports read the store (no note there yet), redact, then write at the same moment.
    Before, the second to write failed on the unique content hash with an IntegrityError
    traceback that printed redacted text and pseudonyms to stderr."""
    import re
    import sqlite3

    texts = [f"The loaner tablets at the Tucson branch run flat by noon, week {i}." for i in range(6)]
    path = write_csv([note_row(i, t, partner=f"Quintessa Marlowe{i}") for i, t in enumerate(texts)])
    writer = sqlite3.connect(settings.db_url.removeprefix("sqlite:///"), timeout=0.1)
    writer.execute("BEGIN IMMEDIATE")  # both get as far as writing, and wait there for the other
    try:
        imports = [_started(settings, "import", str(path), until="store") for _ in range(2)]
    finally:
        writer.rollback()
        writer.close()
    results = []
    for proc in imports:
        out = proc.stdout.read()
        code = proc.wait(timeout=120)
        proc.reader.join(timeout=10)
        err = re.sub(r"[^\n]*\r", "", "".join(proc.seen))  # the progress bar redraws with \r
        results.append((code, out, err))
    for code, out, err in results:
        assert "Traceback" not in err and "IntegrityError" not in err, err
        assert "Quintessa" not in err and "[PERSON]" not in err and "loaner tablets" not in err, err
        assert code == 0 or err.count("\n") == 1, err  # a refusal is one line
    added = sorted(int(m.group(1)) for code, out, _ in results if (m := re.search(r"(\d+) notes added", out)))
    assert added[-1] == 6 and added[:-1] in ([], [0]), results  # one committed them; the other added none
    if len(added) == 2:
        assert any("6 duplicates skipped" in out for _, out, _ in results), results
    from synth.store import schema

    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(schema.notes.c.redacted_text)).scalars().all()
        statuses = conn.execute(sa.select(schema.imports.c.status, schema.imports.c.notes_added)).all()
    assert sorted(stored) == sorted(texts)  # each note exactly once
    assert sorted(n for _, n in statuses) in ([6], [0, 6]) and {s for s, _ in statuses} == {"committed"}


def test_a_writer_that_misses_the_lock_is_refused_in_one_line_without_note_text(settings, store, write_csv,
                                                                                monkeypatch):
    """The last line of defence behind the lock: a unique-hash clash is a refusal that names no
    note text or pseudonym, and leaves the store as it was."""
    import pytest

    from conftest import dump
    from synth.errors import ImportRefused
    import importlib

    imports = importlib.import_module("synth.store.imports")  # the module, not the table of that name

    path = write_csv([note_row(1, "The loaner tablets at the Tucson branch run flat by noon.", partner="Quintessa Marlowe")])
    pipeline.import_file(store, settings, path)
    before = dump(store)
    monkeypatch.setattr(imports, "_existing_hashes", lambda conn, hashes: set())  # as if read before the other wrote
    with pytest.raises(ImportRefused, match="another import stored some of the same notes") as refused:
        pipeline.import_file(store, settings, path)
    assert "loaner" not in str(refused.value) and "PERSON" not in str(refused.value)
    assert dump(store) == before
