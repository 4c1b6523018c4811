"""Themes: browse and search; one theme's description, trend, breakdown, quotes, related
themes, lineage and its (redacted) statements."""

from datetime import date

import altair as alt
import streamlit as st

from synth import actions, signals
from synth import themes as theme_engine
from synth.dashboard import digest, ui

st.title("Themes")
view = ui.filtered_view()
flt, themes = view.filter, view.themes

if themes.empty:
    st.info("No themes yet. Run `synth fit` after importing notes.")
    st.stop()

k = ui.settings().privacy_k
counts = ui.memo(digest.theme_counts, view, k)  # only themes raised by k or more partners in the view
themes = themes.assign(statements=themes["id"].map(counts).fillna(-1).astype(int)).sort_values("statements", ascending=False)
query = st.text_input("Search themes", placeholder="e.g. prior authorization, CRM, parking")
acts, today = ui.scoped().actions(), date.today()
table = actions.table(themes, acts, None, today)
by_status, by_owner = st.columns(2)
statuses = by_status.multiselect("Status", list(actions.STATUS_WORDS.values()), key="t_status", placeholder="Any status")
owners = by_owner.multiselect("Owner", sorted(set(table["owner"].dropna())) + ["(no owner)"], key="t_owner",
                              placeholder="Anyone")
if statuses:
    themes = themes[themes["id"].isin(table[table["status"].isin(statuses)]["theme_id"])]
if owners:
    picked = table[table["owner"].isin(owners) | (table["owner"].isna() & ("(no owner)" in owners))]
    themes = themes[themes["id"].isin(picked["theme_id"])]
if query:
    q = query.casefold()
    hit = themes["label"].str.casefold().str.contains(q, regex=False) | themes["keywords"].map(
        lambda ks: any(q in k for k in ks))
    texts_hit = ui.memo(digest.themes_mentioning, view, q, k)
    themes = themes[hit | themes["id"].isin(texts_hit)]
    st.caption(f"{ui.plural(len(themes), 'theme')} {'matches' if len(themes) == 1 else 'match'} \u201c{ui.plain(query)}\u201d")

labels = dict(zip(themes["id"], themes["label"]))
if not labels:
    st.stop()
wanted = st.query_params.get("theme")
ids = list(labels)
narrowed_here = bool(query or statuses or owners)  # the reader just asked for other themes
if wanted and wanted.isdigit() and int(wanted) not in labels and not narrowed_here:
    # An old link to a theme since merged into another (by a curator or a refit) leads there.
    heir = ui.scoped().heir(int(wanted))
    if heir in labels:
        st.info(ui.plain(f"Theme #{wanted} was merged into #{heir} “{labels[heir]}”; showing that theme."))
        wanted = str(heir)
index = ids.index(int(wanted)) if wanted and wanted.isdigit() and int(wanted) in labels else 0
if wanted and ids[index] != (int(wanted) if wanted.isdigit() else None) and not narrowed_here:
    # An old link (a theme since merged or hidden) or a filter that leaves it out: say so,
    # rather than show another theme under the link's name. After a search on this page the
    # theme last open is simply not among the matches, which needs no note.
    st.info(f"Theme #{ui.plain(wanted)} is not in this view: it may have been merged into another theme or hidden "
            "by a curator, or it is not raised within the current filter or search. Showing the largest theme instead.")
chosen = st.selectbox("Theme", ids, index=index,
                      format_func=lambda t: f"{labels[t]} ({counts[t] if t in counts.index else 'few'})")
st.query_params["theme"] = str(chosen)

theme = themes.set_index("id").loc[chosen]
subset = view.tally.only([chosen])  # who raised it, counted
st.header(ui.plain(theme["label"]))
st.page_link(str(ui.PAGES_DIR / "actions.py"), label=ui.plain(actions.card_text(acts, int(chosen), today)),
             icon=":material/task_alt:", query_params={"theme": str(chosen)})
st.markdown(ui.plain(ui.memo(digest.described, view, int(chosen), k)))  # the count in this view, not company-wide
# a theme that is its own area (or the largest of its area) would repeat its own label
area = f"Area: {ui.plain(theme['area'])} · " if theme["area"] and theme["area"] != theme["label"] else ""
keywords = f"keywords: {ui.plain(', '.join(theme['keywords'][:8]))}" if theme["keywords"] else ""
if area or keywords:
    st.caption(f"{area}{keywords}".rstrip(" ·"))
with st.expander("How to read this"):
    st.markdown(ui.how_to_read_theme(view.scope))

if subset.themes.empty:
    st.info("This theme has no statements in the current filter.")
    st.stop()

c1, c2, c3, c4 = st.columns(4)
partners = int(subset.themes["partners"].sum())
if signals.too_few_partners(partners, k):  # the k rule: no count, spread or place for a small group
    for col, label in zip((c1, c2, c3, c4), ("Statements", "Partners", "Offices", "Spread")):
        col.metric(label, "hidden")
    st.caption(f"Fewer than {k} partners raised this theme in this view, so its figures are hidden. Widen the filter.")
else:
    corr = signals.corroboration(subset, view.scope).iloc[0]  # spread: within what the viewer sees
    c1.metric("Statements", int(corr["statements"]), help=ui.HELP["statements"])
    c2.metric("Partners", int(corr["partners"]), help=ui.HELP["partners"])
    c3.metric("Offices", int(corr["offices"]), help=ui.HELP["offices"])
    c4.metric("Spread", corr["spread"], help=ui.plain(ui.spread_words(corr["spread"], corr["where"])))

st.subheader("Over time")
if signals.too_few_partners(partners, k):
    st.caption(f"Hidden: the counts per month would be figures about fewer than {k} partners.")
else:
    trend = ui.memo(digest.trend, view, chosen)
    st.caption("Statements per month, whole months only (the current month is left out until it is over).")
    st.altair_chart(alt.Chart(trend).mark_area(opacity=0.6, interpolate="monotone").encode(
        x=alt.X("period:T", title=None), y=alt.Y("statements:Q", title="statements per month"),
        tooltip=[alt.Tooltip("period:T", title="month", format="%B %Y"), alt.Tooltip("statements:Q", format=",")]
    ).properties(height=220), width="stretch")

st.subheader("Where")
column, cells = ui.memo(digest.where, view, chosen, k)
shown = digest.comparable(cells)
place = "region" if column == "region" else "office"
if len(shown):
    against = "the rest of the company" if column == "region" else "the rest of its region"
    st.caption(f"How much of each {place}'s statements are about this theme; colour: how often it comes up "
               f"there compared with {against} (red more, blue less).")
    st.altair_chart(alt.Chart(shown.assign(colour=shown["lift"].clip(upper=3))).mark_bar().encode(
        x=alt.X("share:Q", axis=alt.Axis(format=".1~%", tickMinStep=0.005), title=f"share of the {place}'s statements"),
        y=alt.Y(f"{column}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)),
        color=alt.Color("colour:Q", scale=alt.Scale(scheme="redblue", reverse=True, domainMid=1, domain=[0, 3], clamp=True),
                        title="times as often"),
        tooltip=[alt.Tooltip(f"{column}:N", title=place.capitalize()), alt.Tooltip("statements:Q", title="Statements"),
                 alt.Tooltip("partners:Q", title="Partners"), alt.Tooltip("share:Q", format=".1%", title="Share"),
                 alt.Tooltip("compared:N", title="Compared")]).properties(height=40 + 32 * len(shown)),
        width="stretch")
else:
    st.info(ui.plain(ui.nothing_to_chart(place, cells, k)))
hidden = int(cells["suppressed"].astype(bool).sum()) if len(cells) else 0
if hidden and len(shown):
    st.caption(f"{ui.plural(hidden, place + ' is', place + 's are')} hidden: fewer than {k} partners raised it there, "
               "or showing it would reveal one that is.")

st.subheader("In their words")
said = ui.memo(digest.theme_quotes, view, int(chosen), k)
for quote in said:
    st.markdown(f"> {ui.plain(quote)}")
if digest.too_few(view, k):
    st.caption(f"Not shown: this view holds notes from fewer than {k} partners.")
elif not said:
    st.caption("None of this theme's representative quotes is in this view; its statements are listed below.")

related = [t for t in theme_engine.related(view.themes, chosen) if t in labels]
if related:
    st.subheader("Related themes")
    for t in related:
        st.page_link(str(ui.PAGES_DIR / "themes.py"), label=ui.plain(labels[t]), query_params={"theme": str(t)})

lineage = ui.scoped().lineage(chosen)
if len(lineage):
    st.subheader("Where this theme came from")
    for sentence in digest.lineage_sentences(lineage, dict(zip(view.themes["id"], view.themes["label"]))):
        st.markdown(f"- {ui.plain(sentence)}")

st.subheader("Statements")
if digest.too_few(view, k):
    st.caption(f"This view holds notes from fewer than {k} partners, so neither their statements nor quotes are "
               "shown: each could be traced to so few people. Widen the filter.")
needle = st.text_input("Search these statements", key=f"statement_search_{chosen}",  # one search per theme
                       placeholder="a word or phrase").strip()
# The newest of them (a theme can hold tens of thousands); small offices not named, as in the CSV.
rows, more = ui.memo(digest.statement_rows, view, int(chosen), k, needle)
if needle and more:
    st.caption(f"The newest statements that contain “{ui.plain(needle)}”; more do. Add words to narrow the search.")
elif needle:
    st.caption(f"{ui.plural(len(rows), 'statement') if len(rows) else 'No statement'} "
               f"{'contains' if len(rows) <= 1 else 'contain'} “{ui.plain(needle)}”.")
elif more:  # the count only where the theme's figures are shown (k partners or more)
    of = f" of {int(counts[chosen]):,}" if chosen in counts.index else ""
    st.caption(f"The newest {digest.LISTED:,}{of} statements. Search to find the others.")
st.dataframe(rows, hide_index=True, column_config={"date": st.column_config.DateColumn("date")})
