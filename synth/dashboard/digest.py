"""What the pages show, computed from a `ui.View`: each function is called through `ui.memo`,
so it runs once per scope, filter and data version and every later page view reads the
result. Plain aggregation over the package's signals; no Streamlit here."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from synth import report, signals


def _in_visible_theme(view) -> pd.Series:  # noqa: ANN001
    return view.statements["theme_id"].isin(view.themes["id"])


def themed_in_view(view) -> pd.DataFrame:  # noqa: ANN001
    """Statements of the viewer's visible themes (hidden or out-of-scope themes dropped)."""
    return view.statements[_in_visible_theme(view)]


def exportable(view) -> pd.DataFrame:  # noqa: ANN001
    """What the Export page offers: statements of visible themes, and unthemed ones."""
    return view.statements[_in_visible_theme(view) | view.statements["theme_id"].isna()]


def quotes(view, data: pd.DataFrame | None = None) -> dict[int, str]:  # noqa: ANN001
    """Per theme, its first representative quote inside the view, else any statement of it in
    the view (a filter can exclude every fitted quote). `data`: `themed_in_view(view)`, when
    the caller already has it."""
    data = themed_in_view(view) if data is None else data
    texts = data.set_index("statement_id")["text"]
    first_in_view = data.groupby("theme_id")["text"].first()
    out = {}
    for t in view.themes.itertuples():
        inside = [sid for sid in t.quotes if sid in texts.index]
        if inside:
            out[int(t.id)] = texts[inside[0]]
        elif t.id in first_in_view.index:
            out[int(t.id)] = first_in_view[t.id]
    return out


@dataclass(frozen=True)
class Home:
    headline: dict
    ranked: pd.DataFrame  # signals.ranked plus label, quote and a 12-month sparkline


def home(view) -> Home:  # noqa: ANN001
    data = themed_in_view(view)
    head = signals.headline(view.statements, view.notes)
    if data.empty:
        return Home(head, pd.DataFrame())
    ranked = signals.ranked(data)
    labels = view.themes.set_index("id")["label"]
    month = signals.monthly(data)
    said = quotes(view, data)
    ranked["label"] = ranked["theme_id"].map(labels)
    ranked["quote"] = ranked["theme_id"].map(said).fillna("")
    ranked["sparkline"] = [month.loc[t].tail(12).astype(int).tolist() for t in ranked["theme_id"]]
    return Home(head, ranked)


def region_cells(view, column: str, region: str | None, k: int) -> pd.DataFrame:  # noqa: ANN001
    """Theme x region cells (or theme x office within `region`), with labels."""
    data = themed_in_view(view)
    if region is not None:
        data = data[data["region"] == region]
    cells = signals.region_matrix(data, column, k=k)
    return cells.assign(theme=cells["theme_id"].map(view.themes.set_index("id")["label"]))


def coverage(view) -> pd.DataFrame:  # noqa: ANN001
    return signals.coverage(view.notes)


def theme_counts(view) -> pd.Series:  # noqa: ANN001
    return view.statements["theme_id"].value_counts()


def brief(view, scope: str) -> tuple[pd.DataFrame, str, dict[int, str]]:  # noqa: ANN001
    """The top themes, the Markdown brief and the quotes it cites."""
    top = report.top_themes(exportable(view), view.themes, flt=signals.Filter())
    said = quotes(view)
    return top, report.brief_markdown(top, scope, said), said
