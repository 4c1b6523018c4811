"""The small-group (k) rule under every filter, in counts as well as rows, on the pages and
in the CSV export; figures a director sees come from their own regions. Real store, real
pages (AppTest), on the fitted sample plus one small office."""

from pathlib import Path

import pytest

from synth import auth, pipeline, signals
from synth.access import Scoped
from synth.dashboard import digest

from conftest import note_row
from test_dashboard import signed_in

TINY = "Tinyville"  # a Southwest office with two partners


@pytest.fixture
def small_office(fitted_copy, monkeypatch, write_csv):
    """The fitted sample plus a new Southwest office whose two partners raise the region's
    largest theme (its statements said again), so that theme has 2 partners there."""
    settings, store = fitted_copy
    for key, value in {"SYNTH_DB_URL": settings.db_url, "SYNTH_SECRET_FILE": settings.secret_file,
                       "SYNTH_USERS_FILE": settings.users_file, "SYNTH_MODELS_DIR": settings.models_dir}.items():
        monkeypatch.setenv(key, value)
    auth.ensure_demo_users(Path(settings.users_file))
    southwest = store.statements_frame(["Southwest"])
    theme = int(southwest["theme_id"].value_counts().index[0])
    said = southwest[southwest["theme_id"] == theme]["text"].head(6)
    rows = [note_row(7000 + i, text, office=TINY, partner=("Ada Quill", "Bo Ferris")[i % 2])
            for i, text in enumerate(said)]
    pipeline.import_file(store, settings, write_csv(rows, "tiny.csv"))
    tiny = store.statements_frame(["Southwest"]).query("office == @TINY")
    assert tiny["partner_key"].nunique() == 2 and (tiny["theme_id"] == theme).sum() >= 3
    return settings, store, theme


def director_view(store, flt: signals.Filter):
    """What the director's pages compute from: their scope, then the sidebar filter."""
    from synth.dashboard.ui import View

    return View.of(Scoped(store, auth.Viewer("director", "director", ("Southwest",))), flt, ("test",))


def test_director_filtering_to_one_small_office_sees_no_figures(small_office):
    _, _, theme = small_office
    at = signed_in("director", office=[TINY])
    assert at.multiselect[1].value == [TINY]
    assert {m.label: m.value for m in at.metric} == {
        "Meetings": "hidden", "Issue statements": "hidden", "Themes": "hidden", "Offices heard from": "hidden"}
    assert not at.dataframe  # no themes table with partner or office counts
    assert "raised by fewer than" not in " ".join(c.value for c in at.caption)  # nor how many themes it holds
    at.query_params["theme"] = str(theme)
    at.switch_page("synth/dashboard/pages/themes.py")
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox[0].value == theme
    assert {m.label: m.value for m in at.metric} == {
        "Statements": "hidden", "Partners": "hidden", "Offices": "hidden", "Spread": "hidden"}
    assert at.selectbox[0].format_func(theme).endswith("(few)")
    # ... nor their words: the filter itself would trace every statement to two people
    assert at.dataframe[-1].value.empty
    assert "fewer than 3 partners, so neither their statements nor quotes are shown" in " ".join(c.value for c in at.caption)
    at.switch_page("synth/dashboard/pages/export.py")
    at.run()  # the brief names no theme, and says why rather than "no themed statements yet"
    assert not at.exception and "so the brief lists no theme and the CSV no statement" in " ".join(i.value for i in at.info)


def test_csv_export_masks_the_offices_the_theme_page_masks(small_office):
    _, store, theme = small_office
    view = director_view(store, signals.Filter(offices=(TINY, "Plano")))
    csv = digest.csv_rows(view, k=3)
    assert TINY in set(view.tally.offices["office"]) and TINY not in set(csv["office"])
    # the file as downloaded: theme ids as written in the dashboard (18, not 18.0), unthemed blank
    import io

    import pandas as pd

    from synth import export

    downloaded = pd.read_csv(io.BytesIO(export.to_csv_bytes(csv)), dtype=str, keep_default_na=False)
    assert downloaded["theme_id"].str.fullmatch(r"\d*").all() and (downloaded["theme_id"] != "").any()
    assert signals.SMALL_OFFICE in set(csv["office"]) and "Plano" in set(csv["office"])
    rows = view.rows()
    for t in rows["theme_id"].dropna().unique():
        page = digest.statement_rows(view, int(t), k=3)[0].assign(statement_id=rows[rows["theme_id"] == t]["statement_id"].to_numpy())
        exported = csv[csv["theme_id"] == t].sort_values("statement_id")
        assert exported["office"].tolist() == page.sort_values("statement_id")["office"].tolist()


def test_a_filter_on_an_office_of_fewer_than_k_partners_shows_none_of_their_words(small_office):
    # Found in Chromium: with Office = Tinyville (2 partners) every figure said "hidden", but
    # the drill-down listed its statements, which the filter itself traced to two people.
    _, store, theme = small_office
    tiny = director_view(store, signals.Filter(offices=(TINY,)))
    assert tiny.tally.partners == 2 and digest.too_few(tiny, 3)
    assert digest.statement_rows(tiny, theme, k=3)[0].empty and digest.theme_quotes(tiny, theme, k=3) == []
    assert digest.quotes(tiny, k=3) == {} and digest.csv_rows(tiny, k=3).empty
    wider = director_view(store, signals.Filter(offices=(TINY, "Plano")))
    assert not digest.too_few(wider, 3) and not digest.statement_rows(wider, theme, k=3)[0].empty


def test_the_drill_down_lists_the_newest_and_masks_them_as_the_whole_theme_does(small_office, monkeypatch):
    # A theme's drill-down reads only its newest statements; which offices it names is decided
    # by the whole theme in the view (the tally), as the CSV decides it, not by the rows listed.
    _, store, theme = small_office
    monkeypatch.setattr(digest, "LISTED", 4)
    view = director_view(store, signals.Filter())
    listed, more = digest.statement_rows(view, theme, k=3)
    every = view.rows(theme_ids=[theme])
    assert more and len(listed) == 4 and len(every) > 4
    assert listed["date"].tolist() == every["meeting_date"].head(4).tolist()
    csv = digest.csv_rows(view, k=3).set_index("statement_id")
    assert listed["office"].tolist() == csv.loc[every["statement_id"].head(4), "office"].tolist()
    assert signals.SMALL_OFFICE in set(csv.loc[every["statement_id"], "office"])  # the theme has hidden rows


def test_a_theme_description_shows_the_directors_count_not_the_companys(small_office):
    _, store, theme = small_office
    stored = store.themes_frame().set_index("id").loc[theme, "description"]
    company = int(stored.split()[0].replace(",", ""))
    southwest = int((store.statements_frame(["Southwest"])["theme_id"] == theme).sum())
    assert southwest < company
    at = signed_in("director", theme=str(theme))
    at.switch_page("synth/dashboard/pages/themes.py")
    at.query_params["theme"] = str(theme)
    at.run()
    shown = [m.value for m in at.markdown if "statements" in m.value]
    assert shown and shown[0].startswith(f"{southwest:,} ") and f"{company:,} statements" not in "\n".join(shown)


def test_a_hidden_office_named_in_a_statement_is_masked_there_too(small_office, write_csv):
    """The canary: a big office's partners write about the small office by name. Its name
    must not appear in the drill-down, the home page's quotes or the CSV, while the k rule
    hides it."""
    settings, store, theme = small_office
    said = store.statements_frame(["Southwest"]).query("theme_id == @theme")["text"].head(4)
    rows = [note_row(7100 + i, f"In {TINY}, {text[0].lower()}{text[1:]}", office="Plano",
                     partner=("Cy Lane", "Di Moss", "Ed Rowe", "Flo Park")[i]) for i, text in enumerate(said)]
    pipeline.import_file(store, settings, write_csv(rows, "canary.csv"))
    view = director_view(store, signals.Filter())
    canary = view.rows(containing=TINY)
    assert len(canary) >= 3  # the canary is in the data the pages read
    for t in canary["theme_id"].dropna().unique():
        shown = digest.statement_rows(view, int(t), k=3)[0]["statement"]
        assert not shown.str.contains(TINY).any() and shown.str.contains(r"\[OFFICE\]").any()
        for words in (TINY, "tinyvil", f"in {TINY.lower()},"):  # the search finds nothing by the hidden name
            assert digest.statement_rows(view, int(t), k=3, containing=words)[0].empty
    assert not any(TINY in q for q in digest.quotes(view, k=3).values())
    assert digest.themes_mentioning(view, TINY.lower(), k=3) == set()  # the theme search neither
    word = canary["text"].iloc[0].split()[-1].strip(".,").lower()  # ... while other words find their themes
    assert digest.themes_mentioning(view, word, k=3) == set(view.rows(containing=word)["theme_id"].dropna().astype(int))
    assert not digest.csv_rows(view, k=3)["statement"].str.contains(TINY).any()
