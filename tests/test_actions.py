"""Actions on themes (#17): statuses and who may act, carried through refits and curation, the
CLI, and the "you said, we did" brief. Real stores, real fits, real spaCy."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from synth import actions, auth, cli, pipeline, signals, themes, you_said
from synth.access import Scoped
from synth.auth import Viewer
from synth.errors import AccessDenied, NotFound, UsageError

USERS = {"exec": {"role": "executive"}, "admin": {"role": "admin"}, "coord": {"role": "coordinator"},
         "sw": {"role": "director", "regions": ["Southwest"]}, "mw": {"role": "director", "regions": ["Midwest"]}}


def _users(settings) -> dict:
    auth.ensure_demo_users(Path(settings.users_file))
    users = auth.load_users(Path(settings.users_file))
    auth.save_users(Path(settings.users_file), {**users, "midwest": dict(users["director"], regions=["Midwest"])})
    return auth.load_users(Path(settings.users_file))


def theme_only_in(store, region: str) -> int:
    """A theme raised in `region` only (in the sample every theme is raised everywhere): a few of
    the region's statements split off into a theme of their own."""
    frame = store.statements_frame()
    rows = frame[(frame["region"] == region) & frame["theme_id"].notna()]
    source = int(rows["theme_id"].value_counts().index[0])
    picked = rows[rows["theme_id"] == source]["statement_id"].tolist()[:12]
    return themes.split(store, source, picked, f"Only in {region}", who="test")


# ---- the rules ------------------------------------------------------------------------------------
@pytest.mark.parametrize("start,to,ok", [
    ("new", "acknowledged", True), ("new", "done", True), ("acknowledged", "in_progress", True),
    ("done", "in_progress", True), ("done", "new", False), ("in_progress", "new", False), ("wont_do", "new", False),
])
def test_status_moves(start, to, ok):
    current = actions.Action(1, status=start, reason="x" if start == "wont_do" else "")
    if ok:
        after, changed = actions.change(current, status=to)
        assert after.status == to and changed["status"] == [start, to]
    else:
        with pytest.raises(UsageError, match="not back to"):
            actions.change(current, status=to)


def test_wont_do_needs_a_reason_and_moving_on_drops_it():
    with pytest.raises(UsageError, match="needs a reason"):
        actions.change(actions.Action(1), status="wont_do")
    after, _ = actions.change(actions.Action(1), status="wont_do", reason="  out of   budget ")
    assert after.reason == "out of budget"
    again, changed = actions.change(after, status="acknowledged")
    assert again.reason == "" and "reason" in changed


@pytest.mark.parametrize("text,status", [("in progress", "in_progress"), ("Won't do", "wont_do"), ("DONE", "done"),
                                         ("in-progress", "in_progress")])
def test_status_words_are_read_loosely(text, status):
    assert actions.parse_status(text) == status


def test_overdue_only_while_open():
    assert actions.Action(1, due=date(2026, 1, 1)).overdue(date(2026, 1, 2))
    assert not actions.Action(1, status="done", due=date(2026, 1, 1)).overdue(date(2026, 1, 2))
    assert not actions.Action(1, due=date(2026, 1, 3)).overdue(date(2026, 1, 2))


@pytest.mark.parametrize("owner,regions,needle", [
    ("nobody", {"Southwest"}, "not a dashboard user"), ("coord", {"Southwest"}, "is a coordinator"),
    ("mw", {"Southwest"}, "where this theme is not raised"),
])
def test_owner_must_be_a_user_who_could_act_on_the_theme(owner, regions, needle):
    with pytest.raises(UsageError, match=needle):
        actions.check_owner(owner, USERS, regions)
    for fine in ("exec", "admin", "sw"):
        actions.check_owner(fine, USERS, regions)


# ---- through the access layer, on the fitted sample ---------------------------------------------
def test_who_may_act_on_which_theme(fitted_copy):
    settings, store = fitted_copy
    users = _users(settings)
    outside = theme_only_in(store, "Midwest")
    inside = theme_only_in(store, "Southwest")
    assert outside not in store.themes_raised_in(["Southwest"])
    director = Scoped(store, Viewer("director", "director", ("Southwest",)))
    with pytest.raises(AccessDenied, match=f"The director role cannot act on theme #{outside}: it is not raised in "
                                           "your regions"):
        director.act(outside, users, status="acknowledged")
    assert store.action_row(outside) is None  # nothing written
    director.act(inside, users, status="acknowledged", owner="director")
    assert store.action_row(inside)["owner"] == "director"
    with pytest.raises(AccessDenied, match="coordinator role cannot act"):
        Scoped(store, Viewer("coordinator", "coordinator")).act(inside, users, status="done")
    Scoped(store, Viewer("exec", "executive")).act(outside, users, owner="exec", note="Budget approved for Q3.")
    Scoped(store, Viewer("admin", "admin")).act(outside, users, status="in_progress", due=date(2026, 1, 31))
    row = store.action_row(outside)
    assert (row["owner"], row["status"], row["note"], row["due"]) == ("exec", "in_progress", "Budget approved for Q3.",
                                                                      date(2026, 1, 31))
    # the director sees the actions of their themes only
    assert set(director.actions()["theme_id"]) == {inside}
    history = store.action_history(outside)
    assert list(history["who"]) == ["admin", "exec"] and history["changes"][0]["status"] == ["new", "in_progress"]
    with pytest.raises(NotFound):
        Scoped(store, Viewer("admin", "admin")).act(99999, users, status="done")


def test_decision_notes_are_redacted_before_they_are_stored(fitted_copy):
    settings, store = fitted_copy
    users = _users(settings)
    tid = int(store.themes_frame()["id"].iloc[0])
    actions.act(store, tid, users, "admin", note="Maria Gonzalez will call 555-867-5309 or mail mg@example.com")
    note = store.action_row(tid)["note"]
    assert "Maria" not in note and "555" not in note and "example.com" not in note
    assert "[PERSON]" in note and "[PHONE]" in note and "[EMAIL]" in note


def test_actions_follow_merges_and_splits_and_survive_a_refit(fitted_copy):
    settings, store = fitted_copy
    users = _users(settings)
    ids = [int(t) for t in store.themes_frame()["id"]]
    a, b, c = ids[:3]
    actions.act(store, a, users, "exec", status="in_progress", owner="exec", note="Fixing the scanner.")
    actions.act(store, b, users, "admin", status="acknowledged", owner="admin")
    actions.act(store, c, users, "exec", status="done", note="Shipped.")

    # b merged into a (which has an action): a keeps its own and shows b's history
    themes.merge(store, a, b, who="admin")
    assert store.follow_lineage() == 1 and store.follow_lineage() == 0  # once
    assert store.action_row(a)["status"] == "in_progress" and store.action_row(b) is None
    hist = store.action_history(a)
    assert set(hist["theme_id"]) == {a, b}
    assert any(f"#{b} was merged into this theme" in r for r in hist["remark"])

    # c's action is carried to a theme that had none
    d = ids[3]
    themes.merge(store, d, c, who="admin")
    store.follow_lineage()
    carried = store.action_row(d)
    assert (carried["status"], carried["note"]) == ("done", "Shipped.")
    assert any(f"carried over from #{c}" in r for r in store.action_history(d)["remark"])

    # a statement split off a: the new theme starts as new, saying where it came from
    members = store.statements_frame().query("theme_id == @a")["statement_id"].tolist()[:5]
    new = themes.split(store, a, members, "Scanner at the front desk", who="admin")
    store.follow_lineage()
    assert store.action_row(new)["status"] == "new"
    assert list(store.action_history(new)["remark"]) == [f"split from #{a}"]

    # a real refit keeps every action with its theme id
    pipeline.fit(store, settings, who="test")
    active = set(store.themes_frame(include_hidden=True)["id"])
    assert {a, d, new} <= active
    assert store.action_row(a)["status"] == "in_progress" and store.action_row(a)["owner"] == "exec"
    assert store.action_row(d)["note"] == "Shipped."
    assert not store.orphaned_statements()
    assert set(store.actions_frame()["theme_id"]) <= active


def test_an_undone_merge_gives_the_theme_its_own_action_back(fitted_copy):
    settings, store = fitted_copy
    users = _users(settings)
    a, b = [int(t) for t in store.themes_frame()["id"][:2]]
    actions.act(store, b, users, "admin", status="acknowledged", owner="admin")
    themes.merge(store, a, b, who="admin")
    store.follow_lineage()
    assert store.action_row(a)["owner"] == "admin"  # carried
    edit = int(themes.edits(store)["id"].iloc[0])
    themes.undo(store, edit, who="admin")
    store.follow_lineage()
    assert store.action_row(b)["status"] == "acknowledged"
    assert any("separate" in r for r in store.action_history(b)["remark"])


# ---- the CLI ----------------------------------------------------------------------------------------
@pytest.fixture
def cli_env(fitted_copy, monkeypatch):
    settings, store = fitted_copy
    for key, value in {"SYNTH_DB_URL": settings.db_url, "SYNTH_SECRET_FILE": settings.secret_file,
                       "SYNTH_USERS_FILE": settings.users_file, "SYNTH_MODELS_DIR": settings.models_dir}.items():
        monkeypatch.setenv(key, value)
    _users(settings)
    return settings, store


def test_cli_action_and_actions(cli_env, capsys):
    _, store = cli_env
    tid = int(store.themes_frame()["id"].iloc[0])
    assert cli.main(["--who", "ops", "action", str(tid), "--status", "in progress", "--owner", "exec",
                     "--note", "Vendor call booked", "--due", "2020-01-31"]) == 0
    out = capsys.readouterr().out
    assert f"theme #{tid}: owner: exec; status: New \u2192 In progress" in out and "due 2020-01-31" in out
    assert cli.main(["actions"]) == 0
    listing = capsys.readouterr().out
    line = next(ln for ln in listing.splitlines() if ln.startswith(f"#{tid} "))
    assert "In progress" in line and "exec" in line and "2020-01-31" in line and "OVERDUE" in line
    assert "Vendor call booked" in listing
    assert cli.main(["actions", "--status", "done"]) == 0
    assert f"#{tid} " not in capsys.readouterr().out


@pytest.mark.parametrize("argv,code,needle", [
    (["action", "1", "--status", "finished"], 2, "is not a status"),
    (["action", "1", "--status", "done", "--due", "31/01/2026"], 2, "use YYYY-MM-DD"),
    (["action", "1", "--owner", "ghost"], 2, "not a dashboard user"),
    (["action", "1", "--owner", "coordinator"], 2, "is a coordinator"),
    (["action", "1", "--status", "wont_do"], 2, "needs a reason"),
    (["action", "99999", "--status", "done"], 5, "no active theme #99999"),
    (["action", "x", "--status", "done"], 2, "invalid int value"),
    (["report", "--you-said-we-did"], 2, "give --markdown FILE"),
    (["report", "--you-said-we-did", "--markdown", "x.md", "--since", "March"], 2, "not a date"),
    (["report", "--html", "x.html"], 2, "go with --you-said-we-did"),
])
def test_cli_argument_errors_are_one_line(cli_env, argv, code, needle, capsys):
    assert cli.main(argv) == code
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


# ---- "you said, we did" -----------------------------------------------------------------------------
def test_you_said_we_did_lists_statuses_under_the_k_rule_and_escapes_everything(cli_env, tmp_path, capsys):
    settings, store = cli_env
    users = auth.load_users(Path(settings.users_file))
    frame = store.statements_frame()
    start, end = you_said.period(frame["meeting_date"].max())
    in_period = store.tally(None, signals.Filter(start=start, end=end))
    table, left_out = you_said.raised(in_period, store.themes_frame(), store.actions_frame(), settings.privacy_k)
    assert len(table) and (table["partners"] >= settings.privacy_k).all()
    top = int(table["theme_id"].iloc[0])
    actions.act(store, top, users, "exec", status="wont_do", reason="<script>alert(1)</script> needs budget",
                note="We looked at **this** | closely")
    md, page = tmp_path / "b.md", tmp_path / "b.html"
    assert cli.main(["report", "--you-said-we-did", "--markdown", str(md), "--html", str(page)]) == 0
    assert "Won't do" in capsys.readouterr().out
    text, markup = md.read_text(), page.read_text()
    assert "You said, we did: the whole program" in text and "Won't do" in text
    assert "\\*\\*this\\*\\* \\| closely" in text  # Markdown escaped: shows as typed, no extra table cell
    assert "<script>" not in markup and "&lt;script&gt;" in markup and "Won&#x27;t do" in markup
    # the k rule: a theme with fewer than k partners in the period is left out, and counted
    k_big = int(table["partners"].max())
    small, out = you_said.raised(in_period, store.themes_frame(), store.actions_frame(), k_big)
    assert len(small) == (table["partners"] >= k_big).sum() and out == len(table) - len(small) + left_out
    assert "not listed" in you_said.markdown(small, "x", start, end, out, k_big)
    # offices are never named
    offices = set(frame["office"]) - set(frame["region"])
    assert not any(o in text for o in offices)


def test_you_said_we_did_reads_as_written_without_backslashes_in_ordinary_text():
    table = pd.DataFrame([dict(theme_id=1, label="Parking (again) - the north lot's gates", partners=5, statements=9,
                               regions=2, status="in_progress", note="We can't fix it before May; 50% is budgeted.",
                               reason="")])
    text = you_said.markdown(table, "Mid-Atlantic", date(2026, 1, 1), date(2026, 3, 31), 0, 3)
    assert "| Parking (again) - the north lot's gates | 5 | In progress | We can't fix it before May; 50% is " \
           "budgeted. |" in text.replace("\u2060", "")
    assert "# You said, we did: Mid-Atlantic" in text and "\\" not in text


def test_you_said_we_did_by_region(cli_env, tmp_path, capsys):
    md = tmp_path / "sw.md"
    assert cli.main(["report", "--you-said-we-did", "--region", "Southwest", "--markdown", str(md),
                     "--since", "2000-01-01"]) == 0
    assert "You said, we did: Southwest" in md.read_text()
