"""Regions and offices: where each theme is over- or under-represented, and who is not being heard."""

import altair as alt
import streamlit as st

from synth.dashboard import digest, ui

st.title("Regions and offices")
view = ui.filtered_view()
k = ui.settings().privacy_k


def heatmap(cells, column: str):  # noqa: ANN001, ANN201
    m = cells.assign(marker=cells["over"].map({True: "▲", False: ""}) + cells["under"].map({True: "▼", False: ""}))
    base = alt.Chart(m).encode(x=alt.X(f"{column}:N", title=None, axis=alt.Axis(labelAngle=-30, labelLimit=140)),
                               y=alt.Y("theme:N", title=None, sort="ascending", axis=alt.Axis(labelLimit=320)))
    cells = base.mark_rect().encode(
        color=alt.Color("lift:Q", scale=alt.Scale(scheme="redblue", reverse=True, domainMid=1, clamp=True,
                                                  domain=[0, 3]), title="vs rest"),
        tooltip=["theme", column, "statements", "partners", alt.Tooltip("share:Q", format=".1%"),
                 alt.Tooltip("lift:Q", format=".2f"), "suppressed"])
    text = base.mark_text(fontSize=10).encode(text="marker:N")
    return (cells + text).properties(height=max(300, 26 * m["theme"].nunique()))


by_region = ui.memo(digest.region_cells, view, "region", None, k)
if by_region.empty:
    st.info("No themed statements in this view.")
else:
    st.subheader("Themes by region")
    st.caption("Colour: how much more (red) or less (blue) often a theme comes up in a region than in the rest of "
               f"the company. ▲/▼: significant at 5%. Blank: hidden, fewer than {k} partners behind it.")
    st.altair_chart(heatmap(by_region, "region"), width="stretch")

    region = st.selectbox("Offices within", sorted(by_region["region"].unique()), index=0)
    st.subheader(f"Themes by office in {ui.plain(region)}")
    st.altair_chart(heatmap(ui.memo(digest.region_cells, view, "office", region, k), "office"), width="stretch")

st.subheader("Who is not being heard")
cov = ui.memo(digest.coverage, view, k)  # offices with fewer than k partners: status, no counts
quiet = cov[cov["status"] != "heard"]
if quiet.empty:
    st.success("Every office has notes in the last 8 weeks at close to its usual rate.")
else:
    st.dataframe(quiet.rename(columns={"recent": "notes, last 8 weeks", "expected": "usual for 8 weeks"}), hide_index=True)
