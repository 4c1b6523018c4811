"""The Actions page, status on theme cards and the "you said, we did" brief, by role (AppTest)."""

import re

import pytest

from synth import actions, auth
from test_actions import theme_only_in
from test_dashboard import app_env, signed_in  # noqa: F401  (app_env: a fixture)
from test_dashboard import texts as markdown_texts


def texts(at) -> str:
    """The page's text as read: Markdown escapes and invisible word joiners taken out."""
    return re.sub(r"\\(.)", r"\1", markdown_texts(at)).replace("\u2060", "")

ACTIONS = "synth/dashboard/pages/actions.py"


def open_actions(role: str, **query):
    at = signed_in(role, **query)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(ACTIONS)
    at.run()
    assert not at.exception, at.exception
    return at


def save(at, *, status=None, owner=None, note=None):
    form_status = next(s for s in at.selectbox if s.label == "Status")
    if status:
        form_status.set_value(status)
    if owner:
        next(s for s in at.selectbox if s.label == "Owner").set_value(owner)
    if note is not None:
        at.text_area[0].input(note)
    next(b for b in at.button if b.label == "Save").click()
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("role", ["executive", "admin"])
def test_executives_and_admins_set_owner_status_and_decision(app_env, role):
    settings, store = app_env
    at = open_actions(role)
    assert "Needs attention" in texts(at) and "All themes" in texts(at)
    tid = next(s for s in at.selectbox if s.label == "Theme").value
    save(at, status="in_progress", owner="exec", note="Vendor fix ordered")
    row = store.action_row(int(tid))
    assert (row["status"], row["owner"], row["note"], row["updated_by"]) == (
        "in_progress", "exec", "Vendor fix ordered", auth.DEMO_USERS[0][0] if role == "executive" else "admin")
    assert "Vendor fix ordered" in " ".join(str(v) for df in at.dataframe for v in df.value.astype(str).values.ravel())


def test_a_director_acts_in_their_region_and_is_refused_outside_it(app_env):
    settings, store = app_env
    mine, other = theme_only_in(store, "Southwest"), theme_only_in(store, "Midwest")
    at = open_actions("director", theme=str(other))
    assert f"The director role cannot act on theme #{other}: it is not raised in your regions" in texts(at)
    assert other not in next(s for s in at.selectbox if s.label == "Theme").options
    at = open_actions("director", theme=str(mine))
    assert next(s for s in at.selectbox if s.label == "Theme").value == mine
    save(at, status="acknowledged", owner="director")
    assert store.action_row(mine)["owner"] == "director" and store.action_row(other) is None


def test_a_director_is_told_that_a_theme_raised_elsewhere_too_has_one_action_for_every_region(app_env):
    settings, store = app_env
    frame = store.statements_frame()
    regions = frame.dropna(subset=["theme_id"]).groupby("theme_id")["region"].agg(set)
    shared = int(next(t for t, r in regions.items() if "Southwest" in r and len(r) > 1))
    at = open_actions("director", theme=str(shared))
    warning = " ".join(w.value for w in at.warning).replace("\\", "").replace("\u2060", "")
    assert f"Theme #{shared} is raised outside Southwest too" in warning and "whole company" in warning
    next(s for s in at.selectbox if s.label == "Status").set_value("acknowledged")
    next(b for b in at.button if b.label == "Save for every region").click()
    at.run()
    assert not at.exception and store.action_row(shared) is not None  # allowed, and said so first
    at = open_actions("director", theme=str(theme_only_in(store, "Southwest")))
    assert not at.warning and any(b.label == "Save" for b in at.button)
    at = open_actions("executive", theme=str(shared))
    assert not at.warning  # an executive sees every region: nothing is set behind their back


def test_won_t_do_without_a_reason_is_refused_on_the_page(app_env):
    _, store = app_env
    at = open_actions("admin")
    tid = next(s for s in at.selectbox if s.label == "Theme").value
    save(at, status="wont_do")
    assert "needs a reason" in texts(at) and store.action_row(int(tid)) is None


def test_status_shows_on_theme_cards_and_themes_filter_by_it(app_env):
    settings, store = app_env
    users = auth.load_users(settings.users_file)
    at = signed_in("executive")
    ids = [int(t) for t in store.themes_frame()["id"]]
    tid = ids[0]
    for t in ids:  # every card has an owner; one theme is done
        actions.act(store, t, users, "exec", status="done" if t == tid else "acknowledged", owner="exec")
    at = signed_in("executive")
    assert "Acknowledged · owner exec" in texts(at) and "New · no owner" not in texts(at)
    at.switch_page("synth/dashboard/pages/themes.py")
    at.run()
    next(m for m in at.multiselect if m.label == "Status").set_value(["Done"])
    at.run()
    label = store.themes_frame().set_index("id").loc[tid, "label"]
    options = next(s for s in at.selectbox if s.label == "Theme").options
    assert len(options) == 1 and options[0].startswith(label)
    links = [re.sub(r"\\(.)", r"\1", link.proto.label) for link in at.get("page_link")]
    assert "Done · owner exec" in links  # the theme's own status line, a link to its action


def test_export_page_offers_you_said_we_did(app_env):
    settings, store = app_env
    users = auth.load_users(settings.users_file)
    at = signed_in("executive")
    at.switch_page("synth/dashboard/pages/export.py")
    at.run()
    assert not at.exception
    assert "You said, we did: the whole program" in texts(at)
    tid = int(store.themes_frame()["id"].iloc[0])
    actions.act(store, tid, users, "exec", status="acknowledged", note="On the agenda for <b>May</b>")
    at.run()
    assert "On the agenda for <b>May</b>" in texts(at)  # shown as the text it is
    assert "On the agenda for \\<b>May\\</b>" in markdown_texts(at)  # no tag can open: every "<" is escaped


def test_a_theme_without_a_due_date_shows_no_none(app_env):
    # The Due column showed a grey "None" for every theme without a date (found in Chromium).
    at = open_actions("executive")
    due = [df.value["due"] for df in at.dataframe if "due" in df.value.columns]
    assert due and all(str(d.dtype).startswith("datetime64") for d in due)
    assert all(d.isna().any() for d in due)  # undated themes are there, and blank
