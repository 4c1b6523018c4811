"""Home: what is surfacing for the current filter, and what is largest."""

from datetime import date
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from synth import actions

from synth.dashboard import digest, ui

st.title("What's surfacing")
view = ui.filtered_view()
flt, themes = view.filter, view.themes.set_index("id")

caption = st.empty()  # first on the page; it names the periods chosen just below
periods = ui.period_picker(view)
if periods is None:
    window = "recent window: the last 8 weeks of notes, against everything before"
else:
    window = (f"comparing {periods[0]:%d %b %Y}-{periods[1]:%d %b %Y} with "
              f"{periods[2]:%d %b %Y}-{periods[3]:%d %b %Y}")
caption.caption(f"{ui.plain(ui.filter_caption(flt))} · {window}")
with st.expander("How to read this"):
    st.markdown(ui.how_to_read_home(view.scope, periods is not None))
k = ui.settings().privacy_k
summary = ui.memo(digest.home, view, k, periods)
head = summary.headline
c1, c2, c3, c4 = st.columns(4)
if head is None:  # the k rule: no figure about fewer than k partners, whatever the filter
    for col, label in zip((c1, c2, c3, c4), ("Meetings", "Issue statements", "Themes", "Offices heard from")):
        col.metric(label, "hidden")
    st.info(f"Fewer than {k} partners are behind this view, so its figures are hidden. Widen the filter.")
else:
    c1.metric("Meetings", f"{head['notes']:,}")
    c2.metric("Issue statements", f"{head['statements']:,}", help=ui.HELP["statements"])
    c3.metric("Themes", head["themes"])
    c4.metric("Offices heard from", head["offices"])
if summary.left_out and head is not None:  # in a view of fewer than k partners even this count is about them
    st.caption(f"{ui.plural(summary.left_out, 'theme')} raised by fewer than {k} partners in this view "
               f"{'is' if summary.left_out == 1 else 'are'} not listed.")

if summary.ranked.empty:
    if head is not None and not summary.left_out:
        st.info("No themed statements in this view yet. Coordinators import notes; `synth fit` builds themes.")
    st.stop()

viewer = ui.viewer()
if "last_visit" not in st.session_state:
    st.session_state["last_visit"] = ui.scoped().last_visit(touch=True)
new_ids = [t for t in ui.scoped().themes_new_since(st.session_state["last_visit"]) if t in themes.index]
if st.session_state["last_visit"] is not None and new_ids:
    st.success("New since your last visit: " + "; ".join(ui.plain(themes.loc[t, "label"]) for t in new_ids[:6]))

ranked = summary.ranked
acts, today = ui.scoped().actions(), date.today()  # each card shows who owns it and its status
params = {k: st.query_params.get_all(k) for k in ui.FILTER_PARAMS if st.query_params.get_all(k)}

st.subheader("Top themes")
st.caption("Growing themes first (by the growth we are confident of), then by how many different partners raise them.")
for r in ranked.head(8).itertuples():
    with st.container(border=True):
        left, right = st.columns([3, 1])
        badge = " :orange-badge[New]" if r.new else (" :red-badge[Surfacing]" if r.surfacing else "")
        left.page_link(str(ui.PAGES_DIR / "themes.py"), label=f"**{ui.plain(r.label)}**",
                       query_params={**params, "theme": str(r.theme_id)})
        # Within one region, "1 region · several offices" would repeat what the office count says.
        where = ([ui.plural(r.regions, 'region')] if view.scope != "region" else []) + (
            [f"{r.spread}{' (' + ui.plain(r.where) + ')' if r.where else ''}"] if r.spread != "several offices" else [])
        left.markdown(
            f"{badge} {ui.plural(r.statements, 'statement')} · {ui.plural(r.partners, 'partner')} · "
            + " · ".join([ui.plural(r.offices, 'office'), *where])
            + (f" · {ui.growth_words(r.rate_ratio, r.ratio_low, r.new, periods is not None)}" if r.surfacing or r.new else ""),
            help=ui.growth_help(periods is not None) + " " + ui.spread_help(view.scope))
        left.caption(f"\u201c{ui.plain(r.quote)}\u201d")
        left.caption(f":material/task_alt: {ui.plain(actions.card_text(acts, r.theme_id, today))}")
        right.markdown(ui.sparkline_image(r.sparkline))

st.subheader("All themes")
table = pd.DataFrame({
    "Theme": ranked["label"],
    # Every row opens its theme, in a new tab (a new session), with the cards' filters in its address.
    "Open": [f"/themes?{urlencode({'theme': int(t), **params}, doseq=True)}" for t in ranked["theme_id"]],
    "Statements": ranked["statements"],
    "Recent": ranked["recent"].fillna(0).astype(int),
    "Surfacing": ranked["surfacing"],
    "Partners": ranked["partners"],
    "Offices": ranked["offices"],
    "Regions": ranked["regions"],
    "Spread": ranked["spread"],
    "Trend": ranked["sparkline"],
})
st.dataframe(table, hide_index=True, column_config={
    "Open": st.column_config.LinkColumn("Open", display_text="open theme", help="The theme's page: its statements, "
                                        "trend, where it comes up and its action."),
    "Statements": st.column_config.NumberColumn("Statements", help=ui.HELP["statements"]),
    "Recent": st.column_config.NumberColumn("Recent", help="Statements in the recent window (the caption says which)."),
    "Partners": st.column_config.NumberColumn("Partners", help=ui.HELP["partners"]),
    "Offices": st.column_config.NumberColumn("Offices", help=ui.HELP["offices"]),
    "Regions": st.column_config.NumberColumn("Regions", help=ui.HELP["regions"]),
    "Spread": st.column_config.TextColumn("Spread", help=ui.spread_help(view.scope)),
    "Trend": st.column_config.LineChartColumn("Trend (monthly)", y_min=0,
                                              help="Statements per month, last 12 whole months."),
    "Surfacing": st.column_config.CheckboxColumn("Surfacing", help=ui.HELP["surfacing"]),
})
