"""Held-out quality on the sample program, the canary name, and crash safety."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path


from synth import evaluate, export, pipeline, sample

from conftest import dump, note_row


def test_issue_detection_on_held_out_phrasings(fitted_store, sample_files):
    r = evaluate.issue_detection(fitted_store, sample.load_truth(sample_files[1]), split="holdout")
    assert r["true_issues"] > 300
    # An honest figure: the rules were never developed on these pools (0.82 / 0.94 when set).
    # Hand-written sentences outside the sample: `python -m synth.bench.text`.
    assert r["precision"] >= 0.75 and r["recall"] >= 0.90, r


def test_planted_names_emails_and_phones_are_redacted(fitted_store, sample_files):
    truth = sample.load_truth(sample_files[1])
    r = evaluate.planted_redaction(fitted_store, truth)
    planted = sum(evaluate._present(v, "\n".join(s["text"] for s in t["sentences"]), kind)
                  for t in truth for kind in ("names", "emails", "phones") for v in set(t["planted"][kind]))
    assert planted > 1000 and sum(r["planted"].values()) == planted  # every note's planted items were checked
    assert r["redacted"] >= 0.99, r
    assert r["leaked"].get("emails", 0) == 0 and r["leaked"].get("phones", 0) == 0


def test_no_name_from_the_export_columns_survives_in_the_database(fitted_store, sample_files):
    import csv
    names = set()
    with open(sample_files[0], encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for col in ("Frontline Partner", "Executive"):
                names.add(row[col])
                names.update(row[col].split())
    assert len(names) > 100
    assert evaluate.surviving_column_names(fitted_store, names) == []


CANARY = "Ottoline Brackwater"


def page_text(node) -> str:
    """Everything a page rendered: every element's protobuf, as text."""
    children = getattr(node, "children", None)
    if children:
        return "\n".join(page_text(c) for c in children.values())
    return str(getattr(node, "proto", ""))


def test_canary_name_never_reaches_the_database_exports_or_pages(fitted_copy, write_csv, tmp_path, monkeypatch):
    settings, st = fitted_copy
    path = write_csv([note_row(1, f"Talked with {CANARY} about the new CRM logging reps out mid-visit. "
                                  f"{CANARY.split()[0]} says the sample inventory runs out every month."),
                      note_row(2, f"Physicians keep calling {CANARY.split()[1]}'s desk because prior-auth approvals take two weeks.")])
    pipeline.import_file(st, settings, path)
    pipeline.fit(st, settings)
    parts = CANARY.split()
    blob = repr(dump(st))
    leaked = [p for p in parts if p in blob]  # (not `assert p not in blob`: pytest would diff megabytes)
    assert leaked == []
    out = tmp_path / "export.csv"
    export.write_csv(export.statements_table(st.statements_frame()), out)
    assert [p for p in parts if p in out.read_text()] == []
    raw = Path(settings.db_url.removeprefix("sqlite:///")).read_bytes()
    wal = Path(settings.db_url.removeprefix("sqlite:///") + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    assert not any(p.encode() in raw for p in parts)  # not even in free pages

    from streamlit.testing.v1 import AppTest
    from synth import auth
    for key, value in {"SYNTH_DB_URL": settings.db_url, "SYNTH_SECRET_FILE": settings.secret_file,
                       "SYNTH_USERS_FILE": settings.users_file}.items():
        monkeypatch.setenv(key, value)
    auth.ensure_demo_users(Path(settings.users_file))
    at = AppTest.from_file(str(Path(__file__).parent.parent / "app.py"), default_timeout=120)
    at.run()
    at.text_input[0].input("admin")
    at.text_input[1].input("admin-demo")
    at.button[0].click()
    at.run()
    for page in ("surfacing", "themes", "regions", "curate", "export"):
        at.switch_page(f"synth/dashboard/pages/{page}.py")
        at.run()
        shown = page_text(at.main) + repr([d.value.to_csv() for d in at.dataframe])
        assert [p for p in parts if p in shown] == [], page


def test_sigkill_during_an_import_leaves_the_database_exactly_as_before(fitted_copy, tmp_path):
    settings, st = fitted_copy
    export_path, _ = sample.write(tmp_path, n_notes=1500, seed=99, name="second")
    before = dump(st)
    db_file = Path(settings.db_url.removeprefix("sqlite:///"))
    wal = Path(str(db_file) + "-wal")
    env = {**os.environ, "SYNTH_DB_URL": settings.db_url, "SYNTH_SECRET_FILE": settings.secret_file,
           "SYNTH_MODELS_DIR": settings.models_dir}
    proc = subprocess.Popen([sys.executable, "-m", "synth.cli", "import", str(export_path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(3)
    baseline = wal.stat().st_size if wal.exists() else 0
    deadline = time.time() + 240
    # The write transaction (notes, statements, then embedding and assigning them to themes)
    # spills pages into the WAL as it goes: kill it once that has clearly started.
    while time.time() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > baseline + 256 * 1024:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the import finished before it could be killed: " + proc.stderr.read().decode()[-500:]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    con = sqlite3.connect(db_file)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    assert dump(st) == before
