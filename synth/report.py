"""`synth report`: the top surfacing themes for a scope, as text, Markdown and CSV."""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path

import pandas as pd

from synth import export, signals
from synth.markup import inline
from synth.errors import SynthError, ThemesNotFitted, UsageError


def top_themes(tally: signals.Tally, themes: pd.DataFrame, scope: str, since: date | None = None,
               limit: int = 10) -> pd.DataFrame:
    """The ranked themes of a tally (`signals.ranked`); `scope`: what it covers (`signals.scope_of`)."""
    if signals.themed(tally.themes).empty:
        return pd.DataFrame()
    ranked = signals.ranked(tally, since=since, scope=scope)
    labels = themes.set_index("id")["label"]
    ranked = ranked[ranked["theme_id"].isin(labels.index)]
    ranked.insert(1, "label", ranked["theme_id"].map(labels))
    return ranked.head(limit)


def brief_markdown(top: pd.DataFrame, scope: str, quotes: dict[int, str] | None = None) -> str:
    """The brief as Markdown; every string from notes (scope, labels, places, quotes) is
    escaped, so it reads as text wherever the brief is rendered."""
    lines = [f"# What the field is saying: {inline(scope)}", ""]
    if top.empty:
        return "\n".join(lines + ["No themed statements in this scope yet."])
    lines += ["| # | Theme | Recent | Before | Growth (95% low) | Partners | Offices | Spread |",
              "|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(top.itertuples(), 1):
        flag = " **surfacing**" if r.surfacing else ""
        growth = "new" if r.new else f"{signals.fmt_ratio(r.rate_ratio)} ({signals.fmt_low(r.ratio_low)})"
        where = inline(f"{r.spread} {r.where}".strip())
        lines.append(f"| {i} | {inline(r.label)}{flag} | {int(r.recent)} | {int(r.baseline)} | {growth} | {r.partners} | {r.offices} | {where} |")
    if quotes:
        lines += ["", "## In their words", ""]
        for r in top.itertuples():
            if r.theme_id in quotes:
                lines.append(f"- **{inline(r.label)}**: \u201c{inline(quotes[r.theme_id])}\u201d")
    lines += ["", "Growth compares each theme's share of statements in the recent window with its share before it "
              "(exact binomial interval); quotes are redacted and never attributed."]
    return "\n".join(lines)


def refuse(what: str, value: str, valid: list[str], where: str = "") -> None:
    """Refuse a scope no statement comes from, naming the ones that exist and the closest."""
    close = difflib.get_close_matches(value.lower(), [v.lower() for v in valid], n=1, cutoff=0.75)
    hint = next((f" Did you mean {v!r}?" for v in valid if close and v.lower() == close[0]), "")
    raise UsageError(f"--{what} {value!r}: no {what} of that name has statements{where}.{hint} "
                     f"{what.capitalize()}s{where}: {', '.join(valid) or '(none yet: import notes first)'}.")


def check_scope(tally: signals.Tally, region: str | None, office: str | None, cohort: str | None = None) -> None:
    """A region, office or cohort no statement comes from is refused with the ones that exist,
    so a misspelt name ("South West") is not read as a scope with nothing to report. `tally`:
    the whole store's."""
    places = tally.offices
    if region and region not in set(places["region"]):
        refuse("region", region, sorted(places["region"].unique()))
    if office:
        offices = places[places["region"] == region]["office"] if region else places["office"]
        if office not in set(offices):
            refuse("office", office, sorted(offices.unique()), f" in {region}" if region else "")
    if cohort and cohort not in set(tally.cohorts["cohort"]):
        refuse("cohort", cohort, sorted(tally.cohorts["cohort"].unique()))


def run(store, settings, region: str | None = None, office: str | None = None, since: str | None = None,
        markdown: str | None = None, csv_path: str | None = None, cohort: str | None = None) -> str:
    themes = store.themes_frame()
    if themes.empty:
        raise ThemesNotFitted("The report")
    try:
        since_date = date.fromisoformat(since) if since else None
    except ValueError:
        raise SynthError(f"--since {since!r} is not a date; use YYYY-MM-DD.") from None
    check_scope(store.tally(), region, office, cohort)
    flt = signals.Filter(regions=(region,) if region else (), offices=(office,) if office else (),
                         cohorts=(cohort,) if cohort else ())
    tally = store.tally(None, flt)
    top = top_themes(tally, themes, signals.scope_of(tally.regions, not region and not office), since=since_date)
    scope = (" / ".join(x for x in (region, office) if x) or "all regions") + (f" / cohort {cohort}" if cohort else "")
    if top.empty:
        return f"No themed statements for {scope}."
    if markdown:
        Path(markdown).write_text(brief_markdown(top, scope))
    if csv_path:
        export.write_csv(top.drop(columns=["score"]), Path(csv_path))
    out = [f"Top themes for {scope} (recent window vs before):"]
    for i, r in enumerate(top.itertuples(), 1):
        tag = "NEW " if r.new else ("UP  " if r.surfacing else "    ")
        out.append(f"{i:>2}. {tag}{r.label:<45} recent {int(r.recent):>4}  before {int(r.baseline):>5}  "
                   f"growth {signals.fmt_ratio(r.rate_ratio):>6} (low {signals.fmt_low(r.ratio_low):>4})  "
                   f"{r.partners} partners, {r.offices} offices, {r.spread} {r.where}".rstrip())
    return "\n".join(out)
