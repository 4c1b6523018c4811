"""What is surfacing, where, and how well corroborated: pure functions over a `Tally`, a view's
statements and notes counted by the database (`Store.tally`), so no process reads every
statement to show a figure. The functions over days (`surfacing`, `trend`, `monthly`) take its
`when` table, or rows of single statements, each counting one. No I/O, no Streamlit."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

REGIONAL_SHARE = 0.8  # a theme is "regional" when one region holds this share of its partners
# A theme is surfacing only when even the low end of its growth is this many times its baseline
# rate. With thousands of statements a 2% rise is significant, and the page then read
# "Surfacing ... at least 1.00 times", which tells an executive nothing.
MIN_GROWTH = 1.2


@dataclass(frozen=True)
class Tally:
    """A view's issue statements and notes, counted (`Store.tally`). Every table grows with
    themes, places, cohorts and days, never with statements, notes or partners; figures about
    partners are counts of distinct partners, made where the statements are. theme_id NA:
    the unthemed statements."""

    themes: pd.DataFrame  # theme_id, statements, partners, n_ln_n (sum over its partners of n ln n)
    regions: pd.DataFrame  # theme_id, region, statements, partners
    offices: pd.DataFrame  # theme_id, region, office, statements, partners
    places: pd.DataFrame  # region, office, partners (behind any statement, themed or not)
    cohorts: pd.DataFrame  # theme_id, cohort, statements, partners
    when: pd.DataFrame  # theme_id, meeting_date, statements
    notes: pd.DataFrame  # region, office, meeting_date, notes
    note_offices: pd.DataFrame  # region, office, partners (with a note in the view)
    note_cohorts: pd.DataFrame  # cohort, partners (with a note in the view)
    partners: int  # partners with a note in the view

    @property
    def last_day(self) -> pd.Timestamp:
        return self.when["meeting_date"].max() if len(self.when) else pd.NaT

    def only(self, theme_ids) -> "Tally":
        """The tally of these themes' statements only (hidden or out-of-scope themes dropped;
        the notes, and the totals growth is measured against, stay whole)."""
        keep = lambda frame: frame[frame["theme_id"].isin(theme_ids)].reset_index(drop=True)
        return replace(self, themes=keep(self.themes), regions=keep(self.regions), offices=keep(self.offices),
                       cohorts=keep(self.cohorts))

    def hidden_offices(self, k: int) -> set[str]:
        """Offices the k rule hides somewhere in the view (`hidden_offices`)."""
        return hidden_offices(self.offices, self.places, k)

    def with_themes_from(self, counted: dict[str, pd.DataFrame], theme_ids) -> "Tally":
        """This tally with the rows of these themes (None: the unthemed) replaced by `counted`'s
        per-theme tables (`Store.recount`)."""
        ids = {int(t) for t in theme_ids if t is not None}
        unthemed = None in set(theme_ids)

        def swap(name: str) -> pd.DataFrame:
            old = getattr(self, name)
            gone = old["theme_id"].isin(ids) | (old["theme_id"].isna() if unthemed else False)
            kept = old[~gone].reset_index(drop=True)
            return pd.concat([kept, counted[name]], ignore_index=True) if len(counted[name]) else kept

        return replace(self, **{name: swap(name) for name in ("themes", "regions", "offices", "cohorts", "when")})

    def updated(self, before: "Tally", after: "Tally") -> "Tally":
        """This tally with `before` taken out and `after` put in (`Store.count`). Every figure of
        a tally is a sum over partners (their statements, whether they are behind a group at
        all, their n ln n), so the partners an import touched, counted as they were and as
        they are, update it exactly; a group left with nothing is dropped."""
        def table(name: str) -> pd.DataFrame:
            frames = [getattr(self, name), getattr(after, name), _negated(getattr(before, name))]
            both = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
            counted = [c for c in _COUNTS if c in both.columns]  # the first says whether a group is left
            keys = [c for c in both.columns if c not in _COUNTS]
            out = both.groupby(keys, dropna=False, sort=False, as_index=False)[counted].sum()
            return out[out[counted[0]] != 0].reset_index(drop=True)[list(both.columns)]

        frames = {f.name: table(f.name) for f in fields(self) if f.name != "partners"}
        return replace(self, **frames, partners=self.partners - before.partners + after.partners)

    def in_region(self, region: str) -> "Tally":
        """The per-place tables of one region (for its offices against each other)."""
        return replace(self, regions=self.regions[self.regions["region"] == region],
                       offices=self.offices[self.offices["region"] == region])


_COUNTS = ("statements", "notes", "partners", "n_ln_n")  # a tally table's counts, in that order; the rest are keys


def _negated(frame: pd.DataFrame) -> pd.DataFrame:
    counted = [c for c in frame.columns if c in _COUNTS]
    return frame.assign(**{c: -frame[c] for c in counted})


def counts(df: pd.DataFrame, column: str = "statements") -> pd.Series:
    """How many statements (or notes) each row stands for: a tally's count column, or 1 per
    row in a frame of single statements."""
    return df[column] if column in df else pd.Series(1, index=df.index)


@dataclass(frozen=True)
class Filter:
    regions: tuple[str, ...] = ()
    offices: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    cohorts: tuple[str, ...] = ()  # needs a `cohort` column (synth/cohorts.py)

    def without_places(self) -> "Filter":
        """The same dates and cohorts over every region and office: what a place is compared with."""
        return Filter(start=self.start, end=self.end, cohorts=self.cohorts)


def themed(df: pd.DataFrame) -> pd.DataFrame:
    mask = df["theme_id"].notna()
    return df if mask.all() else df[mask]  # callers often pass an already-themed view: no copy


# ---- volume ----------------------------------------------------------------------------------
def trend(df: pd.DataFrame, theme_id: int, freq: str = "M") -> pd.DataFrame:
    t = df[df["theme_id"] == theme_id]
    out = counts(t).groupby(t["meeting_date"].dt.to_period(freq).dt.start_time).sum().rename("statements")
    if out.empty:
        return out.reset_index().rename(columns={"meeting_date": "period"})
    # From the start of the data, not of the theme: a new theme's line starts at zero.
    first = df["meeting_date"].min().to_period(freq).start_time
    full = pd.date_range(first, df["meeting_date"].max(), freq="MS" if freq == "M" else "W-MON")
    return out.reindex(full.union(out.index), fill_value=0).rename_axis("period").reset_index()


# ---- surfacing -----------------------------------------------------------------------------------
def window_start(df: pd.DataFrame, weeks: int = 8, asof: date | None = None) -> pd.Timestamp:
    end = pd.Timestamp(asof) if asof else df["meeting_date"].max()
    return end - pd.Timedelta(weeks=weeks)


def surfacing(df: pd.DataFrame, weeks: int = 8, asof: date | None = None, since: date | None = None,
              alpha: float = 0.05, baseline: tuple[date, date] | None = None) -> pd.DataFrame:
    """Per theme: statements in the recent window (after `since`, or the last `weeks`, up to
    `asof`) vs the theme's own baseline (everything before the window, or the dates of
    `baseline`, both ends included), as a
    rate ratio against all statements in each period (so overall program growth is not read
    as a surge). Conditional binomial test, exact Clopper-Pearson interval: honest for small
    counts. `surfacing` only when the increase is significant; `new` when the theme had no
    statements before the window. Significant and at least MIN_GROWTH at the interval's low end:
    a significant rise too small to matter is not news."""
    t = themed(df)
    if t.empty:
        return pd.DataFrame(columns=["theme_id", "recent", "baseline", "rate_ratio", "ratio_low", "ratio_high",
                                     "p_value", "surfacing", "new"])
    start = pd.Timestamp(since) if since else window_start(df, weeks, asof)
    end = pd.Timestamp(asof) if asof else df["meeting_date"].max()
    recent_mask = (df["meeting_date"] > start) & (df["meeting_date"] <= end)
    if baseline is not None:
        b0, b1 = pd.Timestamp(baseline[0]), pd.Timestamp(baseline[1])
        base_mask = (df["meeting_date"] >= b0) & (df["meeting_date"] <= b1)
    else:
        base_mask = df["meeting_date"] <= start
    n = counts(df)
    e1, e0 = int(n[recent_mask].sum()), int(n[base_mask].sum())
    k1 = n[t.index][recent_mask[t.index]].groupby(t["theme_id"]).sum()
    k0 = n[t.index][base_mask[t.index]].groupby(t["theme_id"]).sum()
    rows = []
    for theme in sorted(set(t["theme_id"].dropna().astype(int))):
        a, b = int(k1.get(theme, 0)), int(k0.get(theme, 0))
        rows.append(dict(theme_id=theme, recent=a, baseline=b, **rate_ratio_test(a, b, e1, e0, alpha)))
    out = pd.DataFrame(rows)
    out["surfacing"] = (out["p_value"] < alpha) & (out["ratio_low"] >= MIN_GROWTH)
    out["new"] = (out["baseline"] == 0) & (out["recent"] > 0) & (e0 > 0)
    return out.sort_values(["surfacing", "ratio_low", "recent"], ascending=False).reset_index(drop=True)


def rate_ratio_test(k1: int, k0: int, e1: int, e0: int, alpha: float = 0.05) -> dict:
    """Ratio of the recent to the baseline rate (k/e), one-sided p-value for an increase and
    a two-sided (1 - alpha) exact interval, from k1 | k1 + k0 ~ Binomial(n, e1 / (e1 + e0))."""
    n = k1 + k0
    if n == 0 or e1 == 0 or e0 == 0:
        return dict(rate_ratio=float("nan"), ratio_low=0.0, ratio_high=float("inf"), p_value=1.0)
    p_null = e1 / (e1 + e0)
    p_value = float(stats.binom.sf(k1 - 1, n, p_null))
    lo = stats.beta.ppf(alpha / 2, k1, n - k1 + 1) if k1 > 0 else 0.0
    hi = stats.beta.ppf(1 - alpha / 2, k1 + 1, n - k1) if k1 < n else 1.0
    to_ratio = lambda p: (p / (1 - p)) * (e0 / e1) if p < 1 else float("inf")
    ratio = (k1 / e1) / (k0 / e0) if k0 else float("inf")
    return dict(rate_ratio=ratio, ratio_low=float(to_ratio(lo)), ratio_high=float(to_ratio(hi)), p_value=p_value)


# ---- corroboration ------------------------------------------------------------------------------------
SCOPES = ("company", "regions", "region")  # what a table covers: every region, some of them, one


def scope_of(df: pd.DataFrame, whole: bool) -> str:
    """The scope of a table of statements (see `corroboration`): one region when it holds one,
    else the whole company when `whole` (nothing left out by role or filter), else some regions."""
    if df["region"].nunique() <= 1:
        return "region"
    return "company" if whole else "regions"


def corroboration(tally: Tally, scope: str = "company") -> pd.DataFrame:
    """Per theme: distinct partners, offices and regions behind it, the effective number of
    partners (exp of the entropy of who raised it: ten partners once each count 10, one
    partner ten times counts 1), and its spread.

    The spread is relative to what the tally covers (`scope`): with every region, a theme is
    local (one office), regional (80% of its partners in one region) or company-wide; with some
    regions (a director's, or a filter), "several regions" replaces company-wide, which would
    claim what the table cannot show; within one region, where every theme would be "regional",
    a theme is local or raised in "several offices"."""
    if scope not in SCOPES:
        raise ValueError(f"scope {scope!r}: use one of {', '.join(SCOPES)}")
    cols = ["theme_id", "statements", "partners", "effective_partners", "offices", "regions", "spread", "where"]
    out = themed(tally.themes).set_index("theme_id")
    if out.empty:
        return pd.DataFrame(columns=cols)
    n = out["statements"].astype(float)
    # exp(H) with H = ln n - (sum of n_p ln n_p) / n over the theme's partners p
    out["effective_partners"] = np.exp(np.log(n) - out["n_ln_n"] / n)
    offices, regions = themed(tally.offices), themed(tally.regions)
    out["offices"] = offices.groupby("theme_id")["office"].nunique()
    out["first_office"] = offices.groupby("theme_id")["office"].first()
    out["regions"] = regions.groupby("theme_id")["region"].nunique()
    top = regions.loc[regions.groupby("theme_id")["partners"].idxmax()].set_index("theme_id")
    out["top_region"], out["top_share"] = top["region"], top["partners"]
    local = out["offices"] == 1
    if scope == "region":
        regional = pd.Series(False, index=out.index)
        wide = "several offices"
    else:
        regional = ~local & (out["top_share"] >= REGIONAL_SHARE * out["partners"])
        wide = "company-wide" if scope == "company" else "several regions"
    out["spread"] = np.select([local, regional], ["local", "regional"], wide)
    out["where"] = np.select([local, regional], [out["first_office"].astype(str), out["top_region"].astype(str)], "")
    out = out.reset_index()
    out["theme_id"] = out["theme_id"].astype(int)
    return out[cols].sort_values("effective_partners", ascending=False).reset_index(drop=True)


def ranked(tally: Tally, weeks: int = 8, since: date | None = None, asof: date | None = None,
           baseline: tuple[date, date] | None = None, scope: str = "company") -> pd.DataFrame:
    """The home page's list: surfacing first (by the lower bound of growth), then by how well
    corroborated, with volume breaking ties. `since`/`asof` and `baseline`: the two periods
    compared (see `surfacing`); `scope`: what the tally covers (see `corroboration`)."""
    s = surfacing(tally.when, weeks=weeks, since=since, asof=asof, baseline=baseline)
    c = corroboration(tally, scope)
    out = c.merge(s, on="theme_id", how="left")
    out["surfacing"] = out["surfacing"].fillna(False).astype(bool)
    out["new"] = out["new"].fillna(False).astype(bool)
    out["score"] = np.where(out["surfacing"], out["ratio_low"].fillna(0), 0.0)
    return out.sort_values(["surfacing", "score", "effective_partners", "statements"],
                           ascending=False).reset_index(drop=True)


# ---- comparison and privacy -------------------------------------------------------------------------------
def region_matrix(cells: pd.DataFrame, column: str = "region", k: int = 3, alpha: float = 0.05) -> pd.DataFrame:
    """Theme x region (or office) cells: statements, distinct partners, the theme's share of the
    cell's statements, its lift over the rest of the company, and whether that difference is
    significant (two-sided binomial test of the cell against the rest). Cells backed by fewer
    than k partners, and cells that would let someone subtract their way to them, are
    suppressed: their figures are NaN and `suppressed` is True. `cells`: a tally's `regions`
    or `offices` (statements and partners per theme and place)."""
    cells = themed(cells)
    if cells.empty:
        return pd.DataFrame(columns=["theme_id", column, "statements", "partners", "share", "lift", "p_value",
                                     "over", "under", "suppressed"])
    cells = cells.groupby(["theme_id", column], as_index=False).agg(statements=("statements", "sum"),
                                                                     partners=("partners", "sum"))
    area_totals = cells.groupby(column)["statements"].sum()
    theme_totals = cells.groupby("theme_id")["statements"].sum()
    grand = int(cells["statements"].sum())
    rows = []
    for r in cells.itertuples(index=False):
        n_area = int(area_totals[getattr(r, column)])
        k_in = int(r.statements)
        rest_k = int(theme_totals[r.theme_id]) - k_in
        rest_n = grand - n_area
        rest_share = rest_k / rest_n if rest_n else float("nan")
        share = k_in / n_area
        p = float(stats.binomtest(k_in, n_area, rest_share).pvalue) if 0 < rest_share < 1 else 1.0
        lift = share / rest_share if rest_share else float("inf")
        rows.append(dict(theme_id=int(r.theme_id), **{column: getattr(r, column)}, statements=k_in,
                         partners=int(r.partners), share=share, lift=lift, p_value=p,
                         over=p < alpha and lift > 1, under=p < alpha and lift < 1))
    out = pd.DataFrame(rows)
    out["suppressed"] = suppress(out, column, k)
    hide_cols = ["statements", "partners", "share", "lift", "p_value"]
    out.loc[out["suppressed"], hide_cols] = np.nan
    out.loc[out["suppressed"], ["over", "under"]] = False
    return out


def suppress(cells: pd.DataFrame, column: str, k: int) -> pd.Series:
    """Primary suppression (fewer than k partners) plus complementary suppression: wherever a
    theme's row or an area's column would have exactly one hidden cell, its smallest visible
    neighbour is hidden too, since totals are shown and the hidden value could be subtracted
    out. Repeats until stable."""
    hidden = cells["partners"] < k
    changed = True
    while changed:
        changed = False
        for key in ("theme_id", column):
            for _, idx in cells.groupby(key).groups.items():
                group_hidden = hidden[idx]
                if group_hidden.sum() == 1 and len(idx) > 1:
                    visible = cells.loc[idx][~group_hidden]
                    smallest = visible["statements"].idxmin()
                    hidden[smallest] = True
                    changed = True
    return hidden


# ---- the small-group (k) rule, under any filter ------------------------------------------------
# A figure about fewer than k distinct partners (a count, a spread, an office's name beside a
# theme) could point at the people who said it. `region_matrix` applies the rule to breakdown
# cells; these apply it to everything else a page or an export shows: the figures of the whole
# filtered view, of one theme in it, and the office named beside each statement. They work on
# whatever rows the filter left, so narrowing the filter can only hide more.
SMALL_OFFICE = "(small office hidden)"


def too_few_partners(partners: int, k: int) -> bool:
    """True when fewer than k distinct partners stand behind a figure: show no figure about them."""
    return int(partners) < k


def masked_offices(df: pd.DataFrame, k: int, partners: pd.Series | None = None) -> pd.Series:
    """`df`'s office column (rows of single statements: a drill-down, an export) with every
    office hidden (`SMALL_OFFICE`) where fewer than k partners raised that theme there among
    these rows (unthemed statements count as one group), or, given `partners` (per theme id,
    -1 for unthemed, and office), among those. Where a theme's hidden rows would all come
    from one office, its smallest named office is hidden too: with every other office named,
    the hidden one could be worked out by elimination."""
    if df.empty:
        return df["office"].copy()
    theme = df["theme_id"].astype("Float64").fillna(-1)
    if partners is None:
        partners = df.groupby([theme, df["office"]], dropna=False)["partner_key"].nunique()
    hidden = set(partners[partners < k].index)
    for t, per_office in partners.groupby(level=0):
        small = per_office[per_office < k]
        if len(small) == 1 and len(small) < len(per_office):
            hidden.add(per_office[per_office >= k].idxmin())
    keys = pd.Series(list(zip(theme, df["office"])), index=df.index)
    return df["office"].where(~keys.isin(hidden), SMALL_OFFICE)


OFFICE_MASK = "[OFFICE]"


def hidden_offices(per_theme: pd.DataFrame, per_office: pd.DataFrame, k: int) -> set[str]:
    """Offices the k rule hides somewhere: fewer than k partners in the office (`per_office`:
    office, partners), or behind one of its themes there, the unthemed statements counting as
    one (`per_theme`: theme_id, office, partners). A tally has both tables; rows of single
    statements give them with `hidden_office_names`."""
    small = per_office[per_office["partners"] < k]["office"]
    masked = per_theme[per_theme["partners"] < k]["office"]
    return set(small) | set(masked)


def hidden_office_names(df: pd.DataFrame, k: int) -> set[str]:
    """`hidden_offices` for rows of single statements (`masked_offices` hides them in a table)."""
    if df.empty:
        return set()
    theme = df["theme_id"].astype("Float64").fillna(-1).rename("theme_id")
    per_theme = df.groupby([theme, df["office"]])["partner_key"].nunique().rename("partners").reset_index()
    per_office = df.groupby("office")["partner_key"].nunique().rename("partners").reset_index()
    return hidden_offices(per_theme, per_office, k)


def mask_office_names(texts: pd.Series, offices: Iterable[str]) -> pd.Series:
    """`texts` with each of these office names, as a whole word in any case, written
    `[OFFICE]`: where the k rule hides an office, a statement or quote that names it ("In
    Tinyville, ...") must not give it away."""
    names = sorted({o for o in offices if isinstance(o, str) and o.strip()}, key=len, reverse=True)
    if not names or texts.empty:
        return texts
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.I)
    return texts.map(lambda t: pattern.sub(OFFICE_MASK, t) if isinstance(t, str) else t)


def with_enough_partners(table: pd.DataFrame, k: int) -> tuple[pd.DataFrame, int]:
    """The rows of a per-theme table (`corroboration`, `ranked`) backed by at least k partners,
    and how many were left out: their counts, spread and place are not shown at all."""
    keep = table["partners"] >= k
    return table[keep].reset_index(drop=True), int((~keep).sum())


_LEADING_COUNT = re.compile(r"^\d[\d,]*(?= (?:\w+ )?statements\b)")


def describe_in_scope(description: str, statements: int, partners: int, k: int) -> str:
    """A theme's stored description with its statement count (counted over every region when
    the theme was fitted) replaced by the count in the viewer's scope, or by "A few" when
    fewer than k partners stand behind it there."""
    return _LEADING_COUNT.sub(f"{statements:,}" if partners >= k else "A few", description, count=1)


# ---- coverage ----------------------------------------------------------------------------------------------
def coverage(notes: pd.DataFrame, weeks: int = 8, asof: date | None = None, quiet_share: float = 0.5,
             k: int | None = None, partners: pd.DataFrame | None = None) -> pd.DataFrame:
    """Offices heard from in the recent window vs their usual rate: `silent` with no notes in
    the window, `quiet` under `quiet_share` of their usual volume. `notes`: notes per region,
    office and day (a `Tally`'s `notes`, or one row per meeting). With `k`, an office whose
    notes come from fewer than k partners (`partners`: region, office, partners, as a tally's
    `note_offices`; by default counted in `notes`) keeps its status but not its counts (NaN)."""
    if notes.empty:
        return pd.DataFrame(columns=["region", "office", "recent", "expected", "status"])
    end = pd.Timestamp(asof) if asof else notes["meeting_date"].max()
    start = end - pd.Timedelta(weeks=weeks)
    first = notes["meeting_date"].min()
    base_weeks = max((start - first).days / 7, 1)
    n = counts(notes, "notes")
    recent = n[(notes["meeting_date"] > start) & (notes["meeting_date"] <= end)].groupby(
        [notes["region"], notes["office"]]).sum()
    baseline = n[notes["meeting_date"] <= start].groupby([notes["region"], notes["office"]]).sum()
    if k is not None:
        partners = (notes.groupby(["region", "office"])["partner_key"].nunique() if partners is None
                    else partners.set_index(["region", "office"])["partners"])
    rows = []
    for region, office in notes.groupby(["region", "office"]).groups:
        got = int(recent.get((region, office), 0))
        expected = int(baseline.get((region, office), 0)) / base_weeks * weeks
        status = "silent" if got == 0 else ("quiet" if got < quiet_share * expected else "heard")
        small = k is not None and partners.get((region, office), 0) < k
        rows.append(dict(region=region, office=office, recent=math.nan if small else got,
                         expected=math.nan if small else round(expected, 1), status=status))
    order = {"silent": 0, "quiet": 1, "heard": 2}
    return pd.DataFrame(rows).sort_values(["status", "recent"], key=lambda s: s.map(order) if s.name == "status" else s).reset_index(drop=True)


def headline(tally: Tally) -> dict:
    """The view's totals."""
    when, notes = tally.when, tally.notes
    return dict(notes=int(notes["notes"].sum()), statements=int(when["statements"].sum()),
                themes=int(when["theme_id"].dropna().nunique()), offices=int(notes["office"].nunique()),
                unthemed=int(when.loc[when["theme_id"].isna(), "statements"].sum()))


def monthly(df: pd.DataFrame) -> pd.DataFrame:
    """Statements per theme (rows) and month (columns, every month from the first in `df` to
    the last, zeros included): every theme's trend from one groupby, where `trend` per theme
    would pass over the table once per theme."""
    t = themed(df)
    if t.empty:
        return pd.DataFrame()
    month = t["meeting_date"].dt.to_period("M").dt.start_time
    table = counts(t).groupby([t["theme_id"].astype(int), month]).sum().unstack(fill_value=0)
    months = pd.date_range(df["meeting_date"].min().to_period("M").start_time, df["meeting_date"].max(), freq="MS")
    return table.reindex(columns=months, fill_value=0)


def fmt_ratio(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return "new" if math.isinf(x) else f"x{x:.1f}"


def fmt_low(x: float) -> str:
    """The low end of growth's interval: one decimal, or two where one would round it to 1.0. A
    surfacing theme's low end is over 1, and 'at least 1.0 times' read as no growth at all."""
    text = f"{x:.1f}"
    return f"{x:.2f}" if text == "1.0" and x != 1 else text
