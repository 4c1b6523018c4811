"""Writers that must not lose each other's work, with real processes on a real SQLite file."""

import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from synth import pipeline, store as db

from conftest import note_row


def _env(settings) -> dict:  # noqa: ANN001
    return {**os.environ, "SYNTH_DB_URL": settings.db_url, "SYNTH_MODELS_DIR": settings.models_dir,
            "SYNTH_SECRET_FILE": settings.secret_file, "SYNTH_USERS_FILE": settings.users_file,
            "SYNTH_CACHE_DIR": str(settings.cache_dir), "HF_HUB_OFFLINE": "1"}


def test_an_import_during_a_fit_keeps_its_theme_assignments(fitted_copy, write_csv):
    settings, st = fitted_copy
    exe = Path(sys.executable).parent / "synth"
    fit = subprocess.Popen([str(exe), "fit"], env=_env(settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    with st.engine.connect() as conn:  # wait until the fit has read its snapshot and is computing
        while time.time() < deadline and not conn.execute(
                sa.select(sa.func.count()).select_from(db.runs).where(db.runs.c.status == "running")).scalar():
            time.sleep(0.2)
    path = write_csv([note_row(i, "Parking at the clinic is full by eight and reps circle the block for twenty minutes.",
                               partner=f"Planted Partner{i}") for i in range(5)])
    summary = pipeline.import_file(st, settings, path)
    out, err = fit.communicate(timeout=300)
    assert fit.returncode == 0, err
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
