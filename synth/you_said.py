""""You said, we did": the brief a coordinator sends back to partners. The themes partners
raised in a period (program-wide or in one region) and what happened to each: its status and
the decision. The rules of every other output hold: a theme raised by fewer than k partners in
the period is left out, counts and all (`signals.with_enough_partners`); offices are never
named; note-derived text (labels, places, decisions) is escaped in Markdown (`markup.inline`:
only what Markdown would act on, so the brief reads as written)
and in HTML (`html.escape`); decisions were redacted when they were written
(`actions.redact`), as statements are.
"""

from __future__ import annotations

import html
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from synth import signals
from synth.actions import STATUS_WORDS
from synth.errors import ThemesNotFitted, UsageError
from synth.markup import inline

DEFAULT_DAYS = 90  # the period, when none is given: the last quarter of notes


def period(last: pd.Timestamp, since: date | None = None, until: date | None = None) -> tuple[date, date]:
    """[since, until], by default the 90 days up to `last`, the latest meeting in scope."""
    end = until or (last.date() if not pd.isna(last) else date.today())
    start = since or end - timedelta(days=DEFAULT_DAYS)
    if start > end:
        raise UsageError(f"The period starts ({start}) after it ends ({end}); give --since before --until.")
    return start, end


def raised(tally: signals.Tally, themes: pd.DataFrame, actions: pd.DataFrame, k: int) -> tuple[pd.DataFrame, int]:
    """Per theme raised in the period (visible themes only): partners, statements, regions,
    status, decision and reason; most partners first. And how many themes were left out
    because fewer than k partners raised them. `tally`: the period's (`Store.tally`)."""
    inside = tally.only(themes["id"])
    if inside.themes.empty:
        return pd.DataFrame(columns=["theme_id", "label", "partners", "statements", "regions", "status", "note",
                                     "reason"]), 0
    table = inside.themes[["theme_id", "partners", "statements"]].assign(
        regions=inside.themes["theme_id"].map(inside.regions.groupby("theme_id")["region"].nunique()))
    table, left_out = signals.with_enough_partners(table, k)
    table["theme_id"] = table["theme_id"].astype(int)
    table.insert(1, "label", table["theme_id"].map(themes.set_index("id")["label"]))
    acts = actions.set_index("theme_id") if len(actions) else pd.DataFrame(columns=["status", "note", "reason"])
    table["status"] = table["theme_id"].map(acts["status"]).fillna("new")
    table["note"] = table["theme_id"].map(acts["note"]).fillna("")
    table["reason"] = table["theme_id"].map(acts["reason"]).fillna("")
    return table.sort_values(["partners", "statements"], ascending=False).reset_index(drop=True), left_out


def _what_happened(r) -> str:
    said = r.note or ("" if r.status != "new" else "Not yet looked at.")
    if r.status == "wont_do" and r.reason:
        said = f"{said} Why not: {r.reason}".strip()
    return said


def markdown(table: pd.DataFrame, scope: str, start: date, end: date, left_out: int, k: int) -> str:
    lines = [f"# You said, we did: {inline(scope)}", "",
             f"What partners raised in their reverse-mentoring meetings from {start:%d %B %Y} to {end:%d %B %Y}, "
             "and what happened to each.", ""]
    if table.empty:
        lines.append("No theme was raised by enough partners in this period to report on.")
    else:
        lines += ["| You said | Partners | Status | We did |", "|---|---|---|---|"]
        for r in table.itertuples():
            lines.append(f"| {inline(r.label)} | {r.partners} | {STATUS_WORDS.get(r.status, r.status)} | "
                         f"{inline(_what_happened(r))} |")
    lines += ["", _footnote(left_out, k)]
    return "\n".join(lines)


def html_page(table: pd.DataFrame, scope: str, start: date, end: date, left_out: int, k: int) -> str:
    e = html.escape
    rows = "".join(f"<tr><td>{e(str(r.label))}</td><td>{int(r.partners)}</td>"
                   f"<td>{e(STATUS_WORDS.get(r.status, r.status))}</td><td>{e(_what_happened(r))}</td></tr>"
                   for r in table.itertuples())
    body = (f"<table><thead><tr><th>You said</th><th>Partners</th><th>Status</th><th>We did</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>" if len(table)
            else "<p>No theme was raised by enough partners in this period to report on.</p>")
    return ("<!doctype html><html lang='en'><meta charset='utf-8'>"
            f"<title>You said, we did: {e(scope)}</title>"
            "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:900px;margin:2em auto;padding:0 1em}"
            "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:6px 8px;text-align:left;"
            "vertical-align:top}th{background:#f3f3f3}</style>"
            f"<h1>You said, we did: {e(scope)}</h1>"
            f"<p>What partners raised in their reverse-mentoring meetings from {start:%d %B %Y} to {end:%d %B %Y}, "
            f"and what happened to each.</p>{body}<p><small>{e(_footnote(left_out, k))}</small></p></html>")


def _footnote(left_out: int, k: int) -> str:
    small = (f" {left_out} theme(s) raised by fewer than {k} partners are not listed, so that nobody can be "
             "singled out." if left_out else "")
    return ("Themes are what several partners raised, in their words, with names and contact details removed; "
            f"nobody is quoted or named.{small}")


def run(store, settings, region: str | None = None, since: str | None = None, until: str | None = None,
        markdown_path: str | None = None, html_path: str | None = None) -> str:
    """`synth report --you-said-we-did`: write the brief, return a one-line summary per theme."""
    from synth import report

    themes = store.themes_frame()
    if themes.empty:
        raise ThemesNotFitted("The brief")
    dates = []
    for flag, value in (("--since", since), ("--until", until)):
        try:
            dates.append(date.fromisoformat(value) if value else None)
        except ValueError:
            raise UsageError(f"{flag} {value!r} is not a date; use YYYY-MM-DD.") from None
    known, _ = store.extent()
    if region and region not in known:
        report.refuse("region", region, known)
    regions = [region] if region else None
    store.follow_lineage()
    start, end = period(store.extent(regions)[1], *dates)
    table, left_out = raised(store.tally(regions, signals.Filter(start=start, end=end)), themes,
                             store.actions_frame(), settings.privacy_k)
    scope = region or "the whole program"
    if markdown_path:
        Path(markdown_path).write_text(markdown(table, scope, start, end, left_out, settings.privacy_k), encoding="utf-8")
    if html_path:
        Path(html_path).write_text(html_page(table, scope, start, end, left_out, settings.privacy_k), encoding="utf-8")
    out = [f"You said, we did: {scope}, {start} to {end}: {len(table)} theme(s)"
           + (f", {left_out} left out (fewer than {settings.privacy_k} partners)" if left_out else "")]
    out += [f"#{r.theme_id:<4} {STATUS_WORDS.get(r.status, r.status):<13} {r.partners:>3} partners  {r.label}"
            for r in table.itertuples()]
    return "\n".join(out)
