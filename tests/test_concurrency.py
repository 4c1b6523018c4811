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
