"""Regions and offices: where each theme is over- or under-represented, and who is not being heard."""

import altair as alt
import streamlit as st

from synth import signals
from synth.dashboard import ui

st.title("Regions and offices")
view = ui.filtered_view()
data, notes, labels = view.statements, view.notes, view.themes.set_index("id")["label"]

k = ui.settings().privacy_k
data = data[data["theme_id"].isin(labels.index)]


def heatmap(matrix, column: str):  # noqa: ANN001, ANN201
    m = matrix.assign(theme=matrix["theme_id"].map(labels))
    m["marker"] = m["over"].map({True: "▲", False: ""}) + m["under"].map({True: "▼", False: ""})
    base = alt.Chart(m).encode(x=alt.X(f"{column}:N", title=None, axis=alt.Axis(labelAngle=-30, labelLimit=140)),
                               y=alt.Y("theme:N", title=None, sort="ascending", axis=alt.Axis(labelLimit=320)))
    cells = base.mark_rect().encode(
        color=alt.Color("lift:Q", scale=alt.Scale(scheme="redblue", reverse=True, domainMid=1, clamp=True,
                                                  domain=[0, 3]), title="vs rest"),
        tooltip=["theme", column, "statements", "partners", alt.Tooltip("share:Q", format=".1%"),
                 alt.Tooltip("lift:Q", format=".2f"), "suppressed"])
    text = base.mark_text(fontSize=10).encode(text="marker:N")
    return (cells + text).properties(height=max(300, 26 * m["theme"].nunique()))


if data.empty:
    st.info("No themed statements in this view.")
else:
    st.subheader("Themes by region")
    st.caption("Colour: how much more (red) or less (blue) often a theme comes up in a region than in the rest of "
               f"the company. ▲/▼: significant at 5%. Blank: hidden, fewer than {k} partners behind it.")
    st.altair_chart(heatmap(signals.region_matrix(data, "region", k=k), "region"), width="stretch")

    regions = sorted(data["region"].unique())
    region = st.selectbox("Offices within", regions, index=0)
    within = data[data["region"] == region]
    st.subheader(f"Themes by office in {region}")
    st.altair_chart(heatmap(signals.region_matrix(within, "office", k=k), "office"), width="stretch")

st.subheader("Who is not being heard")
cov = signals.coverage(notes)
quiet = cov[cov["status"] != "heard"]
if quiet.empty:
    st.success("Every office has notes in the last 8 weeks at close to its usual rate.")
else:
    st.dataframe(quiet.rename(columns={"recent": "notes, last 8 weeks", "expected": "usual for 8 weeks"}), hide_index=True)
