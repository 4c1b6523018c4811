"""What the pages show, computed from a `ui.View`: each function is called through `ui.memo`,
so it runs once per scope, filter and data version and every later page view reads the
result. Plain aggregation over the package's signals; no Streamlit here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from synth import cohorts, export, ingest, report, signals


def themed_in_view(view) -> signals.Tally:
    """The view's tally for its visible themes only (hidden or out-of-scope themes dropped)."""
    return view.tally.only(view.themes["id"])


def too_few(view, k: int) -> bool:
    """The view holds notes from fewer than k partners (a filter on one small office or
    cohort): its statements and quotes are not shown at all, as its figures are not, since
    every one of them could be traced to so few people."""
    return view.tally.partners < k


def exportable(view) -> pd.DataFrame:
    """What the Export page offers: statements of visible themes, and unthemed ones."""
    rows = view.rows(theme_ids=view.themes["id"], unthemed=True)
    return rows.assign(theme_label=rows["theme_id"].map(view.themes.set_index("id")["label"]).astype(object))


def _still_in(texts: dict[int, tuple], quote_ids, theme_id: int) -> list[str]:
    """The texts of these quotes that the view holds and that are still in the theme (a split
    since the fit may have moved one away). `texts`: statement id -> (theme id, text)."""
    return [texts[sid][1] for sid in quote_ids if texts.get(sid, (None,))[0] == theme_id]


def quotes(view, k: int = 3) -> dict[int, str]:
    """Per theme in the view, its first representative quote inside the view, else any
    statement of it in the view (a filter can exclude every fitted quote). Offices the k rule
    hides are written [OFFICE] in them."""
    if too_few(view, k):
        return {}
    texts = view.source.texts([sid for q in view.themes["quotes"] for sid in q], view.filter)
    out, missing = {}, []
    present = set(themed_in_view(view).themes["theme_id"].astype(int))
    for t in view.themes.itertuples():
        inside = _still_in(texts, t.quotes, t.id)
        if inside:
            out[int(t.id)] = inside[0]
        elif int(t.id) in present:
            missing.append(int(t.id))
    out.update(view.source.first_texts(missing, view.filter))
    masked = signals.mask_office_names(pd.Series(out, dtype=object), view.tally.hidden_offices(k))
    return masked.to_dict()


def theme_quotes(view, theme_id: int, k: int) -> list[str]:
    """The theme's representative quotes that are in the view, offices masked as in `quotes`."""
    if too_few(view, k):
        return []
    ids = view.themes.set_index("id").loc[theme_id, "quotes"]
    texts = view.source.texts(ids, view.filter)
    said = pd.Series(_still_in(texts, ids, theme_id), dtype=object)
    return signals.mask_office_names(said, view.tally.hidden_offices(k)).tolist()


@dataclass(frozen=True)
class Home:
    headline: dict | None  # None when the view holds notes from fewer than k partners
    ranked: pd.DataFrame  # signals.ranked plus label, quote and a 12-month sparkline
    left_out: int = 0  # themes raised by fewer than k partners in the view: not listed at all


def home(view, k: int, periods: tuple | None = None) -> Home:
    """The home page's figures under the k rule: a view (a filter down to one small office, a
    single day) with fewer than k partners shows no headline figures, and a theme raised by
    fewer than k partners in the view is left out of the list, counts and all."""
    tally = view.tally
    visible = themed_in_view(view)
    head = None if signals.too_few_partners(tally.partners, k) else {
        **signals.headline(tally), "themes": len(visible.themes)}  # hidden themes are not counted
    if visible.themes.empty:
        return Home(head, pd.DataFrame())
    # Growth is measured against every statement in the view (unthemed and hidden themes
    # included), as `synth report` does, so the two show the same figures.
    # `periods`: (recent start, recent end, baseline start, baseline end) chosen on the page;
    # None: the last 8 weeks against everything before.
    recent = dict(since=periods[0] - timedelta(days=1), asof=periods[1], baseline=periods[2:]) if periods else {}
    ranked = signals.ranked(tally, scope=view.scope, **recent)
    ranked = ranked[ranked["theme_id"].isin(view.themes["id"])].reset_index(drop=True)
    ranked, left_out = signals.with_enough_partners(ranked, k)
    if ranked.empty:
        return Home(head, ranked, left_out)
    labels = view.themes.set_index("id")["label"]
    month = whole_months(signals.monthly(tally.when[tally.when["theme_id"].isin(view.themes["id"])]), tally.last_day)
    said = quotes(view, k)
    ranked["label"] = ranked["theme_id"].map(labels)
    ranked["quote"] = ranked["theme_id"].map(said).fillna("")
    ranked["sparkline"] = [month.loc[t].tail(12).astype(int).tolist() for t in ranked["theme_id"]]
    return Home(head, ranked, left_out)


def whole_months(table: pd.DataFrame, last_day: pd.Timestamp) -> pd.DataFrame:
    """Months (columns) up to the last complete one: the month of the last meeting counts
    only if the notes reach its last day, otherwise its bar would show a drop that is only
    the month not being over."""
    if table.empty or pd.isna(last_day):
        return table
    if last_day.normalize() < (last_day.to_period("M").end_time.normalize()):
        table = table.loc[:, table.columns < last_day.to_period("M").start_time]
    return table


def region_cells(view, column: str, region: str | None, k: int) -> pd.DataFrame:
    """Theme x region cells, each region against the rest of the viewer's scope (or theme x
    office within `region`, each office against the rest of its region), whatever regions or
    offices the filter picked: those pick which cells are kept, not what they are compared
    with. With labels, and `compared`, the comparison in words."""
    data = view.dated.only(view.themes["id"])
    if region is not None:
        data = data.in_region(region)
    cells = signals.region_matrix(data.regions if column == "region" else data.offices, column, k=k)
    picked = view.filter.regions if column == "region" else view.filter.offices
    if picked:
        cells = cells[cells[column].isin(picked)]
    return cells.assign(theme=cells["theme_id"].map(view.themes.set_index("id")["label"]),
                        compared=[_compared(r, column, k) for r in cells.itertuples()]).reset_index(drop=True)


def _compared(cell, column: str, k: int) -> str:
    rest = "the rest of the company" if column == "region" else "the rest of the region"
    if cell.suppressed:
        return f"hidden: fewer than {k} partners, or it would reveal a cell that has"
    if pd.isna(cell.lift):
        return f"nothing to compare with: no statements in {rest}"
    if np.isinf(cell.lift):
        return f"only here, not in {rest}"
    sign = " (a real difference)" if cell.over or cell.under else " (could be chance)"
    return f"{cell.lift:.1f} times as often as in {rest}{sign}"


def comparable(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells that can be drawn: shown, and compared with something."""
    return cells[~cells["suppressed"].astype(bool) & cells["lift"].notna()]


def where(view, theme_id: int, k: int) -> tuple[str, pd.DataFrame]:
    """Where a theme comes from, at the finest level that compares: by region when the view
    spans several, else by office within its one region."""
    regions = sorted(view.tally.regions["region"].unique())
    column, region = ("region", None) if len(regions) > 1 else ("office", regions[0] if regions else None)
    cells = region_cells(view, column, region, k) if regions else pd.DataFrame(
        columns=["theme_id", column, "suppressed", "lift"])
    return column, cells[cells["theme_id"] == theme_id]


def coverage(view, k: int) -> pd.DataFrame:
    return signals.coverage(view.tally.notes, k=k, partners=view.tally.note_offices)


@dataclass(frozen=True)
class CohortComparison:
    table: pd.DataFrame  # `cohorts.top_table`: themes x cohorts, share of each cohort's partners
    sizes: pd.Series  # partners per cohort shown (k or more in the view)
    left_out: int  # cohorts in the view with fewer than k partners: not shown at all
    hidden: int  # cells hidden under the k rule


def cohort_comparison(view, k: int, top: int = 5) -> CohortComparison:
    """What each cohort raises: the `top` themes of each cohort in the view by the share of its
    partners who raised them, under the k rule (`cohorts.compare`)."""
    cells, sizes = cohorts.compare(themed_in_view(view).cohorts, view.tally.note_cohorts, k)
    every = view.tally.note_cohorts["cohort"].nunique()
    labels = view.themes.set_index("id")["label"]
    return CohortComparison(cohorts.top_table(cells, sizes, labels, top), sizes, int(every - len(sizes)),
                            int(cells["suppressed"].astype(bool).sum()))


def themes_mentioning(view, words: str, k: int) -> set[int]:
    """The themes with a statement in the view that contains these words, in any case, found
    in the database; the names of offices the k rule hides find nothing, as in the drill-down."""
    return view.source.themes_containing(words, view.filter, masked=view.tally.hidden_offices(k))


def theme_counts(view, k: int) -> pd.Series:
    """Statements per theme in the view, for the themes raised by at least k partners in it:
    the others have no count to show."""
    data = signals.themed(view.tally.themes)
    data = data[data["partners"] >= k]
    return pd.Series(data["statements"].to_numpy(), index=data["theme_id"].astype(int).to_numpy(), name="count")


def described(view, theme_id: int, k: int) -> str:
    """The theme's description with its count taken from the view, not the stored one
    (counted over every region when the theme was fitted): `signals.describe_in_scope`."""
    row = view.tally.themes[view.tally.themes["theme_id"] == theme_id]
    statements, partners = (int(row["statements"].sum()), int(row["partners"].sum())) if len(row) else (0, 0)
    description = view.themes.set_index("id").loc[theme_id, "description"]
    return signals.describe_in_scope(description, statements, partners, k)


LISTED = 1000  # statements a theme's drill-down lists, the newest: a search reaches the others


def statement_rows(view, theme_id: int, k: int, containing: str = "") -> tuple[pd.DataFrame, bool]:
    """The theme's drill-down table: its newest LISTED statements in the view, or the newest
    LISTED that contain these words, newest first; and whether there may be more. Offices with
    fewer than k partners behind the theme in the view are not named, as in the CSV export
    (`signals.masked_offices`, from the view's tally: the whole theme, not the rows listed),
    nor in the text. The search runs in the database over all the theme's statements, then
    again over the masked text, so the name of a hidden office finds nothing."""
    rows = view.rows(theme_ids=[theme_id], containing=containing, limit=0 if too_few(view, k) else LISTED)
    offices = view.tally.offices[view.tally.offices["theme_id"] == theme_id]
    # An office name in two regions: the smaller count decides, so neither is named by the other's partners.
    per_office = offices.groupby("office")["partners"].min()
    partners = pd.Series(per_office.to_numpy(), index=pd.MultiIndex.from_arrays(
        [[float(theme_id)] * len(per_office), per_office.index]))
    table = (rows.assign(office=signals.masked_offices(rows, k, partners),
                         text=signals.mask_office_names(rows["text"], view.tally.hidden_offices(k)))
             [["meeting_date", "region", "office", "text"]].rename(columns={"meeting_date": "date", "text": "statement"}))
    if containing.strip():
        table = table[table["statement"].str.contains(containing.strip(), case=False, regex=False)]
    return table.reset_index(drop=True), len(rows) == LISTED > 0


def csv_rows(view, k: int) -> pd.DataFrame:
    """The Export page's CSV: `exportable` statements, offices masked as the pages mask them;
    none where the view holds fewer than k partners (`too_few`)."""
    rows = exportable(view)
    return export.statements_table(rows.iloc[:0] if too_few(view, k) else rows, k=k)


def brief(view, scope: str, k: int) -> tuple[pd.DataFrame, str, dict[int, str]]:
    """The top themes, the Markdown brief and the quotes it cites. Themes raised by fewer than
    k partners in the view are left out, as on the home page."""
    top = report.top_themes(view.tally, view.themes, view.scope, limit=len(view.themes))
    if not top.empty:
        top = signals.with_enough_partners(top, k)[0].head(10)
    said = quotes(view, k=k)
    return top, report.brief_markdown(top, scope, said), said


_LINEAGE = {
    "same": "Continues {source} from an earlier fit (refit #{run}; {overlap:.0%} of its statements are the same).",
    "split": "Split from {source} when themes were refitted (refit #{run}; {overlap:.0%} of its statements came from it).",
    "merge": "Merged from {source} when themes were refitted (refit #{run}; {overlap:.0%} of its statements came from it).",
    "curated-merge": "{source} was merged into it by a curator.",
    "curated-split": "Split from {source} by a curator ({overlap:.0%} of that theme's statements).",
}


def lineage_sentences(lineage: pd.DataFrame, labels: dict[int, str]) -> list[str]:
    """Where a theme came from, one plain sentence per lineage record (labels come from notes:
    escape them before showing the sentences as Markdown)."""
    out = []
    for r in lineage.itertuples():
        source = f"\u201c{labels[r.source_theme_id]}\u201d" if r.source_theme_id in labels else f"theme #{r.source_theme_id}"
        template = _LINEAGE.get(r.kind, "Related to {source} ({kind}).")
        sentence = template.format(source=source, run=r.run_id, overlap=r.overlap, kind=r.kind)
        out.append(sentence[0].upper() + sentence[1:])
    return out


_EDIT_ACTIONS = {"rename": "a rename", "hide": "a hide", "unhide": "a show", "merge": "a merge", "split": "a split"}


def edit_sentence(action: str, theme_id: int, payload: str | dict, labels: dict[int, str]) -> str:
    """One curation edit (`theme_edits` row) as a sentence: "Merged “B” (#4) into “A” (#2): 12
    statements moved." Labels come from notes and curators: escape before showing as Markdown."""
    import json

    p = json.loads(payload) if isinstance(payload, str) else dict(payload or {})

    def name(t) -> str:
        t = int(t)
        return f"\u201c{labels[t]}\u201d (#{t})" if t in labels else f"theme #{t}"

    if action == "rename":
        return f"Renamed theme #{theme_id} from \u201c{p.get('from', '?')}\u201d to \u201c{p.get('to', '?')}\u201d."
    if action == "hide":
        return f"Hid {name(theme_id)} from the dashboard."
    if action == "unhide":
        return f"Showed {name(theme_id)} on the dashboard again."
    if action == "merge":
        moved = p.get("moved")
        count = f": {len(moved):,} statement{'s' if len(moved) != 1 else ''} moved" if isinstance(moved, list) else ""
        return f"Merged {name(p.get('source', theme_id))} into {name(p.get('into', theme_id))}{count}."
    if action == "split":
        n = len(p.get("statements", []))
        return (f"Split {n:,} statement{'s' if n != 1 else ''} off {name(p.get('from', theme_id))} into a new theme, "
                f"\u201c{p.get('label', '')}\u201d (#{theme_id}).")
    if action == "undo":
        return f"Undid edit #{p.get('edit', '?')} ({_EDIT_ACTIONS.get(p.get('action'), p.get('action', 'an edit'))})."
    if action == "undo-import":  # recorded with theme 0: an import touches many themes, not one
        return (f"Undid import #{p.get('import_id', '?')}: its notes and statements left every theme they were in "
                "(Import page).")
    return f"{action.capitalize()} of {name(theme_id)}."


def edit_history(history: pd.DataFrame, labels: dict[int, str]) -> pd.DataFrame:
    """The Curate page's history: when, who, what (a sentence) and whether it was undone since."""
    undone = {json.loads(p).get("edit"): int(i)
              for i, a, p in zip(history["id"], history["action"], history["payload"]) if a == "undo"}
    return pd.DataFrame({
        "edit": history["id"].astype(int),
        "when": pd.to_datetime(history["at"]),
        "who": history["who"],
        "what": [edit_sentence(a, int(t), p, labels) for a, t, p in zip(history["action"], history["theme_id"],
                                                                         history["payload"])],
        "undone": [f"undone by edit #{undone[int(i)]}" if int(i) in undone else "" for i in history["id"]],
    })


def trend(view, theme_id: int) -> pd.DataFrame:
    """A theme's statements per month in the view, whole months only (see `whole_months`)."""
    out = signals.trend(view.tally.when, theme_id)
    last = view.tally.last_day
    if out.empty or pd.isna(last) or last.normalize() >= last.to_period("M").end_time.normalize():
        return out
    return out[out["period"] < last.to_period("M").start_time]


def rows_read(rows_total: int, notes_added: int, duplicates: int, skipped_rows, empty_rows) -> str:
    """What became of every row of an imported file, in one sentence: read = imported +
    already stored + skipped; empty rows are passed over and not counted as read. A skipped
    or empty row is named by its number, as the spreadsheet shows it."""
    skipped_rows, empty_rows = sorted(set(skipped_rows)), sorted(set(empty_rows))
    parts = [f"{notes_added:,} imported as new {'note' if notes_added == 1 else 'notes'}"]
    if duplicates:
        parts.append(f"{duplicates:,} already stored ({'a duplicate' if duplicates == 1 else 'duplicates'})")
    if skipped_rows:
        parts.append(f"{len(skipped_rows):,} skipped for problems ({ingest.row_numbers(skipped_rows)})")
    out = f"Read {rows_total:,} {'row' if rows_total == 1 else 'rows'}: " + (
        " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]) + "."
    if empty_rows:
        n = len(empty_rows)
        out += (f" {n:,} empty {'row' if n == 1 else 'rows'} ({ingest.row_numbers(empty_rows)}) "
                f"held nothing and {'was' if n == 1 else 'were'} passed over.")
    return out
