"""What a page or report shows, counted by the database (`signals.Tally`): per theme, per theme
and region, office, cohort or day, and per office, the statements and the distinct partners
behind them; the notes per office and day. Every table grows with themes, places and days,
never with statements, partners or notes, so a server shows a million statements without
reading them (issue: a whole company). Also the rows a page lists: a drill-down, a quote, a
search, an export."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from synth.signals import Filter, Tally
from synth.store.schema import (assignments, dialect_insert, imports, iso, notes, now, read_frame, runs, shared_tallies,
                                statements, theme_edits)
from synth.store.statements import shown


@dataclass(frozen=True)
class Marks:
    """What a tally was counted from (`Tallies.marks`): enough to tell, when it is counted
    again, whether only imports, or only curation edits, came since."""

    imports: frozenset[int]  # the committed imports
    runs: frozenset[int]  # every fit and assignment run
    fits: frozenset[int]
    last_move: int | None  # the last curation edit that moved statements
    partial: bool  # an import was being written partition by partition (synth/backfill.py)


@dataclass(frozen=True)
class Counted:
    """A tally and what it was counted from; `marks` None when something changed while it was
    counted, so that the next count starts afresh."""

    marks: Marks | None
    tally: Tally


def _scope_key(regions: Iterable[str] | None) -> str:
    if regions is None:
        return "all"
    return hashlib.sha256(json.dumps(sorted(regions)).encode()).hexdigest()


_TALLY_TABLES = [f.name for f in fields(Tally) if f.name != "partners"]


def _tally_to_bytes(tally: Tally) -> bytes:
    """A tally as Arrow streams, one per table, after a JSON header: types and missing values
    come back as they were, and reading it runs no code (unlike a pickle)."""
    parts = []
    for name in _TALLY_TABLES:
        table = pa.Table.from_pandas(getattr(tally, name), preserve_index=False)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        parts.append(sink.getvalue().to_pybytes())
    header = json.dumps(dict(partners=tally.partners, sizes=[len(p) for p in parts])).encode()
    return len(header).to_bytes(4, "big") + header + b"".join(parts)


def _tally_from_bytes(data: bytes) -> Tally:
    size = int.from_bytes(data[:4], "big")
    header, at, frames = json.loads(data[4:4 + size]), 4 + size, {}
    for name, length in zip(_TALLY_TABLES, header["sizes"]):
        frames[name] = pa.ipc.open_stream(data[at:at + length]).read_all().to_pandas()
        at += length
    return Tally(**frames, partners=header["partners"])


def cohort_of_partner(partners: Collection[str] | None = None, without: Collection[int] = ()):
    """(partner_key, cohort) for every partner, over every stored note: the cohort named by the
    latest note that names one, else the half-year of the partner's first meeting ("2025-H2").
    A fact about the partner, not one note: an import of an earlier meeting moves them.
    `partners`: only these; `without`: as if these imports had not been made."""
    kept = [notes.c.partner_key.in_(list(partners))] if partners is not None else []
    if without:
        kept.append(notes.c.import_id.not_in(list(without)))
    first = (sa.select(notes.c.partner_key, sa.func.min(notes.c.meeting_date).label("first_day")).where(*kept)
             .group_by(notes.c.partner_key).subquery())
    latest = (sa.select(sa.func.max(notes.c.id)).where(notes.c.cohort.is_not(None), sa.func.trim(notes.c.cohort) != "",
                                                       *kept)
              .group_by(notes.c.partner_key))
    named = sa.select(notes.c.partner_key, notes.c.cohort).where(notes.c.id.in_(latest)).subquery()
    half_year = (sa.cast(sa.cast(sa.extract("year", first.c.first_day), sa.Integer), sa.String) + "-H"
                 + sa.case((sa.extract("month", first.c.first_day) <= 6, "1"), else_="2"))
    return (sa.select(first.c.partner_key, sa.func.coalesce(named.c.cohort, half_year).label("cohort"))
            .select_from(first).outerjoin(named, named.c.partner_key == first.c.partner_key))


class Tallies:
    def tally(self, regions: Iterable[str] | None = None, flt: Filter = Filter()) -> Tally:
        """The tally of the issue statements and notes in `regions` (the viewer's scope; all when
        None) that `flt` selects. Three queries (statements; notes per day; partners who met),
        run side by side; each is one snapshot, and an import committing between them shows in
        some only until the next data version, which the next page view reads first."""
        with ThreadPoolExecutor(3) as pool:
            return _tally(*pool.map(self._read_tally, _queries(_conditions(regions, flt))))

    def marks(self) -> Marks:
        with self.engine.connect() as conn:
            done = conn.execute(sa.select(imports.c.id, imports.c.status)
                                .where(imports.c.status.in_(["committed", "partial"]))).all()
            made = conn.execute(sa.select(runs.c.id, runs.c.kind)).all()
            move = conn.execute(sa.select(sa.func.max(theme_edits.c.id))
                                .where(theme_edits.c.action.in_(["merge", "split", "undo"]))).scalar()
        return Marks(imports=frozenset(i for i, status in done if status == "committed"),
                     runs=frozenset(i for i, _ in made), fits=frozenset(i for i, kind in made if kind == "fit"),
                     last_move=move, partial=any(status == "partial" for _, status in done))

    def count(self, regions: Iterable[str] | None = None, flt: Filter = Filter(),
              since: Counted | None = None) -> Counted:
        """The tally (`tally`), counting again only what changed since `since` (the same view's
        last count) where that is all that changed: the themes curation edits moved
        (`recount`), or the partners new imports touched (`with_arrivals`). Anything else (a
        fit, an undone import, a backfill under way, both kinds at once) counts everything.
        The default view (no filter) of a scope starts, with no `since`, from the count every
        server shares (`shared_count`), and shares what it counted."""
        shared = flt == Filter()
        if since is None and shared:
            since = self.shared_count(regions)
        counted = self._count(regions, flt, since)
        if shared and counted.marks is not None and (since is None or since.marks != counted.marks):
            self.share_count(regions, counted)
        return counted

    def _count(self, regions: Iterable[str] | None, flt: Filter, since: Counted | None) -> Counted:
        now = self.marks()
        then = since.marks if since is not None else None
        tally = None
        if then == now:
            tally = since.tally
        elif then is not None and (then.imports, then.runs, then.partial) == (now.imports, now.runs, now.partial):
            tally = self.recount(since.tally, self.themes_moved_since(then.last_move, now.last_move), regions, flt)
        elif (then is not None and then.imports <= now.imports and then.runs <= now.runs and then.fits == now.fits
              and then.last_move == now.last_move and not (then.partial or now.partial)):
            tally = self.with_arrivals(since.tally, now.imports - then.imports, now.runs - then.runs, regions, flt)
        if tally is None:
            tally = self.tally(regions, flt)
        # Marks read again: an import or an edit committed while counting may show in part, so
        # the next count starts afresh rather than adding to a tally that holds some of it.
        return Counted(now if self.marks() == now else None, tally)

    def shared_count(self, regions: Iterable[str] | None = None) -> Counted | None:
        """The scope's default view as some server or job last counted it, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(shared_tallies.c.marks, shared_tallies.c.tally)
                               .where(shared_tallies.c.scope == _scope_key(regions))).first()
        if row is None:
            return None
        m = json.loads(row.marks)
        marks = Marks(imports=frozenset(m["imports"]), runs=frozenset(m["runs"]), fits=frozenset(m["fits"]),
                      last_move=m["last_move"], partial=m["partial"])
        return Counted(marks, _tally_from_bytes(row.tally))

    def share_count(self, regions: Iterable[str] | None, counted: Counted) -> None:
        """Keep this count of the scope's default view for every server (`shared_count`)."""
        m = counted.marks
        marks = json.dumps(dict(imports=sorted(m.imports), runs=sorted(m.runs), fits=sorted(m.fits),
                                last_move=m.last_move, partial=m.partial))
        values = dict(scope=_scope_key(regions), marks=marks, tally=_tally_to_bytes(counted.tally), counted_at=now())
        with self.engine.begin() as conn:
            conn.execute(dialect_insert(conn, shared_tallies).values(**values)
                         .on_conflict_do_update(index_elements=["scope"], set_=values))

    def with_arrivals(self, tally: Tally, new_imports: Collection[int], new_runs: Collection[int],
                      regions: Iterable[str] | None = None, flt: Filter = Filter()) -> Tally | None:
        """`tally` (counted before these imports and their assignment runs) as it is now, or
        None where counting everything again is quicker. Only the partners the imports touched
        changed: those who met in them (their places, days, cohort and themes) and those whose
        older unthemed statements a run put in a new provisional theme. Their part of the
        tally is counted as it is and as it was (without the imports' notes, and with those
        older statements unthemed, as a run only themes unthemed ones) and swapped
        (`Tally.updated`). Under a cohort filter, which partners it keeps is read the same two
        ways: an import can move a partner into or out of a cohort."""
        new_imports, new_runs = [int(i) for i in new_imports], [int(r) for r in new_runs]
        touched = sa.union(
            sa.select(notes.c.partner_key).where(notes.c.import_id.in_(new_imports)),
            sa.select(notes.c.partner_key).select_from(assignments.join(statements, statements.c.id == assignments.c.statement_id)
                                                       .join(notes, notes.c.id == statements.c.note_id))
            .where(assignments.c.run_id.in_(new_runs)))
        with self.engine.connect() as conn:
            partners = sorted(conn.execute(touched).scalars())
        if len(partners) > max(ARRIVALS_AT_ONCE, tally.partners // 5):
            return None
        if not partners:
            return tally
        now_cohorts = lambda: cohort_of_partner(partners)
        then_cohorts = lambda: cohort_of_partner(partners, without=new_imports)
        mine = notes.c.partner_key.in_(partners)
        theme_then = sa.case((assignments.c.run_id.in_(new_runs), sa.null()), else_=assignments.c.theme_id)
        queries = [*_queries([*_conditions(regions, flt, now_cohorts), mine], cohorts=now_cohorts),
                   *_queries([*_conditions(regions, flt, then_cohorts), mine, notes.c.import_id.not_in(new_imports)],
                             theme=theme_then, cohorts=then_cohorts)]
        with ThreadPoolExecutor(3) as pool:
            counted = list(pool.map(self._read_tally, queries))
        return tally.updated(before=_tally(*counted[3:]), after=_tally(*counted[:3]))

    def recount(self, tally: Tally, theme_ids: Iterable[int | None], regions: Iterable[str] | None = None,
                flt: Filter = Filter()) -> Tally:
        """`tally` with these themes counted again (None: the unthemed statements): after a
        curation edit moved statements between them, and nothing else changed. Through the
        index on assignments' theme, a few themes cost a fraction of a whole recount."""
        theme_ids = set(theme_ids)
        picked = assignments.c.theme_id.in_([int(t) for t in theme_ids if t is not None])
        if None in theme_ids:
            picked = sa.or_(picked, assignments.c.theme_id.is_(None))
        part = _split(self._read_tally(_people([*_conditions(regions, flt), picked], places=False)))
        return tally.with_themes_from(part, theme_ids)

    def _read_tally(self, query) -> pd.DataFrame:
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Room for the hash tables of one tally (about 700k partner-theme groups at a
                # million statements), so PostgreSQL neither sorts on disk nor spills them.
                conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
            return read_frame(conn, query)

    def extent(self, regions: Iterable[str] | None = None) -> tuple[list[str], pd.Timestamp]:
        """The regions with a meeting in `regions` (all when None) and the day of the last one:
        what a page offers before it counts anything."""
        q = sa.select(notes.c.region, iso(sa.func.max(notes.c.meeting_date).label("last"))).where(
            *_conditions(regions, Filter())).group_by(notes.c.region)
        with self.engine.connect() as conn:
            df = read_frame(conn, q)
        return sorted(df["region"]), pd.to_datetime(df["last"]).max() if len(df) else pd.NaT

    def themes_of_import(self, import_id: int, regions: Iterable[str] | None = None) -> pd.Series:
        """How many of an import's issue statements (in `regions`) went to each theme."""
        q = (sa.select(assignments.c.theme_id, sa.func.count().label("statements"))
             .join(statements, statements.c.id == assignments.c.statement_id)
             .join(notes, notes.c.id == statements.c.note_id)
             .where(statements.c.is_issue, notes.c.import_id == import_id, assignments.c.theme_id.is_not(None),
                    *([notes.c.region.in_(list(regions))] if regions is not None else []))
             .group_by(assignments.c.theme_id))
        with self.engine.connect() as conn:
            return pd.Series(dict(conn.execute(q).all()), dtype=int).sort_values(ascending=False)

    def view_rows(self, regions: Iterable[str] | None = None, flt: Filter = Filter(),
                  theme_ids: Iterable[int] | None = None, unthemed: bool = False, containing: str = "",
                  limit: int | None = None) -> pd.DataFrame:
        """The issue statements themselves (text, date, place, partner, theme) for what a page
        lists: one theme's drill-down, an export, a search. `theme_ids`: only these themes
        (`unthemed`: and the unthemed statements); `containing`: only texts with these words
        in any case; newest first, at most `limit`."""
        where = _listed(regions, flt, theme_ids, unthemed, containing)
        q = (sa.select(statements.c.id.label("statement_id"), statements.c.text, notes.c.id.label("note_id"),
                       notes.c.note_key, iso(notes.c.meeting_date), notes.c.region, notes.c.office,
                       notes.c.partner_key, assignments.c.theme_id, assignments.c.score, assignments.c.method)
             .select_from(_STATEMENTS).where(*where)
             .order_by(notes.c.meeting_date.desc(), statements.c.id.desc()).limit(limit))
        with self.engine.connect() as conn:
            df = read_frame(conn, q)
        df["meeting_date"] = pd.to_datetime(df["meeting_date"])
        df["theme_id"] = df["theme_id"].astype("Int64")
        return df

    def count_rows(self, regions: Iterable[str] | None = None, flt: Filter = Filter(),
                   theme_ids: Iterable[int] | None = None, unthemed: bool = False, containing: str = "") -> int:
        """How many statements `view_rows` would list, counted without reading them."""
        q = sa.select(sa.func.count()).select_from(_STATEMENTS).where(*_listed(regions, flt, theme_ids, unthemed, containing))
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def themes_containing(self, words: str, regions: Iterable[str] | None = None, flt: Filter = Filter(),
                          masked: Iterable[str] = ()) -> set[int]:
        """The themes with a statement in the view that contains these words in any case, as
        pages show it: with the `masked` names (offices the k rule hides) written "[OFFICE]"
        (`signals.mask_office_names`), so a search for a hidden office's name does not point at
        the themes that speak of it. Statements that name no such office are searched in the
        database; the few that do are read and searched as masked. (One SQL replace() per
        name, nested, overflowed SQLite's parser at 29 offices.)"""
        from synth.signals import mask_office_names

        needle = words.strip().lower()
        names = sorted({m.strip().lower() for m in masked if m and m.strip()})
        text = sa.func.lower(statements.c.text)
        names_one = sa.or_(*(text.contains(n, autoescape=True) for n in names)) if names else sa.false()
        where = [*_listed(regions, flt, None, False, words), assignments.c.theme_id.is_not(None)]
        base = sa.select(assignments.c.theme_id).select_from(_STATEMENTS)
        with self.engine.connect() as conn:
            found = set(conn.execute(base.where(*where, sa.not_(names_one)).distinct()).scalars())
            if names:
                rows = conn.execute(base.add_columns(statements.c.text).where(*where, names_one)).all()
                shown = mask_office_names(pd.Series([t for _, t in rows], dtype=object), masked)
                found |= {theme for (theme, _), t in zip(rows, shown) if needle in t.lower()}
        return {int(t) for t in found}

    def statement_texts(self, ids: Iterable[int], regions: Iterable[str] | None = None,
                        flt: Filter = Filter()) -> dict[int, tuple[int | None, str]]:
        """The theme and text of each of these statements that is in the view: quotes a page
        may show, if they are still in the theme that chose them (a split moves statements)."""
        ids = [int(i) for i in ids]
        if not ids:
            return {}
        q = (sa.select(statements.c.id, assignments.c.theme_id, statements.c.text).select_from(_STATEMENTS)
             .where(statements.c.id.in_(ids), *_conditions(regions, flt)))
        with self.engine.connect() as conn:
            return {sid: (theme, text) for sid, theme, text in conn.execute(q)}

    def first_statements(self, theme_ids: Iterable[int], regions: Iterable[str] | None = None,
                         flt: Filter = Filter()) -> dict[int, str]:
        """Per theme, the text of its first statement in the view: a quote for a theme none of
        whose representative quotes the filter keeps."""
        theme_ids = [int(t) for t in theme_ids]
        if not theme_ids:
            return {}
        first = (sa.select(sa.func.min(statements.c.id)).join(notes, statements.c.note_id == notes.c.id)
                 .join(assignments, assignments.c.statement_id == statements.c.id)
                 .where(statements.c.is_issue, assignments.c.theme_id.in_(theme_ids), *_conditions(regions, flt))
                 .group_by(assignments.c.theme_id))
        q = (sa.select(assignments.c.theme_id, statements.c.text)
             .join(assignments, assignments.c.statement_id == statements.c.id).where(statements.c.id.in_(first)))
        with self.engine.connect() as conn:
            return dict(conn.execute(q).all())


# What a page lists is read from: each statement with its note, and its theme if it has one.
_STATEMENTS = (statements.join(notes, statements.c.note_id == notes.c.id)
               .join(assignments, assignments.c.statement_id == statements.c.id, isouter=True))

ARRIVALS_AT_ONCE = 200  # partners an import may touch and still be counted alone (or a fifth of the view's)


def _queries(where: list, theme=assignments.c.theme_id, cohorts: Callable = cohort_of_partner) -> list:
    """A tally's three queries over what `where` selects: the statements (`_people`), the notes
    per office and day, and the partners who met per office, per cohort and in all. `theme`:
    each statement's theme; `cohorts`: a query of each partner's cohort."""
    n = sa.func.count()
    notes_when = (sa.select(notes.c.region, notes.c.office, iso(notes.c.meeting_date), n.label("notes"))
                  .where(*where).group_by(notes.c.region, notes.c.office, notes.c.meeting_date))
    met = (sa.select(notes.c.partner_key, notes.c.region, notes.c.office).where(*where)
           .group_by(notes.c.partner_key, notes.c.region, notes.c.office).cte("met"))
    who_met = sa.select(met.c.partner_key).group_by(met.c.partner_key).cte("who_met")
    met_cohort = cohorts().cte("met_cohort")
    notes_who = sa.union_all(
        _part("office", met, dict(region=met.c.region, office=met.c.office), None),
        _part("cohort", who_met.join(met_cohort, met_cohort.c.partner_key == who_met.c.partner_key),
              dict(cohort=met_cohort.c.cohort), None),
        _part("all", who_met, {}, None))
    return [_people(where, places=True, theme=theme, cohorts=cohorts), notes_when, notes_who]


def _people(where: list, places: bool, theme=assignments.c.theme_id, cohorts: Callable = cohort_of_partner):
    """One statement for every per-theme table of a tally (`_part` rows), over the issue
    statements `where` selects; `places`: with the partners per office of every statement.
    Each statement is read once, with its theme, partner, place and day; every table is
    grouped from it in the same query, and every count of distinct partners is a count of the
    rows of a grouping that holds each partner once (hash aggregates, no DISTINCT sorts)."""
    n = sa.func.count()
    facts = (sa.select(theme.label("theme_id"), notes.c.partner_key, notes.c.region, notes.c.office,
                       notes.c.meeting_date)
             .select_from(statements).join(notes, statements.c.note_id == notes.c.id)
             .join(assignments, assignments.c.statement_id == statements.c.id, isouter=True)
             .where(statements.c.is_issue, *where).cte("facts"))
    f = facts.c
    base = (sa.select(f.theme_id, f.partner_key, f.region, f.office, n.label("n"))
            .group_by(f.theme_id, f.partner_key, f.region, f.office).cte("base"))
    b = base.c
    per_partner = (sa.select(b.theme_id, b.partner_key, sa.func.sum(b.n).label("n"))
                   .group_by(b.theme_id, b.partner_key).cte("per_partner"))
    per_region = (sa.select(b.theme_id, b.region, b.partner_key, sa.func.sum(b.n).label("n"))
                  .group_by(b.theme_id, b.region, b.partner_key).cte("per_region"))
    cohort = cohorts().cte("cohort")
    p, r = per_partner.c, per_region.c
    n_ln_n = sa.func.sum(sa.cast(p.n, sa.Float) * sa.func.ln(sa.cast(p.n, sa.Float)))
    parts = [
        _part("theme", per_partner, dict(theme_id=p.theme_id), sa.func.sum(p.n), n_ln_n=n_ln_n),
        _part("region", per_region, dict(theme_id=r.theme_id, region=r.region), sa.func.sum(r.n)),
        _part("office", base, dict(theme_id=b.theme_id, region=b.region, office=b.office), sa.func.sum(b.n)),
        _part("cohort", per_partner.join(cohort, cohort.c.partner_key == p.partner_key),
              dict(theme_id=p.theme_id, cohort=cohort.c.cohort), sa.func.sum(p.n)),
        _part("day", facts, dict(theme_id=f.theme_id, meeting_date=f.meeting_date), n, partners=False)]
    if places:
        per_place = (sa.select(b.region, b.office, b.partner_key).group_by(b.region, b.office, b.partner_key)
                     .cte("per_place"))
        parts.append(_part("place", per_place, dict(region=per_place.c.region, office=per_place.c.office), None))
    return sa.union_all(*parts)


def _listed(regions: Iterable[str] | None, flt: Filter, theme_ids: Iterable[int] | None, unthemed: bool,
            containing: str) -> list:
    """The conditions of what `view_rows` lists (see there)."""
    where = [statements.c.is_issue, *_conditions(regions, flt)]
    if theme_ids is not None:
        picked = assignments.c.theme_id.in_([int(t) for t in theme_ids])
        where.append(sa.or_(picked, assignments.c.theme_id.is_(None)) if unthemed else picked)
    if containing.strip():
        where.append(sa.func.lower(statements.c.text).contains(containing.strip().lower(), autoescape=True))
    return where


def _conditions(regions: Iterable[str] | None, flt: Filter, cohorts: Callable = cohort_of_partner) -> list:
    """SQL conditions on `notes` for what pages may show (no partial import), the viewer's
    regions and the filter; a cohort filter keeps the partners of those cohorts."""
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
        cohort = cohorts().subquery()
        out.append(notes.c.partner_key.in_(sa.select(cohort.c.partner_key).where(cohort.c.cohort.in_(list(flt.cohorts)))))
    return out


def _text(value):
    return sa.cast(sa.null(), sa.String) if value is None else sa.literal_column(f"'{value}'", sa.String)


COLUMNS = {"theme_id": sa.Integer, "region": sa.String, "office": sa.String, "cohort": sa.String,
           "meeting_date": sa.String}


def _part(kind: str, source, keys: dict, statements, n_ln_n=None, partners: bool = True):
    """One kind of group in a tally's union: (kind, theme_id, region, office, cohort,
    meeting_date, statements, partners, n_ln_n), with the keys this kind groups by and NULL
    for the others. `source` holds each partner once per group, so its row count is the
    number of distinct partners."""
    cols = [_text(kind).label("kind")]
    for name, kind_of in COLUMNS.items():
        column = keys.get(name)
        if name == "meeting_date" and column is not None:
            column = sa.cast(column, sa.String)
        cols.append((column if column is not None else sa.cast(sa.null(), kind_of)).label(name))
    cols += [sa.cast(statements if statements is not None else sa.null(), sa.BigInteger).label("statements"),
             (sa.func.count() if partners else sa.cast(sa.null(), sa.BigInteger)).label("partners"),
             (n_ln_n if n_ln_n is not None else sa.cast(sa.null(), sa.Float)).label("n_ln_n")]
    query = sa.select(*cols).select_from(source)
    return query.group_by(*keys.values()) if keys else query


def _split(people: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """`_people`'s rows as the per-theme tables of a tally."""
    people["theme_id"] = people["theme_id"].astype("Int64")
    part = lambda kind, cols: people[people["kind"] == kind][cols].reset_index(drop=True)
    counted = lambda frame, *cols: frame.astype({c: int for c in cols})
    when = counted(part("day", ["theme_id", "meeting_date", "statements"]), "statements")
    when["meeting_date"] = pd.to_datetime(when["meeting_date"])
    return dict(themes=counted(part("theme", ["theme_id", "statements", "partners", "n_ln_n"]), "statements",
                               "partners").astype({"n_ln_n": float}),
                regions=counted(part("region", ["theme_id", "region", "statements", "partners"]), "statements", "partners"),
                offices=counted(part("office", ["theme_id", "region", "office", "statements", "partners"]),
                                "statements", "partners"),
                places=counted(part("place", ["region", "office", "partners"]), "partners"),
                cohorts=counted(part("cohort", ["theme_id", "cohort", "statements", "partners"]), "statements",
                                "partners"),
                when=when)


def _tally(people: pd.DataFrame, notes_when: pd.DataFrame, notes_who: pd.DataFrame) -> Tally:
    notes_when["meeting_date"] = pd.to_datetime(notes_when["meeting_date"])
    by = lambda kind, cols: notes_who[notes_who["kind"] == kind][cols].reset_index(drop=True).astype({"partners": int})
    total = by("all", ["partners"])["partners"]
    return Tally(**_split(people), notes=notes_when.astype({"notes": int}),
                 note_offices=by("office", ["region", "office", "partners"]),
                 note_cohorts=by("cohort", ["cohort", "partners"]),
                 partners=int(total.iloc[0]) if len(total) else 0)
