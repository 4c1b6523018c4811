"""Export: the current view as CSV, and a one-page brief an executive can forward."""

import html

import streamlit as st

from synth import export
from synth.dashboard import digest, ui

st.title("Export")
view = ui.filtered_view()
flt = view.filter

scope = ui.filter_caption(flt)
st.caption(ui.plain(scope))
# A callable: the CSV of (up to) every statement is built when someone clicks, not on each page
# view. No rerun on click: a rerun replaces the callable, and a download that raced it was lost.
k = ui.settings().privacy_k
st.download_button("Statements in this view (CSV)",
                   lambda: export.to_csv_bytes(digest.csv_rows(view, k)),  # offices masked as on the pages
                   file_name="synth-statements.csv", mime="text/csv", on_click="ignore")

top, brief, quotes = ui.memo(digest.brief, view, scope, k)
st.download_button("One-page brief (Markdown)", brief, file_name="synth-brief.md", mime="text/markdown")
page = ("<!doctype html><meta charset='utf-8'><title>synth brief</title>"
        "<style>body{font:15px/1.5 system-ui;max-width:900px;margin:2em auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px}</style>"
        f"<h1>What the field is saying: {html.escape(scope)}</h1>"
        + (top.drop(columns=["score"]).to_html(index=False, escape=True) if not top.empty else "<p>No themes.</p>")
        + "".join(f"<blockquote>{html.escape(quotes[t])}</blockquote>" for t in top.get("theme_id", [])[:5] if t in quotes))
st.download_button("One-page brief (HTML)", page, file_name="synth-brief.html", mime="text/html")
st.subheader("Preview")
st.markdown(brief)
