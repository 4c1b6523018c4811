"""Actions: who owns each theme and what was decided. What needs attention (surfacing themes
that are overdue or have no owner), every theme's action with filters, a form to set one, its
history, and the alert outbox."""

from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from synth import actions, auth
from synth.dashboard import digest, ui
from synth.errors import SynthError

st.title("Actions")
st.caption("Who owns each theme, its status and what was decided: one action per theme, the same in every "
           "region. Partners hear back through the \u201cYou said, we did\u201d brief on the Export page.")
view = ui.filtered_view()
k = ui.settings().privacy_k
today = date.today()
try:
    scoped = ui.scoped()
    acts = scoped.actions()
    users = auth.load_users(Path(ui.settings().users_file))
except SynthError as exc:
    ui.show_error(exc)
    st.stop()
ranked = ui.memo(digest.home, view, k).ranked
table = actions.table(view.themes, acts, ranked, today)
table["due"] = pd.to_datetime(table["due"])  # no date shows as blank, not "None"
columns = {"theme": st.column_config.TextColumn("Theme"), "status": "Status", "owner": "Owner",
           "due": st.column_config.DateColumn("Due"), "decision": "Decision",
           "surfacing": st.column_config.CheckboxColumn("Surfacing", help=ui.HELP["surfacing"]),
           "overdue": st.column_config.CheckboxColumn("Overdue"), "theme_id": None, "unowned": None}

st.subheader("Needs attention")
attention = table[table["surfacing"] & (table["overdue"] | table["unowned"])]
if attention.empty:
    st.success("Every surfacing theme has an owner, and none is overdue.")
else:
    st.caption(f"{ui.plural(len(attention), 'surfacing theme')} with no owner or past "
               f"{'its' if len(attention) == 1 else 'their'} due date.")
    st.dataframe(attention.fillna({"owner": "\u2014"}), hide_index=True, column_config=columns)

st.subheader("All themes")
left, right = st.columns(2)
statuses = left.multiselect("Status", list(actions.STATUS_WORDS.values()), key="a_status", placeholder="Any status")
owners = right.multiselect("Owner", sorted(set(table["owner"].dropna())) + ["(no owner)"], key="a_owner",
                           placeholder="Anyone")
shown = table
if statuses:
    shown = shown[shown["status"].isin(statuses)]
if owners:
    shown = shown[shown["owner"].isin(owners) | (shown["owner"].isna() & ("(no owner)" in owners))]
st.dataframe(shown.fillna({"owner": "\u2014"}), hide_index=True, column_config=columns)

st.subheader("Set an action")
labels = dict(zip(table["theme_id"], table["theme"]))
wanted = st.query_params.get("theme")
if wanted and wanted.isdigit() and int(wanted) not in labels:
    try:  # a link to a theme this viewer may not act on says why, instead of showing another one
        scoped.check_may_act(int(wanted))
        st.info(f"Theme #{int(wanted)} is not in this view. Widen the filter, or pick a theme below.")
    except SynthError as exc:
        ui.show_error(exc)
if not labels:
    st.stop()
ids = list(labels)
chosen = st.selectbox("Theme", ids, index=ids.index(int(wanted)) if wanted and wanted.isdigit() and int(wanted) in labels
                      else 0, format_func=lambda t: f"#{t} {labels[t]}", key="a_theme")
current = scoped.action(int(chosen))
st.caption(ui.plain(actions.card_text(acts, int(chosen), today)))
# A director may act on any theme raised in their regions, and a theme has one action for the
# whole company: say so before they change what every region sees.
shared = scoped.acts_beyond_scope(int(chosen))
if shared:
    mine = ui.plain(", ".join(scoped.regions or ()))
    st.warning(f"Theme #{chosen} is raised outside {mine} too, and it has one action for the whole company. "
               "The status, owner and decision you save here replace the ones executives and the other regions' "
               "directors see, and they go into every partner's \u201cYou said, we did\u201d brief. Agree a change "
               "with the theme's owner first.", icon=":material/public:")
eligible = sorted(u for u, v in users.items() if v.get("role") in actions.OWNER_ROLES)
with st.form("action"):
    c1, c2, c3 = st.columns(3)
    status = c1.selectbox("Status", actions.STATUSES, index=actions.STATUSES.index(current.status),
                          format_func=actions.STATUS_WORDS.get)
    owner_options = ["(no owner)"] + eligible
    owner = c2.selectbox("Owner", owner_options,
                         index=owner_options.index(current.owner) if current.owner in owner_options else 0)
    due = c3.date_input("Due", value=current.due, format="YYYY-MM-DD")
    note = st.text_area("Decision", value=current.note, placeholder="What was decided, in a sentence or two")
    reason = st.text_input("Why not (for won't do)", value=current.reason)
    submitted = st.form_submit_button("Save for every region" if shared else "Save")
if submitted:
    try:
        _, changed = scoped.act(int(chosen), users, status=status, note=note if note != current.note else None,
                                reason=(reason if reason != current.reason else None) if status == "wont_do" else None,
                                owner=None if owner == "(no owner)" else owner, clear_owner=owner == "(no owner)",
                                due=due or None, clear_due=due is None)
    except SynthError as exc:
        ui.show_error(exc)
    else:
        st.success(ui.plain(f"Saved: {actions.describe_change(changed)}") if changed else "Nothing changed.")
        if changed:
            st.rerun()

history = scoped.action_history(int(chosen))
if len(history):
    st.markdown("**History**")
    st.dataframe(pd.DataFrame({"when": history["at"], "who": history["who"],
                               "what": [actions.describe_change(c, r) for c, r in zip(history["changes"], history["remark"])]}),
                 hide_index=True)

st.subheader("Alerts")
outbox = scoped.alerts()
st.caption("When a theme starts surfacing, a new theme appears or an owned theme grows fast, its owner (or the "
           "admins) get a message: by e-mail when SYNTH_SMTP_URL is set, otherwise it waits here.")
if outbox.empty:
    st.caption("No alerts for you yet.")
else:
    st.dataframe(pd.DataFrame({"when": outbox["created_at"], "to": outbox["recipients"].map(", ".join),
                               "subject": outbox["subject"], "state": outbox["state"],
                               "error": outbox["last_error"]}), hide_index=True)
