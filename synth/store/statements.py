"""Notes and statements as frames for the pages, the CLI and the reports, always scoped by region in SQL."""

from __future__ import annotations

from typing import Iterable, Sequence

import pandas as pd
import sqlalchemy as sa

from synth import cohorts
from synth.store.schema import assignments, imports, iso, notes, read_frame, statements, theme_edits, themes


def with_themes(rows: pd.DataFrame, assigned: pd.DataFrame) -> pd.DataFrame:
    """`Store.statement_rows` joined with `Store.assignments_frame`, in the rows' order."""
    return rows.merge(assigned, on="statement_id", how="left", validate="one_to_one")


def shown(query):
    """`query` without the notes of partial imports: a large import written partition by partition
    (synth/backfill.py) is seen by pages, reports, exports and fits only once it is complete."""
    return query.where(notes.c.import_id.not_in(sa.select(imports.c.id).where(imports.c.status == "partial")))



def _in_scope(query, regions: Iterable[str] | None, imports: Sequence[int] | None):
    """`query` over notes limited to what pages may show (`shown`), to `regions` and to
    `imports` (each: all when None)."""
    query = shown(query)
    if regions is not None:
        query = query.where(notes.c.region.in_(list(regions)))
    if imports is not None:
        query = query.where(notes.c.import_id.in_(list(imports)))
    return query


class Statements:
    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            one = lambda q: int(conn.execute(q).scalar_one())
            return {
                "notes": one(sa.select(sa.func.count()).select_from(notes)),
                "statements": one(sa.select(sa.func.count()).select_from(statements)),
                "issues": one(sa.select(sa.func.count()).select_from(statements).where(statements.c.is_issue)),
                "themes": one(sa.select(sa.func.count()).select_from(themes).where(themes.c.active)),
            }

    def notes_frame(self, regions: Iterable[str] | None = None, imports: Sequence[int] | None = None) -> pd.DataFrame:
        """Notes in `regions` (all when None), from the given imports only (all when None)."""
        q = sa.select(notes.c.id, notes.c.note_key, iso(notes.c.meeting_date), notes.c.region, notes.c.office,
                      notes.c.partner_key, notes.c.executive_key).order_by(notes.c.id)
        with self.engine.connect() as conn:
            df = read_frame(conn, _in_scope(q, regions, imports))
        df["meeting_date"] = pd.to_datetime(df["meeting_date"])
        return df

    def statements_frame(self, regions: Iterable[str] | None = None, issues_only: bool = True) -> pd.DataFrame:
        """One row per statement with its note's scope and its theme (NULL when unthemed).
        `regions` restricts rows in the query itself: callers pass the viewer's allowed regions.
        With `issues_only=False` the rows also say whether each is an issue and why not. `cohort`:
        the partner's cohort (`partner_cohorts`)."""
        rows = with_themes(self.statement_rows(regions, issues_only), self.assignments_frame(regions))
        return cohorts.with_cohorts(rows, self.partner_cohorts())

    def statement_rows(self, regions: Iterable[str] | None = None, issues_only: bool = True,
                       imports: Sequence[int] | None = None) -> pd.DataFrame:
        """`statements_frame` without the themes: what changes only when notes are imported or
        undone, so the dashboard keeps it across refits and curation edits. `imports`: only
        the statements of these imports."""
        cols = [statements.c.id.label("statement_id"), statements.c.text]
        if not issues_only:
            cols += [statements.c.is_issue, statements.c.drop_reason]
        q = (sa.select(*cols, notes.c.id.label("note_id"), notes.c.note_key, iso(notes.c.meeting_date),
                       notes.c.region, notes.c.office, notes.c.partner_key)
             .join(notes, statements.c.note_id == notes.c.id)
             .order_by(statements.c.id))
        if issues_only:
            q = q.where(statements.c.is_issue)
        with self.engine.connect() as conn:
            df = read_frame(conn, _in_scope(q, regions, imports))
        df["meeting_date"] = pd.to_datetime(df["meeting_date"])
        if not issues_only:
            df["is_issue"] = df["is_issue"].astype(bool)
        return df

    def assignments_frame(self, regions: Iterable[str] | None = None) -> pd.DataFrame:
        """Each assigned statement's theme, score, method and theme label."""
        q = sa.select(assignments.c.statement_id, assignments.c.theme_id, assignments.c.score, assignments.c.method)
        if regions is not None:
            q = (q.join(statements, statements.c.id == assignments.c.statement_id)
                 .join(notes, notes.c.id == statements.c.note_id).where(notes.c.region.in_(list(regions))))
        with self.engine.connect() as conn:
            df = read_frame(conn, q)
            # Labels mapped here rather than joined in SQL: a third less to read per row.
            labels = dict(conn.execute(sa.select(themes.c.id, themes.c.label)).all())
        df["theme_id"] = df["theme_id"].astype("Int64")
        df["score"] = df["score"].astype(float)
        df["theme_label"] = df["theme_id"].map(labels).astype(object)
        return df

    def offices(self) -> set[str]:
        """Every office a note comes from (names to keep out of free text)."""
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(notes.c.office).distinct()).scalars())

    def themes_raised_in(self, regions: Iterable[str], outside: bool = False) -> set[int]:
        """Ids of the themes with at least one issue statement from these regions (`outside`:
        from any other region)."""
        region = notes.c.region.not_in(list(regions)) if outside else notes.c.region.in_(list(regions))
        q = (sa.select(assignments.c.theme_id).distinct()
             .join(statements, statements.c.id == assignments.c.statement_id)
             .join(notes, notes.c.id == statements.c.note_id)
             .where(assignments.c.theme_id.is_not(None), statements.c.is_issue, region))
        q = shown(q)
        with self.engine.connect() as conn:
            return set(conn.execute(q).scalars())

    # ---- for measuring synth against a sample's truth (synth/evaluate.py) ----------------
    def statement_spans(self) -> list[dict]:
        """Every statement with where it sits in its note, its note's key and its theme."""
        q = (sa.select(statements.c.id, statements.c.start_char, statements.c.end_char, statements.c.is_issue,
                       statements.c.drop_reason, statements.c.text, notes.c.note_key, assignments.c.theme_id)
             .join(notes, notes.c.id == statements.c.note_id)
             .join(assignments, assignments.c.statement_id == statements.c.id, isouter=True))
        with self.engine.connect() as conn:
            return [r._asdict() for r in conn.execute(q)]

    def redacted_texts(self) -> dict[str, str]:
        """Each note's stored (redacted) text by its note key."""
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.select(notes.c.note_key, notes.c.redacted_text)).all())

    def stored_strings(self) -> list[str]:
        """Every string value kept in the tables that hold note-derived text: what a leak check reads."""
        out: list[str] = []
        with self.engine.connect() as conn:
            for table in (notes, statements, themes, imports, theme_edits):
                for row in conn.execute(sa.select(table)):
                    out.extend(v for v in row if isinstance(v, str))
        return out

    def copy_notes(self, copies: int) -> None:
        """Benchmarks only: grow a store by copying its notes, statements and assignments `copies`
        times (ids shifted by k * 10^7, so rows stay linked without joins; content hashes cut to
        fit their 64 characters with the copy's number, which PostgreSQL enforces). Each copy is
        met by partners of its own (keys marked with the copy's number), as a larger company's
        notes would be: copies of the same partners would make every count per partner small."""
        with self.engine.begin() as conn:
            for k in range(1, copies + 1):
                off = k * 10_000_000
                conn.execute(sa.text(
                    "INSERT INTO notes (id, import_id, note_key, content_hash, meeting_date, region, office, partner_key, "
                    "executive_key, redacted_text, raw_text) SELECT id + :off, import_id, note_key || '-c' || :k, "
                    "substr(content_hash, 1, 56) || '-c' || :k, meeting_date, region, office, substr(partner_key, 1, 24) || '-c' || :k, "
                    "executive_key, redacted_text, "
                    "raw_text FROM notes WHERE id < 10000000"), {"k": k, "off": off})
                conn.execute(sa.text(
                    "INSERT INTO statements (id, note_id, position, start_char, end_char, text, text_hash, is_issue, "
                    "drop_reason, keyphrases) SELECT id + :off, note_id + :off, position, start_char, end_char, text, "
                    "text_hash, is_issue, drop_reason, keyphrases FROM statements WHERE id < 10000000"), {"off": off})
                conn.execute(sa.text(
                    "INSERT INTO assignments (statement_id, theme_id, run_id, score, method, pinned) SELECT "
                    "statement_id + :off, theme_id, run_id, score, method, pinned FROM assignments "
                    "WHERE statement_id < 10000000"), {"off": off})
        with self.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))  # the planner's row counts, as a store grown by imports would have
