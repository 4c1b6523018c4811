"""Curate (admins): rename, merge, split and hide themes; the history of edits; users."""

import pandas as pd
import streamlit as st

from synth import auth
from synth import themes as theme_engine
from synth.dashboard import ui
from synth.errors import SynthError

st.title("Curate themes")
try:
    view = ui.scoped()
    view.require("curate")
    themes = view.themes()
    data = ui.statements()
except SynthError as exc:
    ui.show_error(exc)
    st.stop()

who = view.viewer.username
if themes.empty:
    st.info("No themes yet.")
else:
    labels = dict(zip(themes["id"], themes["label"] + themes["hidden"].map({True: " (hidden)", False: ""})))
    chosen = st.selectbox("Theme", list(labels), format_func=lambda t: f"#{t} {labels[t]}")

    def act(fn, *args, done: str) -> None:  # noqa: ANN001
        try:
            fn(ui.store(), *args)
            st.success(done)
        except SynthError as exc:
            ui.show_error(exc)

    rename_tab, merge_tab, split_tab, hide_tab = st.tabs(["Rename", "Merge", "Split", "Hide"])
    with rename_tab, st.form("rename"):
        label = st.text_input("New label", value=themes.set_index("id").loc[chosen, "label"])
        if st.form_submit_button("Rename"):
            act(theme_engine.rename, chosen, label, who, done="Renamed. The new label survives refits.")
    with merge_tab, st.form("merge"):
        other = st.selectbox("Merge this theme into it", [t for t in labels if t != chosen], format_func=lambda t: f"#{t} {labels[t]}")
        if st.form_submit_button("Merge"):
            act(theme_engine.merge, chosen, other, who, done=f"Merged #{other} into #{chosen}.")
    with split_tab, st.form("split"):
        members = data[data["theme_id"] == chosen].head(300)
        picked = st.multiselect("Statements to split off", members["statement_id"].tolist(),
                                format_func=lambda s: members.set_index("statement_id").loc[s, "text"][:120])
        new_label = st.text_input("Label of the new theme")
        if st.form_submit_button("Split"):
            act(theme_engine.split, chosen, picked, new_label or "Split theme", who, done="Split done.")
    with hide_tab, st.form("hide"):
        hidden = bool(themes.set_index("id").loc[chosen, "hidden"])
        if st.form_submit_button("Show again" if hidden else "Hide from the dashboard"):
            act(theme_engine.hide, chosen, who, not hidden, done="Saved.")

st.subheader("History of edits")
st.dataframe(theme_engine.edits(ui.store())[["at", "who", "action", "theme_id", "payload"]], hide_index=True)

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
