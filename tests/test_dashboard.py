"""Every page for every role, through Streamlit's AppTest, on the fitted sample program."""

import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from synth import auth

APP = str(Path(__file__).parent.parent / "app.py")
PAGES = ["surfacing", "themes", "regions", "importer", "curate", "actions", "export", "brief"]
ALLOWED = {
    "executive": {"surfacing", "themes", "regions", "actions", "export"},
    "director": {"surfacing", "themes", "regions", "actions", "export"},
    "coordinator": {"importer", "brief"},
    "admin": set(PAGES) - {"brief"},  # admins have the same brief on the Export page
}
ACCOUNTS = {"executive": ("exec", "exec-demo"), "director": ("director", "director-demo"),
            "coordinator": ("coordinator", "coordinator-demo"), "admin": ("admin", "admin-demo")}


@pytest.fixture
def app_env(fitted_copy, monkeypatch):
    settings, store = fitted_copy
    for key, value in settings.to_env().items():
        monkeypatch.setenv(key, value)
    auth.ensure_demo_users(Path(settings.users_file))
    return settings, store


def signed_in(role: str, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    user, password = ACCOUNTS[role]
    at.text_input[0].input(user)
    at.text_input[1].input(password)
    at.button[0].click()
    at.run()
    assert not at.exception, at.exception
    return at


def curate_page() -> AppTest:
    """The Curate page, signed in as an admin."""
    at = signed_in("admin")
    at.switch_page("synth/dashboard/pages/curate.py")
    at.run()
    return at


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "success", "info", "warning", "error")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def test_signed_out_sees_only_the_sign_in_form(app_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert [t.value for t in at.title] == ["synth"]
    assert [w.label for w in at.text_input] == ["Username", "Password"]
    for page in PAGES:
        with pytest.raises(ValueError):
            at.switch_page(f"synth/dashboard/pages/{page}.py")


def test_wrong_password_is_refused(app_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.text_input[0].input("exec")
    at.text_input[1].input("not-the-password")
    at.button[0].click()
    at.run()
    assert "wrong password" in texts(at) and "viewer" not in at.session_state


def test_guessing_a_password_is_stopped_after_five_tries(app_env):
    for attempt in range(6):  # new sessions each time: the limit is the server's, not a session's
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        at.text_input[0].input("exec")
        at.text_input[1].input("exec-demo" if attempt == 5 else f"guess-{attempt}")
        at.button[0].click()
        at.run()
    assert "Too many failed sign-ins" in texts(at) and "viewer" not in at.session_state  # even the right one


@pytest.mark.parametrize("role", list(ALLOWED))
def test_each_role_gets_exactly_its_pages(app_env, role):
    at = signed_in(role)
    for page in PAGES:
        if page in ALLOWED[role]:
            at.switch_page(f"synth/dashboard/pages/{page}.py")
            at.run()
            assert not at.exception, (page, at.exception)
            assert at.title[0].value, page
        else:
            with pytest.raises(ValueError):
                at.switch_page(f"synth/dashboard/pages/{page}.py")


def test_a_coordinator_gets_the_partner_brief_without_seeing_offices_or_quotes(app_env):
    settings, store = app_env
    at = signed_in("coordinator")
    at.switch_page("synth/dashboard/pages/brief.py")
    at.run()
    assert not at.exception, at.exception
    body = texts(at)
    themes = store.themes_frame()
    assert "You said, we did" in body and any(label in body for label in themes["label"])
    assert [b.label for b in at.get("download_button")] == ["Download (Markdown)", "Download (HTML)"]
    offices = set(store.notes_frame()["office"])
    assert not [o for o in offices if o in body]
    quoted = store.statement_rows()["text"]
    assert not any(t in body for t in quoted.head(500) if len(t) > 30)
    region = at.selectbox(key="brief_region").options[1]
    at.selectbox(key="brief_region").select(region).run()
    assert f"You said, we did: {region}" in texts(at)


def _sample_truth(sample_files) -> tuple[int, int]:
    """(notes, offices) of the fixture's sample export, read from the export itself."""
    import csv

    with open(sample_files[0], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    office = next(c for c in rows[0] if c.lower() in ("office", "site", "location"))
    return len(rows), len({r[office] for r in rows})


def test_executive_home_shows_figures_themes_and_quotes(app_env, sample_files):
    notes, offices = _sample_truth(sample_files)
    at = signed_in("executive")
    assert at.title[0].value == "What's surfacing"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Meetings"] == f"{notes:,}" and int(metrics["Themes"]) >= 10
    assert metrics["Offices heard from"] == f"{offices:,}"
    body = texts(at)
    assert "Surfacing" in body and "partners" in body and "\u201c" in body


@pytest.mark.xfail(strict=True, reason="known limit (README, 'Theme quality as a reader sees it'): on the many-writers "
                   "sample of 1,200 notes the planted "
                   "CRM issue (about 20 statements) shares a theme with the territory and driving issue; that theme "
                   "ranks first, but its label and quotes do not say CRM")
def test_the_planted_crm_issue_is_named_on_the_home_page(app_env):
    assert "CRM" in texts(signed_in("executive"))


def test_pages_follow_imports_and_undos_without_a_restart(app_env, write_csv):
    from synth import pipeline
    from tests.conftest import note_row

    settings, store = app_env

    def shown(at: AppTest) -> dict:
        at.run()
        return {m.label: int(str(m.value).replace(",", "")) for m in at.metric}

    def stored(regions=None) -> dict:
        return {"Meetings": len(store.notes_frame(regions)), "Issue statements": len(store.statements_frame(regions))}

    execs, director = signed_in("executive"), signed_in("director")  # director: Southwest only
    before = shown(execs)
    rows = [note_row(900 + i, "The new CRM logs us out in the middle of every visit.", region, office)
            for i, (region, office) in enumerate([("Southwest", "Plano"), ("Midwest", "Chicago")])]
    a = pipeline.import_file(store, settings, write_csv(rows, "a.csv"))
    b = pipeline.import_file(store, settings, write_csv([note_row(950, "Parking at the clinic is full by eight.")], "b.csv"))
    after = shown(execs)
    assert after["Meetings"] == before["Meetings"] + 3
    assert {k: after[k] for k in stored()} == stored()
    assert {k: shown(director)[k] for k in stored()} == stored(["Southwest"])
    store.undo_import(a.import_id, who="t")  # an undo: nothing can be appended, everything is re-read
    assert {k: shown(execs)[k] for k in stored()} == stored() and shown(execs)["Meetings"] == before["Meetings"] + 1
    assert {k: shown(director)[k] for k in stored()} == stored(["Southwest"])
    assert b.notes_added == 1


def test_director_sees_only_their_region_everywhere(app_env):
    at = signed_in("director")
    assert [m.value for m in at.metric if m.label == "Offices heard from"] == ["5"]  # Southwest has 5 offices
    assert at.multiselect[0].options == ["Southwest"]
    at.switch_page("synth/dashboard/pages/regions.py")
    at.run()
    assert at.selectbox[0].options == ["Southwest"]
    at.switch_page("synth/dashboard/pages/themes.py")
    at.run()
    body = texts(at)
    for other in ("Midwest", "Northeast", "Southeast", "Central"):
        assert other not in body


def test_region_filter_comes_from_the_url_and_narrows_the_view(app_env):
    all_meetings = [m.value for m in signed_in("executive").metric if m.label == "Meetings"][0]
    at = signed_in("executive", region=["Midwest"])  # a shared link: ?region=Midwest
    assert at.multiselect[0].value == ["Midwest"]
    midwest = [m.value for m in at.metric if m.label == "Meetings"][0]
    assert 0 < int(midwest.replace(",", "")) < int(all_meetings.replace(",", ""))


def test_theme_page_drills_down_to_redacted_statements(app_env):
    at = signed_in("executive")
    at.switch_page("synth/dashboard/pages/themes.py")
    at.run()
    assert at.selectbox[0].value is not None
    subheaders = [s.value for s in at.subheader]
    for part in ("Over time", "Where", "In their words", "Statements"):
        assert part in subheaders
    table = at.dataframe[-1].value
    assert list(table.columns) == ["date", "region", "office", "statement"]
    assert "partner_key" not in table.columns
    header = at.header[0].value
    assert not any(c.value.startswith(f"Area: {header} ") for c in at.caption)  # no area that repeats the label
    every = len(at.selectbox[0].options)
    at.text_input[0].input("CRM")
    at.run()
    # the theme search narrows the list to themes that speak of the CRM ...
    assert 0 < len(at.selectbox[0].options) < every
    # ... and the chosen one holds statements that say it, which the statement search finds
    at.text_input(key=f"statement_search_{at.selectbox[0].value}").input("crm")
    at.run()
    found = at.dataframe[-1].value["statement"]
    assert len(found) > 0 and all("crm" in str(t).lower() for t in found)


def test_coordinator_import_page_shows_history_and_no_themes(app_env, sample_files):
    notes, _ = _sample_truth(sample_files)
    at = signed_in("coordinator")
    assert at.title[0].value == "Import notes"
    assert "Past imports" in [s.value for s in at.subheader]
    assert len(at.dataframe) == 1 and at.dataframe[0].value["notes_added"].iloc[0] == notes
    assert "Surfacing" not in texts(at)


def test_admin_renames_a_theme_and_it_is_recorded(app_env):
    settings, store = app_env
    at = curate_page()
    theme_id = at.selectbox[0].value
    at.text_input[0].set_value("Prior-auth forms in Spanish")
    at.button[0].click()  # the rename form's submit button
    at.run()
    assert "Renamed" in texts(at)
    themes = store.themes_frame(include_hidden=True).set_index("id")
    assert themes.loc[theme_id, "label"] == "Prior-auth forms in Spanish"
    assert bool(themes.loc[theme_id, "label_locked"])
    assert at.dataframe[0].value["what"].iloc[0].endswith("to \u201cPrior-auth forms in Spanish\u201d.")


def test_export_page_offers_csv_and_brief(app_env):
    at = signed_in("executive")
    at.switch_page("synth/dashboard/pages/export.py")
    at.run()
    assert not at.exception
    assert "What the field is saying" in texts(at)


def test_curate_keeps_the_chosen_theme_after_a_rename_and_acts_on_it(app_env):
    settings, store = app_env
    at = curate_page()
    first = int(at.selectbox[0].options[0].split()[0].lstrip("#"))
    at.selectbox[0].select_index(1)
    at.run()
    theme_id = at.selectbox[0].value
    old_label = store.themes_frame().set_index("id").loc[theme_id, "label"]
    at.text_input[0].set_value("A label a person chose")
    at.button[0].click()
    at.run()
    at.run()  # the next view: the renamed theme is still the chosen one
    assert at.selectbox[0].value == theme_id and f"#{theme_id} A label a person chose" in at.selectbox[0].options
    hide = next(b for b in at.button if b.label.startswith("Hide #"))
    assert hide.label == f"Hide #{theme_id} from the dashboard"
    hide.click()
    at.run()
    hidden = store.themes_frame(include_hidden=True).set_index("id")["hidden"].astype(bool)
    assert hidden[hidden].index.tolist() == [theme_id] and theme_id != first  # not snapped back to the first theme
    # The page shows the edit at once (it lagged one action behind): marked hidden, the button
    # offers to show it again, the history offers to undo the hide.
    assert f"#{theme_id} A label a person chose (hidden)" in at.selectbox[0].options
    assert any(b.label == f"Show #{theme_id} again" for b in at.button) and "is hidden" in texts(at)
    undo = next(box for box in at.selectbox if box.label == "Edit to undo")
    assert undo.options[0].startswith("edit #") and f"Hid \u201cA label a person chose\u201d (#{theme_id})" in undo.options[0]
    history = at.dataframe[0].value
    assert list(history.columns) == ["edit", "when", "who", "what", "undone"] and "{" not in " ".join(history["what"])
    assert history["what"].iloc[1] == f"Renamed theme #{theme_id} from \u201c{old_label}\u201d to \u201cA label a person chose\u201d."
    next(b for b in at.button if b.label == "Undo this edit").click()
    at.run()
    assert not bool(store.themes_frame(include_hidden=True).set_index("id").loc[theme_id, "hidden"])
    assert f"#{theme_id} A label a person chose" in at.selectbox[0].options and "shown again" in texts(at)
    history = at.dataframe[0].value
    assert history["what"].iloc[0].startswith(f"Undid edit #{history['edit'].iloc[1]} (a hide)")
    assert history["undone"].iloc[1] == f"undone by edit #{history['edit'].iloc[0]}"


def test_curate_opens_the_theme_and_tab_in_the_address_and_stays_there_after_an_action(app_env):
    # Found in Chromium: each action sent the curator back to the Rename tab, and a reload to
    # the first theme.
    settings, store = app_env
    third = int(store.themes_frame()["id"].iloc[2])
    at = signed_in("admin")
    at.switch_page("synth/dashboard/pages/curate.py")
    at.query_params["theme"], at.query_params["tab"] = str(third), "Hide"
    at.run()
    assert at.selectbox[0].value == third and at.session_state["tab"] == "Hide"
    next(b for b in at.button if b.label == f"Hide #{third} from the dashboard").click()
    at.run()
    assert not at.exception and "is hidden" in texts(at)
    assert at.session_state["tab"] == "Hide" and at.query_params["tab"] == "Hide"
    assert at.selectbox[0].value == third and at.query_params["theme"] == str(third)


def test_curate_merge_names_both_themes_and_the_history_says_what_moved(app_env):
    settings, store = app_env
    at = curate_page()
    into = at.selectbox[0].value
    labels = store.themes_frame().set_index("id")["label"]
    box = next(b for b in at.selectbox if b.label == f"Theme to merge into #{into}")
    other = box.value
    next(b for b in at.button if b.label == f"Merge it into #{into}").click()
    at.run()
    assert not at.exception
    said = re.sub(r"\\(.)", r"\1", " ".join(s.value for s in at.success)).replace("\u2060", "")
    assert f"Merged #{other} \u201c{labels[other]}\u201d into #{into} \u201c{labels[into]}\u201d" in said
    assert at.dataframe[0].value["what"].iloc[0].startswith(
        f"Merged \u201c{labels[other]}\u201d (#{other}) into \u201c{labels[into]}\u201d (#{into}): ")


def test_curate_splits_by_search_over_all_statements_and_keeps_identical_texts_apart(app_env):
    settings, store = app_env
    at = curate_page()
    theme_id = at.selectbox[0].value
    frame = store.statements_frame()
    members = frame[frame["theme_id"] == theme_id]
    word = members["text"].str.lower().str.split().explode().value_counts().index[0]
    matching = members[members["text"].str.contains(word, case=False, regex=False)]
    at.text_input(key="split_query").set_value(word)
    at.run()
    at.checkbox[0].check()
    next(b for b in at.button if b.label.startswith("Split off from")).click()
    at.run()
    after = store.statements_frame()
    moved = after[after["statement_id"].isin(matching["statement_id"])]
    assert len(moved) == len(matching) and moved["theme_id"].nunique() == 1 and moved["theme_id"].iloc[0] != theme_id


def test_curate_offers_the_newest_500_of_a_large_theme_to_pick_and_splits_off_all_of_them(app_env):
    from synth import themes

    _, store = app_env
    ids = [int(t) for t in store.themes_frame()["id"]]
    into, size = ids[0], lambda: int((store.statements_frame()["theme_id"] == ids[0]).sum())
    for other in ids[1:]:  # a theme too large to list: the page reads 500, however large it is
        if size() > 500:
            break
        themes.merge(store, into, other, who="t")
    members = store.view_rows(theme_ids=[into])
    assert len(members) > 500
    at = curate_page()
    at.selectbox[0].set_value(into).run()
    options = next(m for m in at.multiselect if m.label == "Or pick statements")
    assert len(options.options) == 500
    assert f"{len(members):,} of {len(members):,} statements of #{into} match. The newest 500 can be picked" in texts(at)
    # Every statement cannot be split off (it would leave an empty theme); more than 500 of them can.
    at.checkbox[0].check()
    next(b for b in at.button if b.label.startswith("Split off from")).click()
    at.run()
    assert "That is every statement of theme" in " ".join(e.value for e in at.error)
    lowered = members["text"].str.lower()
    found = {w: int(lowered.str.contains(w, regex=False).sum()) for w in [*"etaoinsrhl", "the", "er", "in", "on"]}
    word = next(w for w, n in found.items() if 500 < n < len(members))  # most, not all
    matching = members[lowered.str.contains(word, regex=False)]
    at.text_input(key="split_query").set_value(word).run()
    at.checkbox[0].check()
    next(b for b in at.button if b.label.startswith("Split off from")).click()
    at.run()
    assert not at.exception and not at.error
    moved = store.statements_frame().set_index("statement_id").loc[matching["statement_id"], "theme_id"]
    assert len(matching) > 500 and moved.nunique() == 1 and moved.iloc[0] != into


def test_session_token_names_its_user_and_is_refused_when_forged_expired_or_the_password_changed(app_env):
    settings, _ = app_env
    users, key = Path(settings.users_file), b"k" * 32
    token = auth.session_token(users, key, "director")
    assert auth.session_viewer(users, key, token) == auth.Viewer("director", "director", ("Southwest",))
    assert auth.session_viewer(users, b"other-key" * 4, token) is None
    forged = "exec".encode().hex() + token[len("director".encode().hex()):]
    assert auth.session_viewer(users, key, forged) is None
    assert auth.session_viewer(users, key, "not a token") is None
    assert auth.session_viewer(users, key, token, now=lambda: 10**12) is None  # expired
    auth.add_user(users, "director", "a-new-password", "director", ("Southwest",))
    assert auth.session_viewer(users, key, token) is None



# ---- figures explained, and figures that agree (issue 13) ---------------------------------------
def _view(store, flt=None, regions=None):
    """A dashboard View built from the store as the pages build it (no Streamlit)."""
    from synth import auth, signals
    from synth.access import Scoped
    from synth.dashboard.ui import View

    viewer = auth.Viewer("t", "director", tuple(regions)) if regions else auth.Viewer("t", "executive")
    return View.of(Scoped(store, viewer), flt or signals.Filter(), ("test",))


def _vega_specs(at: AppTest) -> list[dict]:
    import json

    return [json.loads(e.proto.spec) for e in at.get("vega_lite_chart")]


def test_director_caption_and_brief_name_the_directors_region(app_env):
    at = signed_in("director")
    assert "Southwest" in at.caption[0].value and "all regions" not in texts(at)
    at.switch_page("synth/dashboard/pages/export.py")
    at.run()
    assert "What the field is saying: Southwest" in texts(at) and "all regions" not in texts(at)


@pytest.mark.parametrize("role, query", [("director", {}), ("executive", {"region": ["Southwest"]})])
def test_spread_in_a_one_region_view_is_counted_in_offices_not_regional_everywhere(app_env, role, query):
    at = signed_in(role, **query)
    shown = texts(at)
    assert "regional (Southwest)" not in shown and "company-wide" not in shown and "1 region" not in shown
    spreads = set(next(d.value for d in at.dataframe if "Spread" in d.value.columns)["Spread"])
    assert spreads and spreads <= {"several offices", "local"}, spreads
    with_help = [m.help for m in at.markdown if m.help]
    assert with_help and all("one region" in h and "Regional" not in h for h in with_help)
    at.switch_page("synth/dashboard/pages/themes.py")
    at.run()
    spread = next(m for m in at.metric if m.label == "Spread")
    assert spread.value in ("several offices", "local") and "one region" in texts(at)


def test_one_region_scope_shows_its_offices_not_an_empty_region_chart(app_env):
    at = signed_in("director")
    at.switch_page("synth/dashboard/pages/regions.py")
    at.run()
    assert not at.exception
    assert any("one region" in i.value and "Southwest" in i.value for i in at.info)
    specs = _vega_specs(at)
    assert len(specs) == 1  # the offices of Southwest, no blank region chart
    tooltips = [t["title"] for layer in specs[0]["layer"] for t in layer["encoding"].get("tooltip", [])]
    assert "Office" in tooltips and not {"lift", "suppressed"} & {t.lower() for t in tooltips}


@pytest.mark.parametrize("role, query", [("director", {}), ("executive", {"region": ["Midwest"]}),
                                         ("executive", {})])
def test_a_themes_where_chart_is_drawn_or_explained_for_every_scope(app_env, role, query):
    at = signed_in(role, **query)
    at.switch_page("synth/dashboard/pages/themes.py")
    at.run()
    assert not at.exception
    where = [json for json in _vega_specs(at) if json.get("mark", {}).get("type") == "bar"]
    sentence = [i.value for i in at.info if "nothing to compare" in i.value or "hidden" in i.value or "No " in i.value]
    assert where or sentence
    for spec in where:
        assert "NaN" not in str(spec) and spec["encoding"]["y"]["field"] == ("office" if role == "director" or query else "region")


def test_picked_offices_are_compared_with_the_rest_of_their_region(fitted_store):
    from synth import signals
    from synth.dashboard import digest

    whole = digest.region_cells(_view(fitted_store), "office", "Southwest", 3)
    offices = sorted(whole["office"].unique())[:2]
    picked = digest.region_cells(_view(fitted_store, signals.Filter(regions=("Southwest",), offices=tuple(offices))),
                                 "office", "Southwest", 3)
    assert set(picked["office"]) <= set(offices) and len(picked)
    same = whole[whole["office"].isin(offices)].set_index(["theme_id", "office"])["lift"]
    assert picked.set_index(["theme_id", "office"])["lift"].equals(same.loc[picked.set_index(["theme_id", "office"]).index])


def test_home_explains_its_figures_and_counts_in_words(app_env):
    at = signed_in("executive")
    assert "How to read this" in [e.label for e in at.expander]
    body = texts(at)
    for words in ("company-wide", "Partners", "ranked", "whole months", "at least"):
        assert words in body, words
    assert not re.search(r"\b1 (offices|regions|partners|statements)\b", body)
    assert "x1" not in body  # growth in words, not "x23.3"


def test_home_growth_agrees_with_synth_report(app_env):
    from synth import report

    settings, store = app_env
    at = signed_in("executive")
    cards = [m.value for m in at.markdown if "times as often as before" in m.value]
    printed = report.run(store, settings)
    for card in cards:
        ratio, low = re.search(r"([\d.]+) times as often as before \(at least ([\d.]+) times\)", card).groups()
        assert re.search(rf"growth\s+x{re.escape(ratio)} \(low\s+{re.escape(low)}\)", printed), (card, printed)


def test_theme_description_counts_what_the_tile_counts(app_env):
    at = signed_in("executive", region=["Midwest"])
    at.switch_page("synth/dashboard/pages/themes.py")
    at.run()
    tile = [m.value for m in at.metric if m.label == "Statements"][0]
    said = [m.value for m in at.markdown if re.match(r"^\d[\d,]* statements?\b", m.value)]
    assert said and said[0].startswith(f"{tile} statement")


def test_sparklines_and_trends_leave_out_the_month_not_yet_over(fitted_store):
    import pandas as pd

    from synth.dashboard import digest

    table = pd.DataFrame([[1, 2, 3]], columns=pd.date_range("2026-08-01", periods=3, freq="MS"))
    assert list(digest.whole_months(table, pd.Timestamp("2026-10-14")).columns.month) == [8, 9]
    assert list(digest.whole_months(table, pd.Timestamp("2026-10-31")).columns.month) == [8, 9, 10]
    view = _view(fitted_store)
    last = view.tally.last_day
    theme = int(view.themes["id"].iloc[0])
    assert digest.trend(view, theme)["period"].max() < last.to_period("M").start_time or last.is_month_end
    assert all(len(s) <= 12 for s in digest.home(view, 3).ranked["sparkline"])


def test_lineage_reads_as_sentences():
    import pandas as pd

    from synth.dashboard import digest

    lineage = pd.DataFrame([dict(run_id=2, source_theme_id=4, kind="split", overlap=0.4),
                            dict(run_id=0, source_theme_id=9, kind="curated-merge", overlap=1.0)])
    assert digest.lineage_sentences(lineage, {4: "Parking is full"}) == [
        "Split from \u201cParking is full\u201d when themes were refitted (refit #2; 40% of its statements came from it).",
        "Theme #9 was merged into it by a curator."]


def test_curation_history_reads_as_sentences_not_json():
    import json

    import pandas as pd

    from synth.dashboard import digest

    labels = {2: "Parking is full", 5: "Badges"}
    history = pd.DataFrame([
        dict(id=4, at="2026-11-02 10:00", who="admin", action="undo", theme_id=2, payload=json.dumps({"edit": 3, "action": "merge"})),
        dict(id=3, at="2026-11-02 09:00", who="admin", action="merge", theme_id=2,
             payload=json.dumps({"into": 2, "source": 7, "moved": [1, 2, 3]})),
        dict(id=2, at="2026-11-01 09:00", who="admin", action="split", theme_id=5,
             payload=json.dumps({"from": 2, "statements": [9], "label": "Badges"})),
        dict(id=1, at="2026-11-01 08:00", who="ana", action="rename", theme_id=2,
             payload=json.dumps({"from": "parking lot", "to": "Parking is full", "was_locked": False}))])
    table = digest.edit_history(history, labels)
    assert list(table["what"]) == [
        "Undid edit #3 (a merge).",
        "Merged theme #7 into \u201cParking is full\u201d (#2): 3 statements moved.",
        "Split 1 statement off \u201cParking is full\u201d (#2) into a new theme, \u201cBadges\u201d (#5).",
        "Renamed theme #2 from \u201cparking lot\u201d to \u201cParking is full\u201d."]
    assert list(table["undone"]) == ["", "undone by edit #4", "", ""]


def test_a_new_issue_shows_on_the_executive_home_as_new_with_its_own_label(app_env, write_csv):
    from synth import pipeline
    from synth.bench.new_issue import planted_rows

    settings, store = app_env
    summary = pipeline.import_file(store, settings, write_csv(planted_rows()))
    assert summary.new_themes == 1
    label = store.themes_frame().query("provisional.astype('bool')", engine="python")["label"].iloc[0]
    at = signed_in("executive")
    # Note-derived text is escaped for Markdown on the pages (backslashes, word joiners).
    shown = " ".join([texts(at)] + [str(getattr(e, "label", "")) for e in at.get("page_link")])
    shown = shown.replace("\\", "").replace("\u2060", "").lower()
    assert "signature" in label.lower() and label.lower() in shown
    admin = curate_page()
    assert any("(new, provisional)" in option for option in admin.selectbox[0].options)


def test_a_directors_region_box_names_their_region_not_all_regions(app_env):
    at = signed_in("director")
    box = at.multiselect(key="f_region")
    assert box.options == ["Southwest"] and box.placeholder == "All of Southwest"
    assert signed_in("executive").multiselect(key="f_region").placeholder == "All regions"


def test_the_home_page_compares_any_two_periods(app_env):
    at = signed_in("executive")
    default_caption = next(c.value for c in at.caption if "recent window:" in c.value)
    assert "last 8 weeks" in default_caption
    at.toggle(key="periods_on").set_value(True).run()
    at.date_input(key="periods_recent").set_value((date(2026, 5, 1), date(2026, 6, 30))).run()
    at.date_input(key="periods_base").set_value((date(2026, 1, 1), date(2026, 3, 31))).run()
    assert not at.exception, at.exception
    assert any("comparing 01 May 2026-30 Jun 2026 with 01 Jan 2026-31 Mar 2026" in c.value for c in at.caption)
    # the growth on the cards and its help name the chosen periods, not the default 8 weeks
    last = app_env[1].statements_frame()["meeting_date"].max().date()
    at.date_input(key="periods_recent").set_value((date(2026, 9, 1), last)).run()
    at.date_input(key="periods_base").set_value((date(2026, 1, 1), date(2026, 7, 31))).run()
    cards = [m for m in at.markdown if "statements ·" in m.value]
    assert cards and not any("8 weeks" in m.value or "8 weeks" in (m.help or "") for m in cards)
    assert any("in the baseline" in m.value for m in cards), [m.value for m in cards]
    assert "last 8 weeks" not in next(m.value for m in at.markdown if m.value.startswith("Themes are ranked"))
    at.date_input(key="periods_base").set_value((date(2026, 1, 1), date(2026, 9, 15))).run()
    assert any("overlap" in w.value for w in at.warning)


def test_choosing_the_periods_without_changing_them_keeps_the_figures(app_env):
    # The picker's default recent window took in the day the default view counts as baseline,
    # so turning "Choose the periods" on moved growth from 11.2 to 11.6 (found in Chromium).
    at = signed_in("executive")

    def growth(at) -> list[str]:
        return [re.sub(r" as often as (?:before|in the baseline)", "", m.value)
                for m in at.markdown if "statements ·" in m.value]

    before = growth(at)
    at.toggle(key="periods_on").set_value(True).run()
    assert not at.exception, at.exception
    assert any("times" in c for c in before) and growth(at) == before


def test_theme_rows_link_to_their_theme_and_the_drill_down_can_be_searched(app_env):
    settings, store = app_env
    at = signed_in("executive")
    table = at.dataframe[-1].value
    assert table["Open"].str.fullmatch(r"/themes\?theme=\d+").all() and len(table) == len(store.themes_frame())
    theme = int(table["Open"].iloc[0].split("=")[1])
    at.query_params["theme"] = str(theme)
    at.switch_page("synth/dashboard/pages/themes.py")
    at.run()
    before = at.dataframe[-1].value
    word = before["statement"].iloc[0].split()[-1].strip(".,")
    at.text_input(key=f"statement_search_{theme}").input(word).run()
    after = at.dataframe[-1].value
    assert 0 < len(after) <= len(before) and after["statement"].str.contains(word, case=False, regex=False).all()


def test_theme_rows_link_to_their_theme_with_the_filter_a_new_tab_needs(app_env):
    at = signed_in("executive", region="Midwest", start="2026-02-01")
    links = at.dataframe[-1].value["Open"]
    assert links.str.fullmatch(r"/themes\?theme=\d+&region=Midwest&start=2026-02-01").all(), links.iloc[0]


def test_curation_history_names_a_merged_away_theme_and_an_undone_import_by_what_they_were(app_env):
    from synth import themes as theme_engine

    settings, store = app_env
    into, source = store.themes_frame()["id"].iloc[:2].tolist()
    gone = store.themes_frame().set_index("id").loc[source, "label"]
    theme_engine.merge(store, into, source, who="admin")
    store.undo_import(int(store.list_imports()["id"].iloc[0]), who="admin")
    at = curate_page()
    what = list(at.dataframe[0].value["what"])
    assert f"\u201c{gone}\u201d (#{source}) into" in what[1], what  # once "Merged theme #2 into ..."
    assert what[0].startswith("Undid import #1: its notes and statements left every theme"), what
    assert not any("theme #0" in w for w in what)


@pytest.mark.parametrize("low, words", [(1.04, "at least 1.04 times"), (0.97, "at least 0.97 times"),
                                        (1.0, "at least 1.0 times"), (12.46, "at least 12.5 times")])
def test_growths_low_end_is_not_rounded_to_1_0(low, words):
    """A surfacing theme's low end is over 1: shown as 'at least 1.0 times' it read as no growth."""
    import pandas as pd

    from synth import report, signals
    from synth.dashboard import ui

    assert words in ui.growth_words(2.7, low, False)
    top = pd.DataFrame([dict(label="Parking", surfacing=True, new=False, rate_ratio=2.7, ratio_low=low, recent=8,
                             baseline=22, partners=29, offices=21, spread="company-wide", where="")])
    assert f"x2.7 ({signals.fmt_low(low)})" in report.brief_markdown(top, "all regions")


# ---- found in a Chromium walk-through as each role (2026-11-25) ---------------------------------
def test_a_quote_split_off_its_theme_is_not_quoted_for_it_and_hidden_themes_are_not_counted(app_env):
    from synth import themes
    from synth.dashboard import digest

    _, store = app_env
    view = _view(store)
    theme = view.themes.iloc[0]
    moved = int(theme["quotes"][0])
    moved_text = store.view_rows(theme_ids=[int(theme["id"])]).set_index("statement_id").loc[moved, "text"]
    assert digest.quotes(view)[int(theme["id"])] == moved_text
    themes.split(store, int(theme["id"]), [moved], "Split by the test", who="t")
    hidden = int(view.themes.iloc[1]["id"])
    themes.hide(store, hidden, who="t")
    after = _view(store)
    assert digest.quotes(after)[int(theme["id"])] != moved_text
    assert moved_text not in digest.theme_quotes(after, int(theme["id"]), 3)
    counted = set(after.tally.themes["theme_id"].dropna().astype(int))  # the database counts every theme
    assert hidden in counted and hidden not in set(after.themes["id"])
    assert digest.home(after, 3).headline["themes"] == len(counted & set(after.themes["id"])) < len(counted)


def test_an_old_link_to_a_theme_no_longer_shown_says_so(app_env):
    at = signed_in("executive", theme="99999")
    at.switch_page("synth/dashboard/pages/themes.py")
    at.query_params["theme"] = "99999"
    at.run()
    assert not at.exception
    assert "Theme #99999 is not in this view" in texts(at)


def test_an_old_link_to_a_merged_theme_leads_to_the_theme_it_went_into(app_env):
    # Found in Chromium: such a link opened the largest theme, about something else.
    from synth import themes

    _, store = app_env
    a, b, c = [int(t) for t in store.themes_frame()["id"].iloc[:3]]
    themes.merge(store, a, b, who="t")
    themes.merge(store, c, a, who="t")  # and on again: b's statements are now in c
    at = signed_in("executive")
    at.switch_page("synth/dashboard/pages/themes.py")
    at.query_params["theme"] = str(b)
    at.run()
    assert not at.exception
    said = re.sub(r"\\(.)", r"\1", texts(at))
    assert at.selectbox[0].value == c and f"Theme #{b} was merged into #{c}" in said
    assert "is not in this view" not in said and at.query_params["theme"] == str(c)


def test_a_search_that_leaves_out_the_open_theme_shows_its_matches_without_a_note(app_env):
    # Found in Chromium: after a search, every run said "Theme #1 is not in this view".
    at = signed_in("executive")
    at.switch_page("synth/dashboard/pages/themes.py")
    at.run()
    smallest = at.selectbox[0].options[-1]  # "label (count)": a theme other than the one open
    word = max(smallest.rsplit(" (", 1)[0].split(), key=len)
    at.text_input[0].input(word).run()
    assert not at.exception
    assert f"\u201c{word}\u201d" in texts(at) and "is not in this view" not in texts(at)


def test_after_a_merge_the_home_page_counts_the_two_themes_as_one(app_env):
    # A merge counts again only the themes it moved (ui._counted, Store.recount): the page
    # must show what a whole recount would.
    from synth import themes

    _, store = app_env
    at = signed_in("executive")
    statements = lambda table: dict(zip((int(u.split("=")[1]) for u in table["Open"]), table["Statements"]))
    before = statements(at.dataframe[-1].value)
    a, b = list(before)[:2]
    themes.merge(store, a, b, who="t")
    at.run()
    after = statements(at.dataframe[-1].value)
    assert after[a] == before[a] + before[b] and b not in after
    assert {t: n for t, n in after.items() if t != a} == {t: n for t, n in before.items() if t not in (a, b)}


def test_after_an_import_the_home_page_counts_what_a_whole_recount_counts(app_env, write_csv):
    # An import counts again only the partners it touched (ui._counted, Store.count): the page
    # must show what counting every statement shows, and the import must show.
    from synth import pipeline

    from conftest import note_row

    settings, store = app_env
    at = signed_in("executive")
    statements = lambda table: dict(zip((int(u.split("=")[1]) for u in table["Open"]), table["Statements"]))
    before = statements(at.dataframe[-1].value)
    top = next(iter(before))
    said = list(store.view_rows(theme_ids=[top])["text"][:4])
    pipeline.import_file(store, settings, write_csv(
        [note_row(i, text, partner=f"New Partner{i}", day="2026-02-1{d}") for i, text in enumerate(said)]))
    at.run()
    assert not at.exception
    after = statements(at.dataframe[-1].value)
    whole = store.tally().themes.dropna(subset=["theme_id"]).set_index("theme_id")["statements"]
    assert after == {t: int(whole[t]) for t in after}
    assert after[top] >= before[top] + len(said)
