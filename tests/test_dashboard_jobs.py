"""Jobs on the dashboard (issue #16): a large upload is imported as a job that this server's
background thread runs, and the sidebar shows it until it ends (AppTest, real SQLite)."""

import time

from test_dashboard import app_env, signed_in  # noqa: F401  (app_env is a fixture)
from test_dashboard_uploads import csv_bytes, errors

from conftest import note_row


def _sidebar_texts(at) -> list[str]:
    return [f"{getattr(e, 'value', '')} {getattr(e, 'proto', '')}" for e in at.sidebar.get("caption") + at.sidebar.get("progress")]


def test_a_large_upload_is_imported_as_a_job_with_its_progress_in_the_sidebar(app_env, monkeypatch):
    settings, store = app_env
    monkeypatch.setenv("SYNTH_BACKGROUND_IMPORT_ROWS", "2")  # three rows make a "large" file here
    before = len(store.notes_frame())
    at = signed_in("coordinator")
    at.file_uploader[0].set_value(("big.csv", csv_bytes(
        [note_row(800 + i, f"The loaner laptops at the Plano clinic never come back charged, week {i}.",
                  partner=f"Laptop Partner{i}") for i in range(3)]), "text/csv"))
    at.run()
    next(b for b in at.button if b.label == "Import").click()
    at.run()
    assert not at.exception and not at.error, errors(at)
    job_id = int(store.jobs_frame()["id"].max())
    assert any(f"job #{job_id}" in i.value for i in at.info), [i.value for i in at.info]
    assert store.job(job_id).kind == "import" and store.job(job_id).payload["file_name"] == "big.csv"
    assert len(store.notes_frame()) == before or store.job(job_id).state != "queued"  # not imported by the page
    deadline = time.time() + 300
    while store.job(job_id).state in ("queued", "running") and time.time() < deadline:
        at.run()  # the page is drawn again as the browser's two-second refresh would
        assert not at.exception, at.exception
        time.sleep(1)
    job = store.job(job_id)
    assert job.state == "done", job
    assert len(store.notes_frame()) == before + 3
    at.run()
    assert any(f"Job #{job_id}: import #{job.result['import_id']}" in s.value for s in at.success), \
        [s.value for s in at.success]
    assert not any(f"Job #{job_id}" in t for t in _sidebar_texts(at))  # nothing left in progress


def test_a_refit_in_progress_is_told_in_plain_words_not_stage_names(app_env):
    from synth.dashboard import ui

    assert ui.job_progress("fit", "running", "cluster", 1, 1) == ("Refitting themes: Grouping the statements into themes",
                                                                 None)
    line, share = ui.job_progress("import", "running", "text", 40, 160)
    assert line == ("Importing: Reading the notes, taking out names and splitting them into statements "
                    "(40 of 160 notes)") and share == 0.25
    assert ui.job_progress("fit", "queued", "waiting for a worker", 0, 0)[0] == "Refitting themes: Waiting to start"
    # the sidebar of a page open while another server's worker is grouping statements
    settings, store = app_env
    job_id = store.enqueue_job("fit", {}, "admin")
    assert store.claim_job("elsewhere", kinds=["fit"]).id == job_id
    store.beat_job(job_id, "elsewhere", 1, 1, "cluster")
    at = signed_in("admin")
    shown = " ".join(_sidebar_texts(at))
    assert f"Job #{job_id} · Refitting themes: Grouping the statements into themes" in shown, shown
    assert "cluster" not in shown and "1/1" not in shown
