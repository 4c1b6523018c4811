"""Partial imports: a large import written one partition at a time (synth/backfill.py).

From its first partition until `complete_import`, an import's status is 'partial': its notes are
in the tables, but every reader skips them (`statements.shown`), so no page, report, export or
fit sees half an import. Running the same file again resumes it; `undo_import` removes every
partition it wrote.

The names learned from the notes (parts of full names spaCy saw), which must be redacted in
every partition, are kept with the partial import as keyed hashes only, never as names, in
`meta` under `partial-import:<id>`, and deleted when the import completes or is undone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Callable, NamedTuple, Sequence

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from synth.records import ImportSummary, ProcessedNote
from synth.store.schema import (assignments, embeddings, imports, insert_missing, meta, notes, now, runs, statements,
                                themes)

CHUNK = 5000  # ids per IN (...): well under SQLite's limit on bound parameters


class PartialImport(NamedTuple):
    import_id: int
    run_id: int | None  # the 'assign' run its statements' theme assignments belong to; None: not assigned
    names: frozenset[str]  # keyed hashes of the learned names, as written
    lowered: frozenset[str]  # keyed hashes of their lower-case forms (keyphrases are lower-case)


def _key(import_id: int) -> str:
    return f"partial-import:{import_id}"


class PartialImports:
    def partial_import(self, sha256: str) -> PartialImport | None:
        """The unfinished import of the file with this hash, if there is one."""
        with self.engine.connect() as conn:
            import_id = conn.execute(sa.select(imports.c.id).where(imports.c.sha256 == sha256, imports.c.status == "partial")
                                     .order_by(imports.c.id.desc()).limit(1)).scalar()
            if import_id is None:
                return None
            state = json.loads(conn.execute(sa.select(meta.c.value).where(meta.c.key == _key(import_id))).scalar() or "{}")
        return PartialImport(import_id, state.get("run_id"), frozenset(state.get("names", ())),
                             frozenset(state.get("lowered", ())))

    def begin_import(self, *, file_name: str, sha256: str, who: str, rows_total: int, rows_skipped: int,
                     names: Sequence[str], lowered: Sequence[str], assign: bool) -> PartialImport:
        """Record a partial import (no notes yet) and, when its statements are to join themes, its
        'assign' run: one transaction, so an import that dies before its first partition leaves
        a row that a resume picks up, and nothing else."""
        with self.engine.begin() as conn:
            import_id = conn.execute(imports.insert().values(
                file_name=file_name, sha256=sha256, imported_by=who, imported_at=now(), rows_total=rows_total,
                notes_added=0, duplicates=0, rows_skipped=rows_skipped, statements_added=0, status="partial",
            ).returning(imports.c.id)).scalar_one()
            run_id = None
            if assign:
                run_id = conn.execute(runs.insert().values(kind="assign", started_at=now(), finished_at=None,
                                                           status="running", params=json.dumps({"import_id": import_id}))
                                      .returning(runs.c.id)).scalar_one()
            state = dict(run_id=run_id, names=sorted(names), lowered=sorted(lowered))
            conn.execute(meta.insert().values(key=_key(import_id), value=json.dumps(state)))
        return PartialImport(import_id, run_id, frozenset(names), frozenset(lowered))

    def write_partition(self, partial: PartialImport, processed: Sequence[ProcessedNote], *, store_raw_text: bool,
                        vectors: dict[str, np.ndarray], model_id: str,
                        assigned: dict[str, tuple[int | None, float]] | None) -> ImportSummary:
        """One partition in one transaction: its notes and statements (those already stored are
        duplicates, as in `write_import`), the vectors of its issue statements (text hash ->
        vector) and their themes (text hash -> (theme id or None, similarity))."""

        def after(conn: Connection, statement_ids: list[int]) -> dict:
            rows = [dict(text_hash=h, model=model_id, vector=np.asarray(v, dtype=np.float32).tobytes())
                    for h, v in vectors.items()]
            for i in range(0, len(rows), 1000):
                conn.execute(insert_missing(conn, embeddings, rows[i:i + 1000]))
            if assigned is not None and partial.run_id is not None:
                for i in range(0, len(statement_ids), CHUNK):
                    found = conn.execute(sa.select(statements.c.id, statements.c.text_hash)
                                         .where(statements.c.id.in_(statement_ids[i:i + CHUNK]))).all()
                    conn.execute(assignments.insert(), [
                        dict(statement_id=r.id, theme_id=assigned[r.text_hash][0], score=assigned[r.text_hash][1],
                             run_id=partial.run_id, method="assign", pinned=False) for r in found])
            return {}

        return self.write_import(file_name="", sha256="", who="", rows_total=0, rows_skipped=0, processed=processed,
                                 store_raw_text=store_raw_text, after_notes=after, import_id=partial.import_id)

    def complete_import(self, partial: PartialImport, notes_in_file: int,
                        after: Callable[[Connection, list[int], int], dict] | None = None) -> ImportSummary:
        """Make a partial import visible, in one transaction: `after(conn, issue statement ids,
        run id)` (new themes formed from its statements) runs inside it; every note of the file
        not added by this import counts as a duplicate."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(imports).where(imports.c.id == partial.import_id)).one()
            issue_ids = list(conn.execute(
                sa.select(statements.c.id).join(notes, notes.c.id == statements.c.note_id)
                .where(notes.c.import_id == partial.import_id, statements.c.is_issue).order_by(statements.c.id)).scalars())
            extra = after(conn, issue_ids, partial.run_id) if after and issue_ids and partial.run_id is not None else {}
            duplicates = notes_in_file - row.notes_added
            conn.execute(imports.update().where(imports.c.id == partial.import_id).values(
                status="committed", duplicates=duplicates, imported_at=now()))
            if partial.run_id is not None:
                conn.execute(runs.update().where(runs.c.id == partial.run_id).values(status="done", finished_at=now()))
            conn.execute(meta.delete().where(meta.c.key == _key(partial.import_id)))
        return ImportSummary(import_id=partial.import_id, file_name=row.file_name, rows_total=row.rows_total,
                             notes_added=row.notes_added, duplicates=duplicates, rows_skipped=row.rows_skipped,
                             statements_added=row.statements_added, issues_found=len(issue_ids), **(extra or {}))

    def assignment_counts(self, conn: Connection, statement_ids: Sequence[int]) -> dict:
        """What an import's statements joined: old themes (method 'assign'), new provisional ones, none."""
        got: list = []
        for i in range(0, len(statement_ids), CHUNK):
            got += conn.execute(sa.select(assignments.c.theme_id, assignments.c.method)
                                .where(assignments.c.statement_id.in_(list(statement_ids[i:i + CHUNK])))).all()
        old = [t for t, method in got if t is not None and method == "assign"]
        unthemed = sum(t is None for t, _ in got)
        return dict(themed=len(old), unthemed=unthemed, themes_touched=len(set(old)),
                    new_theme_statements=len(got) - len(old) - unthemed)

    def undo_import(self, import_id: int, who: str) -> int:
        removed = super().undo_import(import_id, who)
        with self.engine.begin() as conn:  # a partial import's learned names go with it
            conn.execute(meta.delete().where(meta.c.key == _key(import_id)))
        return removed

    def theme_targets(self) -> tuple[list[int], np.ndarray, float | None]:
        """What a new statement may join: the active themes' ids and centroids, and the
        similarity the last fit admitted members at (None before any fit)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(themes.c.id, themes.c.centroid)
                                .where(themes.c.active, themes.c.centroid.is_not(None))).all()
            params = conn.execute(sa.select(runs.c.params).where(runs.c.kind == "fit", runs.c.status == "done")
                                  .order_by(runs.c.id.desc()).limit(1)).scalar()
        cents = (np.vstack([np.frombuffer(r.centroid, dtype=np.float32) for r in rows]) if rows
                 else np.zeros((0, 384), np.float32))
        return [r.id for r in rows], cents, json.loads(params).get("assign_threshold") if params else None

    def derived_key(self, purpose: str) -> bytes:
        """A key for one purpose, derived from the pseudonym key, so that the key itself never
        has to leave this process (Dask workers get the derived one)."""
        return hmac.new(self._secret, f"synth:{purpose}".encode(), hashlib.sha256).digest()
