"""Cohorts: the group of partners each partner joined the program with, and what each cohort raises.

A partner's cohort is the one their export names (an optional "Cohort" column), else the
half-year of their first meeting, named like ``2025-H2``. It is a fact about the partner,
not about one note, so it is worked out when notes are read, over every note the store holds:
an import that brings an earlier meeting of a partner moves them to an earlier cohort, and an
undo moves them back. The store works that out in SQL (`store.tallies.cohort_of_partner`),
so the pages' tallies filter and count by cohort in the database; these are pure functions.
"""

from __future__ import annotations

import pandas as pd

from synth import signals

COHORT = "cohort"  # the column these functions add


def with_cohorts(frame: pd.DataFrame, cohorts: pd.Series) -> pd.DataFrame:
    """`frame` (rows with a partner_key) with each row's partner's cohort, as a new frame:
    frames the dashboard caches are shared and never changed in place."""
    return frame.assign(**{COHORT: frame["partner_key"].map(cohorts).astype(object)})


# ---- what each cohort raises --------------------------------------------------------------------
def compare(cells: pd.DataFrame, sizes: pd.DataFrame, k: int) -> tuple[pd.DataFrame, pd.Series]:
    """Theme x cohort cells for the view: how many of a cohort's partners (those with a meeting
    in the view) raised each theme, as a share. `cells`: a tally's `cohorts` (statements and
    partners per theme and cohort); `sizes`: its `note_cohorts`. Returns (cells, sizes:
    partners per cohort shown).

    The k rule: a cohort with fewer than k partners in the view is left out whole (not in
    `sizes`, no cells); a cell backed by fewer than k partners is hidden. A theme's partner
    count is shown elsewhere and each partner is in one cohort, so a theme's cells add up to
    it: where a theme has exactly one hidden cell (a left-out cohort's counts too), its
    smallest shown cell is hidden as well. (A cohort's cells do not add up to its size, since
    a partner raises several themes, so nothing more is needed down a cohort.) Hidden cells
    have NaN figures and `suppressed` True; `rank` numbers the shown cells within each cohort
    by share (1 = raised by the largest share)."""
    cols = ["theme_id", COHORT, "partners", "statements", "share", "suppressed", "rank"]
    every = sizes.set_index(COHORT)["partners"].rename("partners")
    sizes = every[every >= k]
    cells = signals.themed(cells)
    if cells.empty:
        return pd.DataFrame(columns=cols), sizes
    cells = cells[["theme_id", COHORT, "partners", "statements"]].reset_index(drop=True)
    cells["theme_id"] = cells["theme_id"].astype(int)
    hidden = cells["partners"] < k
    for _, idx in cells.groupby("theme_id").groups.items():
        if hidden[idx].sum() == 1 and len(idx) > 1:
            hidden[cells.loc[idx][~hidden[idx]]["partners"].idxmin()] = True
    cells["suppressed"] = hidden
    cells = cells[cells[COHORT].isin(sizes.index)].copy()
    cells["share"] = cells["partners"] / cells[COHORT].map(sizes)
    cells.loc[cells["suppressed"], ["partners", "statements", "share"]] = float("nan")
    cells["rank"] = cells[~cells["suppressed"]].groupby(COHORT)["share"].rank(method="first", ascending=False)
    return cells[cols].reset_index(drop=True), sizes


def top_table(cells: pd.DataFrame, sizes: pd.Series, labels: pd.Series, top: int = 5) -> pd.DataFrame:
    """`compare`'s cells as a table to read: one row per theme that is among the `top` of at
    least one cohort, one column per cohort, each cell the share of the cohort's partners who
    raised it ("34% (12)"), "hidden" under the k rule, or "" when none did."""
    wanted = cells[cells["rank"] <= top]
    if wanted.empty:
        return pd.DataFrame(columns=["Theme"])
    order = wanted.groupby("theme_id")["rank"].min().sort_values(kind="stable").index
    chosen = cells[cells["theme_id"].isin(order)]

    def words(cell) -> str:
        return "hidden" if cell.suppressed else f"{cell.share:.0%} ({int(cell.partners)})"

    out = pd.DataFrame({"Theme": [labels.get(t, f"theme #{t}") for t in order]}, index=order)
    for cohort in sizes.index:
        mine = chosen[chosen[COHORT] == cohort].set_index("theme_id")
        out[f"{cohort} ({int(sizes[cohort])} partners)"] = [words(mine.loc[t]) if t in mine.index else "" for t in order]
    return out.reset_index(drop=True)
