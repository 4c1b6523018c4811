"""Large imports on Dask (synth/backfill.py): a LocalCluster of 2 worker processes imports a
60-note file in 3 partitions; what is stored equals a one-process import of the same file,
and an import interrupted after a partition is hidden, resumable and undoable as a unit."""

from __future__ import annotations

import csv
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from synth import pipeline, sample
from synth.config import Settings
from synth.errors import ImportRefused
from synth.store import open_store
from synth.store import schema as db
from tests.conftest import dump

distributed = pytest.importorskip("distributed")

# A full name in the first partition and the surname alone in the last: only the names learned
# across partitions redact it there, as a one-process import does.
NAMED = {0: "Ottoline Brackwater said the handheld scanners at the depot keep failing during the morning rush.",
         59: "Brackwater again raised that the forklift batteries die every afternoon and nobody replaces them."}


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as c:
        yield c


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A store with themes fitted on a small program, so that imported statements join themes."""
    folder = tmp_path_factory.mktemp("backfill-base")
    export, _ = sample.write(folder / "files", n_notes=300, seed=5)
    settings = Settings.for_directory(folder)
    st = open_store(settings)
    pipeline.import_file(st, settings, export, who="test")
    pipeline.fit(st, settings, who="test")
    st.close()
    return folder


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    rows, _ = sample.generate(n_notes=60, seed=23)
    for i, note in NAMED.items():
        rows[i]["Meeting Notes"] = note
    path = tmp_path_factory.mktemp("backfill-file") / "backfill.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _copy(base: Path, target: Path, **overrides) -> tuple[Settings, object]:
    shutil.copytree(base, target)
    settings = Settings.for_directory(target, **overrides)
    return settings, open_store(settings)


def stored(store) -> dict:
    """What an import leaves, keyed by content rather than row ids: notes, their statements
    (split, redacted text, is_issue, keyphrases), each statement's theme, and the themes."""
    with store.engine.connect() as conn:
        notes = {r.id: r for r in conn.execute(sa.select(db.notes))}
        rows = conn.execute(
            sa.select(db.statements, db.assignments.c.theme_id, db.assignments.c.score, db.assignments.c.method)
            .outerjoin(db.assignments, db.assignments.c.statement_id == db.statements.c.id)).all()
        themes = sorted((r.id, r.label, r.active, r.provisional) for r in conn.execute(sa.select(db.themes)))
        embedded = set(conn.execute(sa.select(db.embeddings.c.text_hash)).scalars())
    return dict(
        notes=sorted((n.content_hash, n.note_key, n.redacted_text, n.region, n.office, str(n.meeting_date),
                      n.partner_key) for n in notes.values()),
        statements=sorted((notes[r.note_id].content_hash, r.position, r.start_char, r.end_char, r.text, bool(r.is_issue),
                           r.drop_reason, r.keyphrases, r.theme_id, r.method,
                           None if r.score is None else round(r.score, 5)) for r in rows),
        themes=themes,
        issues_embedded=all(r.text_hash in embedded for r in rows if r.is_issue and r.theme_id is not None),
    )


def visible(store) -> tuple:
    """What pages, reports and fits read."""
    return (store.statement_rows(issues_only=False).to_dict("list"), store.notes_frame().to_dict("list"),
            store.data_version().imports)


def test_dask_import_stores_what_a_plain_import_stores(base, export, cluster, tmp_path):
    plain_settings, plain = _copy(base, tmp_path / "plain")
    dask_settings, on_dask = _copy(base, tmp_path / "dask", dask_scheduler=cluster.scheduler_address,
                                   dask_partition_notes=20)
    try:
        a = pipeline.import_file(plain, plain_settings, export, who="test")
        b = pipeline.import_file(on_dask, dask_settings, export, who="test")
        expected, got = stored(plain), stored(on_dask)
        assert got == expected
        assert [(s.notes_added, s.statements_added, s.issues_found, s.themed, s.unthemed, s.new_themes)
                for s in (a, b)] == [(a.notes_added, a.statements_added, a.issues_found, a.themed, a.unthemed,
                                     a.new_themes)] * 2
        assert a.notes_added == 60 and a.themed > 0  # the statements did join themes
        assert b.import_id is not None and on_dask.list_imports().iloc[0]["status"] == "committed"
        text = " ".join(n[2] for n in got["notes"])
        assert "Brackwater" not in text and "Ottoline" not in text
        # Dask embedded every issue statement for the next fit; the plain import only what it assigned.
        with on_dask.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(db.embeddings)).scalar() >= a.issues_found
    finally:
        plain.close()
        on_dask.close()


def test_interrupted_dask_import_is_hidden_then_resumes_to_the_same_notes(base, export, cluster, tmp_path, monkeypatch):
    plain_settings, plain = _copy(base, tmp_path / "plain")
    settings, st = _copy(base, tmp_path / "dask", dask_scheduler=cluster.scheduler_address, dask_partition_notes=20)
    try:
        pipeline.import_file(plain, plain_settings, export, who="test")
        before, shown_before = dump(st), visible(st)
        write = type(st).write_partition
        calls = []

        def dies_after_one(self, *args, **kwargs):
            calls.append(1)
            if len(calls) == 2:
                raise KeyboardInterrupt  # the process killed after its first partition committed
            return write(self, *args, **kwargs)

        monkeypatch.setattr(type(st), "write_partition", dies_after_one)
        with pytest.raises(KeyboardInterrupt):
            pipeline.import_file(st, settings, export, who="test")
        monkeypatch.undo()
        partial = st.list_imports().iloc[0]
        assert partial["status"] == "partial" and 0 < partial["notes_added"] < 60
        assert visible(st) == shown_before  # pages, reports and fits see nothing of it
        assert dump(st) != before  # though its first partition is in the tables

        # Without the setting, the file is refused with what to do, and nothing changes.
        with pytest.raises(ImportRefused, match=f"synth undo {partial['id']}"):
            pipeline.import_file(st, replace(settings, dask_scheduler=""), export, who="test")

        # Undone as a unit: the database is exactly as before the import.
        undo_settings, undo_store = _copy(tmp_path / "dask", tmp_path / "undo")
        undo_store.undo_import(int(partial["id"]), who="test")
        after_undo = dump(undo_store)
        assert after_undo["notes"] == before["notes"] and after_undo["statements"] == before["statements"]
        assert after_undo["assignments"] == before["assignments"] and after_undo["meta"] == before["meta"]
        undo_store.close()

        # Resumed: the same import id, and the same notes, statements and themes as uninterrupted.
        s = pipeline.import_file(st, settings, export, who="test")
        assert s.import_id == partial["id"] and s.notes_added == 60 and s.duplicates == 0
        assert stored(st) == stored(plain)
        assert st.list_imports().iloc[0]["status"] == "committed"
        assert visible(st) != shown_before
        with st.engine.connect() as conn:  # the learned names' hashes went with the partial state
            assert not [k for k in conn.execute(sa.select(db.meta.c.key)).scalars() if k.startswith("partial-import")]
    finally:
        plain.close()
        st.close()
