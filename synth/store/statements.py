"""Notes and statements as frames for the pages, the CLI and the reports, always scoped by region in SQL."""

from __future__ import annotations

from typing import Iterable, Sequence

import pandas as pd
import sqlalchemy as sa

from synth.store.schema import assignments, imports, notes, read_frame, iso, statements, themes


def with_themes(rows: pd.DataFrame, assigned: pd.DataFrame) -> pd.DataFrame:
    """`Store.statement_rows` joined with `Store.assignments_frame`, in the rows' order."""
    return rows.merge(assigned, on="statement_id", how="left", validate="one_to_one")


def shown(query):
    """`query` without the notes of partial imports: a large import written partition by partition
    (synth/backfill.py) is seen by pages, reports, exports and fits only once it is complete."""
    return query.where(notes.c.import_id.not_in(sa.select(imports.c.id).where(imports.c.status == "partial")))



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
        q = shown(q)
        if regions is not None:
            q = q.where(notes.c.region.in_(list(regions)))
        if imports is not None:
            q = q.where(notes.c.import_id.in_(list(imports)))
        with self.engine.connect() as conn:
            df = read_frame(conn, q)
        df["meeting_date"] = pd.to_datetime(df["meeting_date"])
        return df

    def statements_frame(self, regions: Iterable[str] | None = None, issues_only: bool = True) -> pd.DataFrame:
        """One row per statement with its note's scope and its theme (NULL when unthemed).
        `regions` restricts rows in the query itself: callers pass the viewer's allowed regions.
        With `issues_only=False` the rows also say whether each is an issue and why not."""
        return with_themes(self.statement_rows(regions, issues_only), self.assignments_frame(regions))

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
        q = shown(q)
        if issues_only:
            q = q.where(statements.c.is_issue)
        if regions is not None:
            q = q.where(notes.c.region.in_(list(regions)))
        if imports is not None:
            q = q.where(notes.c.import_id.in_(list(imports)))
        with self.engine.connect() as conn:
            df = read_frame(conn, q)
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

    def themes_raised_in(self, regions: Iterable[str]) -> set[int]:
        """Ids of the themes with at least one issue statement from these regions."""
        q = (sa.select(assignments.c.theme_id).distinct()
             .join(statements, statements.c.id == assignments.c.statement_id)
             .join(notes, notes.c.id == statements.c.note_id)
             .where(assignments.c.theme_id.is_not(None), statements.c.is_issue, notes.c.region.in_(list(regions))))
        q = shown(q)
        with self.engine.connect() as conn:
            return set(conn.execute(q).scalars())
