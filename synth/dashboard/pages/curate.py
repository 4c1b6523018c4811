"""Curate (admins): rename, merge, split and hide themes; the history of edits; users."""

import pandas as pd
import streamlit as st

from synth import auth
from synth import themes as theme_engine
from synth.dashboard import digest, ui
from synth.errors import SynthError

PICKABLE = 500  # statements offered to pick one by one in a split

st.title("Curate themes")
try:
    view = ui.scoped()
    view.require("curate")
    themes = view.themes()
except SynthError as exc:
    ui.show_error(exc)
    st.stop()

if themes.empty:
    st.info("No themes yet.")
else:
    marks = themes["hidden"].astype(bool).map({True: " (hidden)", False: ""}) + themes["provisional"].astype(bool).map(
        {True: " (new, provisional)", False: ""})
    labels = dict(zip(themes["id"], themes["label"] + marks))
    ids = list(labels)
    # The chosen theme is remembered by id: relabelling a theme changes the options' text, which
    # made Streamlit rebuild the box on the first theme, so the next action hit theme #1.
    # The address carries it too, so a reload or a shared link opens the same theme.
    linked = st.query_params.get("theme", "")
    remembered = st.session_state.get("curate_theme_id", int(linked) if linked.isdigit() else None)
    chosen = st.selectbox("Theme", ids, index=ids.index(remembered) if remembered in ids else 0,
                          format_func=lambda t: f"#{t} {labels[t]}")
    st.session_state["curate_theme_id"] = chosen
    st.query_params["theme"] = str(chosen)
    if done := st.session_state.pop("curate_done", None):
        st.success(done)

    def act(fn, *args, done: str, **options) -> None:
        try:
            view.curate(fn, *args, **options)
        except SynthError as exc:
            ui.show_error(exc)
            return
        # Draw the page again from the edited store: the widgets above were drawn before the
        # edit, so labels, buttons and the history lagged one action behind.
        st.session_state["curate_done"] = done
        st.rerun()

    # Bound to the address: after an action (which draws the page again) or a reload the
    # curator stays on the tab they were using, instead of being sent back to Rename.
    rename_tab, merge_tab, split_tab, hide_tab = st.tabs(["Rename", "Merge", "Split", "Hide"], key="tab",
                                                         bind="query-params")
    with rename_tab, st.form("rename"):
        label = st.text_input("New label", value=themes.set_index("id").loc[chosen, "label"])
        if st.form_submit_button(f"Rename #{chosen}"):
            act(theme_engine.rename, chosen, label, done=f"Renamed #{chosen}. The new label survives refits.")
    with merge_tab, st.form("merge"):
        other = st.selectbox(f"Theme to merge into #{chosen}", [t for t in ids if t != chosen],
                             format_func=lambda t: f"#{t} {labels[t]}",
                             help=f"Its statements join #{chosen}, which keeps its label; the merged theme goes away "
                                  "until the merge is undone.")
        if st.form_submit_button(f"Merge it into #{chosen}"):
            act(theme_engine.merge, chosen, other, done=ui.plain(
                f"Merged #{other} \u201c{labels[other]}\u201d into #{chosen} \u201c{labels[chosen]}\u201d. "
                "Undo it from the history below."))
    with split_tab:
        query = st.text_input("Find statements of this theme", key="split_query",
                              help="Words to look for in all of the theme's statements; empty shows them all.")
        # Only the newest PICKABLE read to pick from, counted in the database, once per data
        # version: a large theme holds tens of thousands of statements, which every run of the
        # page read in full.
        found, matching = ui.theme_statements(chosen, query, PICKABLE)
        total = ui.theme_statements(chosen, "", PICKABLE)[1] if query.strip() else matching
        st.caption(f"{matching:,} of {total:,} statements of #{chosen} match."
                   + (f" The newest {PICKABLE:,} can be picked one by one; find words to narrow them."
                      if matching > PICKABLE else ""))
        with st.form("split", enter_to_submit=False):  # Enter in the label must not split
            take_all = st.checkbox(f"Split off all {ui.plural(matching, 'matching statement')}", disabled=not matching)
            texts = dict(zip(found["statement_id"], found["text"]))
            picked = st.multiselect("Or pick statements", list(texts), format_func=lambda s: f"#{s} {texts[s][:110]}")
            new_label = st.text_input("Label of the new theme")
            if st.form_submit_button(f"Split off from #{chosen}"):
                chosen_ids = list(view.rows(theme_ids=[chosen], containing=query)["statement_id"]) if take_all else picked
                if not chosen_ids:
                    st.warning("Pick the statements to split off, or tick \u201cSplit off all\u201d.")
                else:
                    act(theme_engine.split, chosen, chosen_ids, new_label or "Split theme",
                        done=f"Split {ui.plural(len(chosen_ids), 'statement')} off #{chosen} into a new theme.")
    with hide_tab, st.form("hide"):
        hidden = bool(themes.set_index("id").loc[chosen, "hidden"])
        if st.form_submit_button(f"Show #{chosen} again" if hidden else f"Hide #{chosen} from the dashboard"):
            act(theme_engine.hide, chosen, hidden=not hidden, done=f"#{chosen} is {'shown' if hidden else 'hidden'}.")

st.subheader("History of edits")
history = view.theme_edits()
# Named by their last label, themes merged away included: "theme #2" told a curator nothing.
readable = digest.edit_history(history, view.theme_labels())
if readable.empty:
    st.caption("No edits yet. Renames, merges, splits and hides show here, newest first, and each can be undone.")
else:
    st.dataframe(readable, hide_index=True, column_config={
        "edit": st.column_config.NumberColumn("Edit", format="#%d"),
        "when": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm"),
        "who": "Who", "what": st.column_config.TextColumn("What", width="large"),
        "undone": "Undone"})
undoable = readable[history["action"].isin(["rename", "hide", "unhide", "merge", "split"]).to_numpy()
                    & (readable["undone"] == "").to_numpy()] if len(readable) else readable
if not undoable.empty:
    with st.form("undo"):
        what = dict(zip(undoable["edit"], undoable["what"]))
        edit = st.selectbox("Edit to undo", list(what), format_func=lambda e: f"edit #{e}: {what[e]}")
        if st.form_submit_button("Undo this edit"):
            try:
                st.session_state["curate_done"] = view.undo_theme_edit(int(edit))
                st.rerun()
            except SynthError as exc:
                ui.show_error(exc)

st.subheader("Users")
try:
    view.require("manage_users")
    users = auth.load_users(ui.settings().users_file)
except SynthError as exc:
    ui.show_error(exc)
    st.stop()
st.dataframe(pd.DataFrame([dict(user=u, role=v["role"], regions=", ".join(v.get("regions", [])))
                           for u, v in users.items()]), hide_index=True)
with st.form("add_user"):
    c1, c2, c3, c4 = st.columns(4)
    name = c1.text_input("Username")
    password = c2.text_input("Password", type="password")
    role = c3.selectbox("Role", auth.ROLES)
    regions = c4.text_input("Regions (directors; comma-separated)")
    if st.form_submit_button("Add or update user"):
        try:
            auth.add_user(ui.settings().users_file, name.strip(), password, role,
                          tuple(r.strip() for r in regions.split(",") if r.strip()))
            st.success(f"Saved user {ui.plain(name)}.")
        except SynthError as exc:
            ui.show_error(exc)
