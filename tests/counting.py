"""A tally counted row by row in pandas (`tally_of`), and a filter applied row by row
(`kept`): the reference the database's counts and filters (`Store.tally`) are checked
against, and how the signals tests turn small hand-built tables of statements into the
tallies the signals take."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.signals import Filter, Tally


def kept(flt: Filter, df: pd.DataFrame) -> pd.DataFrame:
    """The rows of a frame of single statements or notes that the filter keeps."""
    mask = pd.Series(True, index=df.index)
    if flt.regions:
        mask &= df["region"].isin(flt.regions)
    if flt.offices:
        mask &= df["office"].isin(flt.offices)
    if flt.cohorts:
        mask &= df["cohort"].isin(flt.cohorts)
    if flt.start:
        mask &= df["meeting_date"] >= pd.Timestamp(flt.start)
    if flt.end:
        mask &= df["meeting_date"] <= pd.Timestamp(flt.end)
    return df[mask]


def tally_of(statements: pd.DataFrame, notes: pd.DataFrame | None = None) -> Tally:
    """`statements`: one row per issue statement (theme_id, meeting_date, region, office,
    partner_key, and cohort when cohorts matter); `notes`: one row per note (region, office,
    meeting_date, partner_key, cohort), by default one per distinct statement note."""
    s = statements.assign(theme_id=statements["theme_id"].astype("Int64"))
    if "cohort" not in s:
        s = s.assign(cohort="(none)")
    if notes is None:
        notes = s.drop_duplicates("note_id") if "note_id" in s else s
    key = s["theme_id"].astype("Float64").fillna(-1)  # pandas drops NA keys: count the unthemed as -1

    def per(cols: list[str]) -> pd.DataFrame:
        g = s.groupby([key.rename("key")] + [s[c] for c in cols])
        out = pd.DataFrame({"statements": g.size(), "partners": g["partner_key"].nunique()}).reset_index()
        out.insert(0, "theme_id", out.pop("key").replace(-1, np.nan).astype("Int64"))
        return out

    per_partner = s.groupby([key.rename("key"), s["partner_key"]]).size()
    n_ln_n = (per_partner * np.log(per_partner)).groupby(level=0).sum()
    themes = per([])
    themes["n_ln_n"] = themes["theme_id"].astype("Float64").fillna(-1).map(n_ln_n).astype(float)
    when = s.groupby([key.rename("key"), s["meeting_date"]]).size().rename("statements").reset_index()
    when.insert(0, "theme_id", when.pop("key").replace(-1, np.nan).astype("Int64"))
    places = s.groupby(["region", "office"])["partner_key"].nunique().rename("partners").reset_index()
    notes = notes if "cohort" in notes else notes.assign(cohort="(none)")
    return Tally(themes=themes, regions=per(["region"]), offices=per(["region", "office"]), places=places,
                 cohorts=per(["cohort"]), when=when,
                 notes=notes.groupby(["region", "office", "meeting_date"]).size().rename("notes").reset_index(),
                 note_offices=notes.groupby(["region", "office"])["partner_key"].nunique().rename("partners").reset_index(),
                 note_cohorts=notes.groupby("cohort")["partner_key"].nunique().rename("partners").reset_index(),
                 partners=int(notes["partner_key"].nunique()))
