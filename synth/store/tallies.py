"""What a page or report shows, counted in SQL: a view's issue statements per theme and
partner and per theme and day, and its notes per office and day and per office and partner
(`signals.Tally`). These tables grow with themes, partners and days, not with statements, so
a server shows a million statements without reading them (issue: a whole company)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import sqlalchemy as sa

from synth import cohorts
from synth.signals import Filter, Tally
from synth.store.schema import assignments, iso, notes, read_frame, statements
from synth.store.statements import shown


class Tallies:
    def tally(self, regions: Iterable[str] | None = None, flt: Filter = Filter()) -> Tally:
        """The tally of the issue statements and notes in `regions` (the viewer's scope; all when
        None) that `flt` selects. Every count is made by the database."""
        by_partner = self.partner_cohorts()
        where = _conditions(regions, flt, by_partner)
        theme, count = assignments.c.theme_id, sa.func.count().label("statements")
        issues = (sa.select().select_from(statements).join(notes, statements.c.note_id == notes.c.id)
                  .join(assignments, assignments.c.statement_id == statements.c.id, isouter=True)
                  .where(statements.c.is_issue, *where))
        who = issues.add_columns(theme, notes.c.region, notes.c.office, notes.c.partner_key, count).group_by(
            theme, notes.c.region, notes.c.office, notes.c.partner_key)
        when = issues.add_columns(theme, iso(notes.c.meeting_date), count).group_by(theme, notes.c.meeting_date)
        notes_count = sa.func.count().label("notes")
        notes_when = (sa.select(notes.c.region, notes.c.office, iso(notes.c.meeting_date), notes_count)
                      .where(*where).group_by(notes.c.region, notes.c.office, notes.c.meeting_date))
        notes_who = (sa.select(notes.c.region, notes.c.office, notes.c.partner_key, notes_count)
                     .where(*where).group_by(notes.c.region, notes.c.office, notes.c.partner_key))
        # Four queries, each its own snapshot: an import committing between them shows in the
        # later ones only, and the data version read before this call then differs from the
        # next one, so the next page view counts again.
        with self.engine.connect() as conn:
            who, when, notes_when, notes_who = (read_frame(conn, q) for q in (who, when, notes_when, notes_who))
        for frame in (who, when):
            frame["theme_id"] = frame["theme_id"].astype("Int64")
            frame["statements"] = frame["statements"].astype(int)
        for frame in (when, notes_when):
            frame["meeting_date"] = pd.to_datetime(frame["meeting_date"])
        notes_when["notes"] = notes_when["notes"].astype(int)
        notes_who["notes"] = notes_who["notes"].astype(int)
        return Tally(cohorts.with_cohorts(who, by_partner), when, notes_when,
                     cohorts.with_cohorts(notes_who, by_partner))

    def view_rows(self, regions: Iterable[str] | None = None, flt: Filter = Filter(),
                  theme_ids: Iterable[int] | None = None, unthemed: bool = False, containing: str = "",
                  limit: int | None = None) -> pd.DataFrame:
        """The issue statements themselves (text, date, place, partner, theme) for what a page
        lists: one theme's drill-down, an export, a search. `theme_ids`: only these themes
        (`unthemed`: and the unthemed statements); `containing`: only texts with these words
        in any case; newest first, at most `limit`."""
        where = [statements.c.is_issue, *_conditions(regions, flt, self.partner_cohorts() if flt.cohorts else None)]
        if theme_ids is not None:
            picked = assignments.c.theme_id.in_([int(t) for t in theme_ids])
            where.append(sa.or_(picked, assignments.c.theme_id.is_(None)) if unthemed else picked)
        if containing.strip():
            where.append(sa.func.lower(statements.c.text).contains(containing.strip().lower(), autoescape=True))
        q = (sa.select(statements.c.id.label("statement_id"), statements.c.text, notes.c.id.label("note_id"),
                       notes.c.note_key, iso(notes.c.meeting_date), notes.c.region, notes.c.office,
                       notes.c.partner_key, assignments.c.theme_id, assignments.c.score, assignments.c.method)
             .join(notes, statements.c.note_id == notes.c.id)
             .join(assignments, assignments.c.statement_id == statements.c.id, isouter=True)
             .where(*where).order_by(notes.c.meeting_date.desc(), statements.c.id.desc()).limit(limit))
        with self.engine.connect() as conn:
            df = read_frame(conn, q)
        df["meeting_date"] = pd.to_datetime(df["meeting_date"])
        df["theme_id"] = df["theme_id"].astype("Int64")
        return df

    def statement_texts(self, ids: Iterable[int], regions: Iterable[str] | None = None,
                        flt: Filter = Filter()) -> dict[int, str]:
        """The texts of these statements that are in the view: quotes a page may show."""
        ids = [int(i) for i in ids]
        if not ids:
            return {}
        q = (sa.select(statements.c.id, statements.c.text).join(notes, statements.c.note_id == notes.c.id)
             .where(statements.c.id.in_(ids),
                    *_conditions(regions, flt, self.partner_cohorts() if flt.cohorts else None)))
        with self.engine.connect() as conn:
            return dict(conn.execute(q).all())

    def first_statements(self, theme_ids: Iterable[int], regions: Iterable[str] | None = None,
                         flt: Filter = Filter()) -> dict[int, str]:
        """Per theme, the text of its first statement in the view: a quote for a theme none of
        whose representative quotes the filter keeps."""
        theme_ids = [int(t) for t in theme_ids]
        if not theme_ids:
            return {}
        first = (sa.select(sa.func.min(statements.c.id)).join(notes, statements.c.note_id == notes.c.id)
                 .join(assignments, assignments.c.statement_id == statements.c.id)
                 .where(statements.c.is_issue, assignments.c.theme_id.in_(theme_ids),
                        *_conditions(regions, flt, self.partner_cohorts() if flt.cohorts else None))
                 .group_by(assignments.c.theme_id))
        q = (sa.select(assignments.c.theme_id, statements.c.text)
             .join(assignments, assignments.c.statement_id == statements.c.id).where(statements.c.id.in_(first)))
        with self.engine.connect() as conn:
            return dict(conn.execute(q).all())


def _conditions(regions: Iterable[str] | None, flt: Filter, by_partner: pd.Series | None) -> list:
    """SQL conditions on `notes` for what pages may show (no partial import), the viewer's
    regions and the filter; a cohort filter becomes the partners in those cohorts."""
    out = [shown(sa.select(notes.c.id)).whereclause]
    if regions is not None:
        out.append(notes.c.region.in_(list(regions)))
    if flt.regions:
        out.append(notes.c.region.in_(list(flt.regions)))
    if flt.offices:
        out.append(notes.c.office.in_(list(flt.offices)))
    if flt.start:
        out.append(notes.c.meeting_date >= flt.start)
    if flt.end:
        out.append(notes.c.meeting_date <= flt.end)
    if flt.cohorts:
        out.append(notes.c.partner_key.in_(list(by_partner[by_partner.isin(flt.cohorts)].index)))
    return out
