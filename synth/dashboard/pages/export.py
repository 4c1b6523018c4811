"""Export: the current view as CSV, and a one-page brief an executive can forward."""

import dataclasses
import html

import streamlit as st

from synth import export, you_said
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
if digest.too_few(view, k):  # the k rule: the brief and the CSV say nothing about so few people
    st.info(f"This view holds notes from fewer than {k} partners, so the brief lists no theme and the CSV no "
            "statement: each could be traced to so few people. Widen the filter.")
else:
    st.markdown(brief)

st.subheader("You said, we did")
st.caption("For partners: the themes they raised in the period and what happened to each (status and decision). "
           "Themes raised by fewer than k partners are left out; no office or person is named.")
start, end = you_said.period(view.tally.last_day, flt.start, flt.end)
in_period = ui.tally(dataclasses.replace(flt, start=start, end=end))
said_table, left_out = you_said.raised(in_period, view.themes, ui.scoped().actions(), k)
scope_words = ", ".join(flt.regions) if flt.regions else ("the whole program" if not ui.viewer().region_scope
                                                           else ", ".join(ui.viewer().region_scope))
said_md = you_said.markdown(said_table, scope_words, start, end, left_out, k)
c1, c2 = st.columns(2)
c1.download_button("You said, we did (Markdown)", said_md, file_name="you-said-we-did.md", mime="text/markdown")
c2.download_button("You said, we did (HTML)", you_said.html_page(said_table, scope_words, start, end, left_out, k),
                   file_name="you-said-we-did.html", mime="text/html")
with st.expander("Preview: you said, we did", expanded=True):
    st.markdown(said_md)

