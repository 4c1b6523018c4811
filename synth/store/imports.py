"""Imports: one write path that lands an import whole or not at all, and its undo."""

from __future__ import annotations

import json
from typing import Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from synth.errors import ImportRefused, NotFound
from synth.records import ImportSummary, ProcessedNote
from synth.store.schema import assignments, imports, notes, now, statements, theme_edits


class Imports:
    def existing_hashes(self, hashes: Sequence[str]) -> set[str]:
        with self.engine.connect() as conn:
            return _existing_hashes(conn, hashes)

    def write_import(self, *, file_name: str, sha256: str, who: str, rows_total: int, rows_skipped: int,
                     processed: Sequence[ProcessedNote], store_raw_text: bool,
                     after_notes=None, already_stored: int = 0, import_id: int | None = None) -> ImportSummary:
        """Write one import in a single transaction. Notes whose content hash is already
        stored (or repeated within the file) are counted as duplicates and not written.
        `after_notes(conn, statement_ids)` runs inside the same transaction, for theme assignment.
        `import_id`: add the notes to this partial import instead of recording a new one (one
        partition of a large import, see synth/backfill.py); its totals grow by the partition's."""
        try:
            with self.engine.begin() as conn:
                return self._write_import(conn, file_name=file_name, sha256=sha256, who=who, rows_total=rows_total,
                                          rows_skipped=rows_skipped, processed=processed, store_raw_text=store_raw_text,
                                          after_notes=after_notes, already_stored=already_stored, import_id=import_id)
        except sa.exc.IntegrityError as exc:
            # Only a writer that ignores the lock below gets here. The exception's text holds
            # the rows (redacted text, pseudonyms): it is never shown.
            if "content_hash" not in str(exc.orig):
                raise
            raise ImportRefused(
                f"{file_name}: another import stored some of the same notes at the same moment, so nothing from "
                "this one was saved. Import the file again: the notes already stored will be skipped as duplicates."
            ) from None

    def _write_import(self, conn: Connection, *, file_name: str, sha256: str, who: str, rows_total: int,
                      rows_skipped: int, processed: Sequence[ProcessedNote], store_raw_text: bool,
                      after_notes, already_stored: int, import_id: int | None) -> ImportSummary:
        # The first write of the transaction takes the database's write lock (SQLite waits for
        # it up to the busy timeout; PostgreSQL's lock below lets readers on), and only then are
        # the stored hashes read: two imports of the same notes at once are serialised, and the
        # second finds the first's notes stored instead of failing on the unique content hash.
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("LOCK TABLE notes IN SHARE ROW EXCLUSIVE MODE")
        if import_id is None:
            import_id = conn.execute(imports.insert().values(
                file_name=file_name, sha256=sha256, imported_by=who, imported_at=now(), rows_total=rows_total,
                notes_added=0, duplicates=0, rows_skipped=rows_skipped, statements_added=0, status="committed",
            ).returning(imports.c.id)).scalar_one()
        else:
            # a write that changes nothing, for the lock: the totals grow once the duplicates are known
            conn.execute(imports.update().where(imports.c.id == import_id).values(notes_added=imports.c.notes_added))
        seen: set[str] = set()
        fresh: list[ProcessedNote] = []
        hashes = [p.note.content_hash for p in processed]
        already = _existing_hashes(conn, hashes)
        for p, h in zip(processed, hashes):
            if h in already or h in seen:
                continue
            seen.add(h)
            fresh.append(p)
        conn.execute(imports.update().where(imports.c.id == import_id).values(
            notes_added=imports.c.notes_added + len(fresh),
            duplicates=imports.c.duplicates + already_stored + len(processed) - len(fresh)))
        statement_ids: list[int] = []
        issues = 0
        for i in range(0, len(fresh), 1000):
            batch = fresh[i:i + 1000]
            note_rows = [dict(
                import_id=import_id, note_key=p.note.note_key, content_hash=p.note.content_hash,
                meeting_date=p.note.meeting_date, region=p.note.region, office=p.note.office,
                partner_key=self.pseudonym(p.note.partner), executive_key=self.pseudonym(p.note.executive),
                redacted_text=p.redacted_text, raw_text=p.note.text if store_raw_text else None,
                cohort=p.note.cohort or None,
            ) for p in batch]
            ids = conn.execute(notes.insert().returning(notes.c.id, sort_by_parameter_order=True),
                               note_rows).scalars().all()
            st_rows = [dict(
                note_id=nid, position=s.position, start_char=s.start, end_char=s.end, text=s.text,
                text_hash=s.text_hash, is_issue=s.is_issue, drop_reason=s.drop_reason,
                keyphrases=json.dumps(list(s.keyphrases)),
            ) for nid, p in zip(ids, batch) for s in p.statements]
            if st_rows:
                new_ids = conn.execute(
                    statements.insert().returning(statements.c.id, statements.c.is_issue,
                                                  sort_by_parameter_order=True), st_rows).all()
                statement_ids.extend(r.id for r in new_ids if r.is_issue)
                issues += sum(1 for r in new_ids if r.is_issue)
        n_statements = sum(len(p.statements) for p in fresh)
        conn.execute(imports.update().where(imports.c.id == import_id).values(statements_added=imports.c.statements_added + n_statements))
        extra = after_notes(conn, statement_ids) if after_notes and statement_ids else {}
        return ImportSummary(
            import_id=import_id, file_name=file_name, rows_total=rows_total, notes_added=len(fresh),
            duplicates=already_stored + len(processed) - len(fresh), rows_skipped=rows_skipped,
            statements_added=n_statements, issues_found=issues, **(extra or {}),
        )

    def undo_import(self, import_id: int, who: str) -> int:
        """Remove an import's notes (and their statements and assignments). Returns notes removed."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(imports).where(imports.c.id == import_id)).first()
            if row is None:
                raise NotFound(f"There is no import #{import_id}. `synth imports` lists them.")
            if row.status == "undone":
                raise NotFound(f"Import #{import_id} was already undone.")
            note_ids = sa.select(notes.c.id).where(notes.c.import_id == import_id)
            st_ids = sa.select(statements.c.id).where(statements.c.note_id.in_(note_ids))
            conn.execute(assignments.delete().where(assignments.c.statement_id.in_(st_ids)))
            conn.execute(statements.delete().where(statements.c.note_id.in_(note_ids)))
            removed = conn.execute(notes.delete().where(notes.c.import_id == import_id)).rowcount
            conn.execute(imports.update().where(imports.c.id == import_id).values(status="undone"))
            conn.execute(theme_edits.insert().values(
                theme_id=0, action="undo-import", payload=json.dumps({"import_id": import_id}), who=who, at=now()))
        return removed

    def list_imports(self) -> pd.DataFrame:
        """Every import, newest first, with `issue_statements`: the issue statements it holds
        now (the ones themed and counted on the home page; none once it is undone). The
        stored `statements_added` counts every statement its notes were split into."""
        issues = (sa.select(notes.c.import_id, sa.func.count().label("n"))
                  .join(statements, statements.c.note_id == notes.c.id)
                  .where(statements.c.is_issue).group_by(notes.c.import_id).subquery())
        q = (sa.select(imports, sa.func.coalesce(issues.c.n, 0).label("issue_statements"))
             .outerjoin(issues, issues.c.import_id == imports.c.id).order_by(imports.c.id.desc()))
        with self.engine.connect() as conn:
            return pd.read_sql(q, conn)


def _existing_hashes(conn: Connection, hashes: Sequence[str]) -> set[str]:
    """Which of these note content hashes are stored (looked up 500 at a time)."""
    found: set[str] = set()
    for i in range(0, len(hashes), 500):
        chunk = list(hashes[i:i + 500])
        found.update(conn.execute(sa.select(notes.c.content_hash).where(notes.c.content_hash.in_(chunk))).scalars())
    return found

