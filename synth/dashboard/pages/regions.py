"""Regions and offices: where each theme is over- or under-represented, and who is not being heard."""

import altair as alt
import pandas as pd
import streamlit as st

from synth.dashboard import digest, ui

st.title("Regions and offices")
view = ui.filtered_view()
k = ui.settings().privacy_k
with st.expander("How to read this"):
    st.markdown(
        "Each cell is one theme in one region (or office). Its colour says how much more (red) or less (blue) "
        "often the theme comes up there than in the rest of the company (for an office: the rest of its "
        "region), as a share of all the statements made there; white is about the same. "
        "▲ or ▼ marks a difference too large to be chance (exact test, 5% level). "
        f"Grey cells are hidden to protect people: fewer than {k} different partners raised the theme there, "
        "or showing the cell would let someone work out a hidden one. Hover over a cell for its figures; "
        "click it to open the theme for that region or office.")


def heatmap(cells, column: str):
    m = cells.assign(marker=cells["over"].map({True: "▲", False: ""}) + cells["under"].map({True: "▼", False: ""}),
                     colour=cells["lift"].clip(upper=3).fillna(-1),  # inf: only here -> the reddest
                     hidden=cells["suppressed"].astype(bool) | cells["lift"].isna())
    place = "Region" if column == "region" else "Office"
    base = alt.Chart(m).encode(x=alt.X(f"{column}:N", title=None, axis=alt.Axis(labelAngle=-30, labelLimit=140)),
                               y=alt.Y("theme:N", title=None, sort="ascending", axis=alt.Axis(labelLimit=320)),
                               tooltip=[alt.Tooltip("theme:N", title="Theme"), alt.Tooltip(f"{column}:N", title=place),
                                        alt.Tooltip("statements:Q", title="Statements"),
                                        alt.Tooltip("partners:Q", title="Partners who raised it"),
                                        alt.Tooltip("share:Q", format=".1%", title=f"Share of the {column}'s statements"),
                                        alt.Tooltip("compared:N", title="Compared")])
    shown = base.transform_filter("!datum.hidden").mark_rect(cursor="pointer").add_params(
        alt.selection_point(name="cell", fields=["theme_id", column])).encode(
        color=alt.Color("colour:Q", scale=alt.Scale(scheme="redblue", reverse=True, domainMid=1, clamp=True, domain=[0, 3]),
                        title="times as often", legend=alt.Legend(values=[0, 1, 2, 3])))
    hidden = base.transform_filter("datum.hidden").mark_rect(color="#e6e6e6")
    text = base.mark_text(fontSize=10).encode(text="marker:N")
    return (hidden + shown + text).properties(height=max(300, 26 * m["theme"].nunique()))


def open_clicked(event, column: str) -> None:
    """A click on a cell opens its theme, filtered to that region or office (hidden cells take no clicks)."""
    picked = (event or {}).get("selection", {}).get("cell") or []
    if picked and "theme_id" in picked[0]:
        cell = picked[0]
        params = {"theme": str(int(cell["theme_id"])), column: str(cell[column])}
        if column == "office":
            params["region"] = region
        st.switch_page(str(ui.PAGES_DIR / "themes.py"), query_params=params)


regions_in_view = sorted(view.tally.regions["region"].unique())
by_region = ui.memo(digest.region_cells, view, "region", None, k)
if not regions_in_view or by_region.empty:
    st.info("No themed statements in this view.")
else:
    st.subheader("Themes by region")
    scope_regions = sorted(view.dated.regions["region"].unique())
    if len(scope_regions) < 2:
        st.info(ui.plain(f"You see one region, {scope_regions[0]}: there is no other region to compare it with, "
                         "so its offices are compared with each other below."))
    elif digest.comparable(by_region).empty:
        st.info(f"Nothing to compare: every cell in this view is hidden (fewer than {k} partners).")
    else:
        picked = " The regions you picked, each against the rest." if view.filter.regions else ""
        st.caption("Each region against the rest of the company: red, more often there; blue, less often; "
                   f"▲/▼ a real difference; grey, hidden.{picked}")
        open_clicked(st.altair_chart(heatmap(by_region, "region"), width="stretch", on_select="rerun",
                                     key="cells_region"), "region")

    region = st.selectbox("Offices within", regions_in_view, index=0)
    st.subheader(f"Themes by office in {ui.plain(region)}")
    by_office = ui.memo(digest.region_cells, view, "office", region, k)
    if digest.comparable(by_office).empty:
        st.info(ui.plain(f"Nothing to compare in {region}: it has one office in this view, or every cell is hidden "
                         f"(fewer than {k} partners)."))
    else:
        picked = ui.plain(", ".join(o for o in view.filter.offices))
        st.caption(ui.plain(f"Each office against the rest of {region}") +
                   (f", for the offices you picked ({picked})." if view.filter.offices else "."))
        open_clicked(st.altair_chart(heatmap(by_office, "office"), width="stretch", on_select="rerun",
                                     key="cells_office"), "office")

st.subheader("What each cohort raises")
st.caption("Each cohort's most raised themes, as the share of its partners (those with a meeting in this view) "
           "who raised each one, with how many in brackets. A cohort is the group the export names, or the "
           "half-year of the partner's first meeting. Pick cohorts in the sidebar to narrow every page to them.")
by_cohort = ui.memo(digest.cohort_comparison, view, k)
if by_cohort.table.empty:
    st.info(f"Nothing to compare: no theme is raised by {k} or more partners of one cohort in this view, or "
            "showing it would reveal a smaller group.")
else:
    st.dataframe(by_cohort.table, hide_index=True)
remarks = []
if by_cohort.left_out:
    remarks.append(f"{ui.plural(by_cohort.left_out, 'cohort')} with fewer than {k} partners in this view "
                 f"{'is' if by_cohort.left_out == 1 else 'are'} not shown.")
if by_cohort.hidden:
    remarks.append(f"“hidden”: fewer than {k} partners of the cohort raised the theme, or showing it would reveal "
                 "a cell that has.")
if remarks:
    st.caption(" ".join(remarks))

st.subheader("Who is not being heard")
st.caption("Offices with no notes in the last 8 weeks (silent), or fewer than half their usual number (quiet).")
cov = ui.memo(digest.coverage, view, k)  # offices with fewer than k partners: status, no counts
quiet = cov[cov["status"] != "heard"]
if quiet.empty:
    st.success("Every office has notes in the last 8 weeks at close to its usual rate.")
else:
    # An office of fewer than k partners keeps its status but shows no counts: say so, not "None".
    counts = {c: quiet[c].map(lambda x: "hidden" if pd.isna(x) else f"{x:,g}") for c in ("recent", "expected")}
    st.dataframe(quiet.assign(**counts).rename(columns={
        "region": "Region", "office": "Office", "recent": "Notes, last 8 weeks", "expected": "Usual for 8 weeks",
        "status": "Status"}), hide_index=True)
    if quiet["recent"].isna().any():
        st.caption(f"“hidden”: fewer than {k} partners met in that office in this view, so its counts are not shown.")
