"""The pages' counts are made by the database (`Store.tally`); they must say exactly what
counting the statements and notes one by one says (`counting.tally_of`), for every filter and
scope a viewer can pick."""

from dataclasses import fields
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from synth import cohorts, signals

from conftest import HEADER
from counting import kept, tally_of


def filters(store) -> list[signals.Filter]:
    rows = store.statements_frame()
    first_cohort = sorted(store.partner_cohorts().unique())[0]
    late = rows["meeting_date"].quantile(0.6).date()
    return [signals.Filter(), signals.Filter(regions=("Southwest",)),
            signals.Filter(offices=tuple(rows["office"].value_counts().index[:2])),
            signals.Filter(start=late, end=rows["meeting_date"].max().date() - pd.Timedelta(days=3)),
            signals.Filter(cohorts=(first_cohort,)), signals.Filter(regions=("Midwest",), start=late)]


def _same(ours: pd.DataFrame, theirs: pd.DataFrame, name: str) -> None:
    keys = [c for c in theirs.columns if c not in ("statements", "partners", "notes", "n_ln_n")]
    order = lambda df: df[list(theirs.columns)].sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(order(ours), order(theirs), check_dtype=False, obj=name)


def _same_tally(ours: signals.Tally, whole: signals.Tally, view: str) -> None:
    for field in fields(signals.Tally):
        x, y = getattr(ours, field.name), getattr(whole, field.name)
        if isinstance(y, pd.DataFrame):
            _same(x, y, f"{field.name} of {view}")
        else:
            assert x == y, (field.name, view)


def assert_tally_matches_rows(store, regions, flt: signals.Filter) -> None:
    by_partner = store.partner_cohorts()
    rows = kept(flt, cohorts.with_cohorts(store.statements_frame(regions), by_partner))
    notes = kept(flt, cohorts.with_cohorts(store.notes_frame(regions), by_partner))
    _same_tally(store.tally(regions, flt), tally_of(rows, notes), str(flt))
    listed = store.view_rows(regions, flt)
    assert sorted(listed["statement_id"]) == sorted(rows["statement_id"])


def test_counts_made_in_sql_equal_counting_every_statement(fitted_store):
    for flt in filters(fitted_store):
        assert_tally_matches_rows(fitted_store, None, flt)
    assert_tally_matches_rows(fitted_store, ["Southwest", "West"], signals.Filter(start=date(2026, 1, 1)))


def test_a_tally_grows_with_themes_places_and_days_not_statements(fitted_store):
    tally = fitted_store.tally()
    themes = len(tally.themes)  # the unthemed included
    assert tally.themes["statements"].sum() == fitted_store.counts()["issues"]
    assert len(tally.offices) <= themes * len(tally.places) and len(tally.regions) <= themes * len(tally.places)
    assert len(tally.when) <= themes * tally.notes["meeting_date"].nunique()
    assert len(tally.cohorts) <= themes * len(tally.note_cohorts)


@pytest.mark.parametrize("words,expected", [("CRM", True), ("crm", True), ("no such words here", False),
                                            ("100%_", False)])
def test_a_search_finds_words_in_any_case_and_takes_wildcards_literally(fitted_store, words, expected):
    found = fitted_store.view_rows(containing=words)
    assert (len(found) > 0) == expected
    assert found["text"].str.lower().str.contains(words.lower(), regex=False).all()


def test_a_rename_or_a_hide_keeps_the_counts_and_a_merge_recounts(fitted_copy):
    from synth import themes

    _, st = fitted_copy
    first, second = (int(t) for t in st.themes_frame()["id"][:2])
    before = st.data_version()
    themes.rename(st, first, "A name a curator chose", who="t")
    themes.hide(st, second, who="t")
    renamed = st.data_version()
    assert renamed != before and renamed.counts == before.counts  # pages redraw; the cached tally stands
    themes.hide(st, second, who="t", hidden=False)
    counted = st.tally().themes.set_index("theme_id")["statements"]
    themes.merge(st, first, second, who="t")
    assert st.data_version().counts != renamed.counts
    merged = st.tally().themes.set_index("theme_id")["statements"]
    assert merged[first] == counted[first] + counted[second] and second not in merged.index


def test_counting_again_only_the_themes_edits_moved_equals_counting_everything(fitted_copy):
    from synth import themes

    _, st = fitted_copy
    views = [(None, signals.Filter()), (["Southwest"], signals.Filter(start=date(2026, 1, 1)))]
    before = st.data_version()
    counted = {i: st.tally(regions, flt) for i, (regions, flt) in enumerate(views)}
    a, b, c = (int(t) for t in st.themes_frame()["id"][:3])
    themes.merge(st, a, b, who="t")
    new = themes.split(st, c, list(st.view_rows(theme_ids=[c])["statement_id"][:6]), "Split off", who="t")
    themes.merge(st, a, c, who="t")  # the split's source is gone: undoing the split unthemes its statements
    split = int(st.theme_edits().query("action == 'split'")["id"].max())
    themes.undo(st, split, who="t")
    after = st.data_version()
    assert after.counts[:3] == before.counts[:3]  # no import and no fit: only edits moved statements
    moved = st.themes_moved_since(before.last_move, after.last_move)
    assert moved == {a, b, c, new, None}
    for i, (regions, flt) in enumerate(views):
        _same_tally(st.recount(counted[i], moved, regions, flt), st.tally(regions, flt), f"view {i}")


# ---- counting again after an import: only the partners it touched -----------------------------------
BADGES = ["The badge readers at the east door reject every card after the update.",
          "Our badge readers keep refusing cards since the firmware update.",
          "Since the reader update the east door will not take anyone's badge.",
          "Badge scanners at the entrance reject valid cards after last week's update.",
          "The door card readers stopped accepting badges when they were updated.",
          "After the update our ID badges fail at the east door reader every morning."]


def _import(settings, store, path, rows) -> int:
    import csv

    from synth import pipeline

    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADER + ["Cohort"]] + rows)
    return pipeline.import_file(store, settings, path).import_id


def assert_imports_are_counted_alone(settings, store, export, tmp_path) -> None:
    """After imports, a view's tally updated from its last count (`Store.count`) equals counting
    everything, whether the import brings an earlier meeting (a partner's cohort moves), a
    named cohort, a new office, or statements that form a provisional theme with older
    unthemed ones; and it is updated, not counted whole, under a cohort filter too."""
    import csv

    with export.open(newline="", encoding="utf-8") as fh:
        (a, b) = [(r["Region"], r["Office"], r["Frontline Partner"]) for r in list(csv.DictReader(fh))[:2]]
    views = [(None, signals.Filter()), (["Southwest"], signals.Filter(start=date(2026, 1, 1))),
             (None, signals.Filter(offices=(a[1], "Tulsa"))), (None, signals.Filter(cohorts=("Pilot wave",)))]
    counted = [store.count(regions, flt) for regions, flt in views]
    first = _import(settings, store, tmp_path / "first.csv", [
        ["A1", "2024-01-15", *a, "Wei Zhang", BADGES[0], ""],
        ["A2", "2026-10-01", *b, "Wei Zhang", BADGES[1], "Pilot wave"],
        ["A3", "2026-10-02", "Southwest", "Tulsa", "Nadia Quinn", "Wei Zhang",
         "Prior authorization forms take three weeks to come back from the payer.", ""]])
    badges_of_first = store.view_rows(containing="badge").query("note_key in ['A1', 'A2']")
    between = [store.count(regions, flt) for regions, flt in views]
    second = _import(settings, store, tmp_path / "second.csv", [
        [f"B{i}", f"2026-10-0{3 + i}", "West", "Fresno", f"Door Partner{i}", "Wei Zhang", BADGES[2 + i], ""]
        for i in range(4)])
    rows = store.view_rows(containing="badge")
    assert rows["theme_id"].notna().all() and rows["theme_id"].nunique() == 1  # a new issue, badges, formed
    assert badges_of_first["theme_id"].isna().all()  # ... with the first import's, unthemed until then

    for (regions, flt), before, after_first in zip(views, counted, between):
        for since, new in ((before, {first, second}), (after_first, {second})):
            now = store.count(regions, flt, since=since)
            assert now.marks.imports - since.marks.imports == new
            runs = now.marks.runs - since.marks.runs  # updated, not counted whole
            assert store.with_arrivals(since.tally, new, runs, regions, flt) is not None
            _same_tally(now.tally, store.tally(regions, flt), f"{flt} since {sorted(since.marks.imports)[-1]}")


def test_counting_again_only_the_partners_imports_touched_equals_counting_everything(fitted_copy, sample_files, tmp_path):
    settings, st = fitted_copy
    assert_imports_are_counted_alone(settings, st, sample_files[0], tmp_path)


# ---- a scope's default view, counted once for every server -------------------------------------------
def fresh_server_count(settings, regions=None) -> signals.Tally:
    """What a server started now shows for a scope's default view, where it must not count
    every statement: it reads the count another server or the last import or fit shared."""
    from synth.store import open_store

    fresh = open_store(settings)

    def counting_everything(*args, **kwargs):
        raise AssertionError("a fresh server counted every statement")

    fresh.tally = counting_everything
    try:
        return fresh.count(regions).tally
    finally:
        fresh.close()


def test_a_scope_counted_once_is_read_by_every_server_and_kept_up_to_date_by_imports(fitted_copy, tmp_path):
    from synth import auth

    settings, st = fitted_copy
    auth.ensure_demo_users(Path(settings.users_file))  # a director of Southwest, among others
    _same_tally(fresh_server_count(settings), st.tally(), "the fit's shared count")
    _import(settings, st, tmp_path / "more.csv", [
        [f"M{i}", f"2026-10-0{1 + i}", "Southwest", "Plano", f"Late Partner{i}", "Wei Zhang", BADGES[i], ""]
        for i in range(3)])
    for regions in (None, ("Southwest",)):  # the import updated what it shared, for each scope
        _same_tally(fresh_server_count(settings, regions), st.tally(regions), f"{regions} after an import")


def test_the_theme_search_reads_text_as_pages_show_it_however_many_offices_are_hidden(fitted_store):
    # Every office hidden, and 60 more names: the search must neither fail (one nested SQL
    # replace() per name overflowed SQLite's parser at 29) nor find a word only inside a
    # hidden name, and must find what a search of the masked texts finds.
    rows = fitted_store.view_rows()
    offices = sorted(set(rows["office"]))
    masked = offices + [f"Office {i}" for i in range(60)]
    shown = signals.mask_office_names(rows["text"], masked).str.lower()
    for words in ("crm", offices[0].lower(), offices[0][1:4].lower(), "the"):
        expected = set(rows[shown.str.contains(words, regex=False)]["theme_id"].dropna().astype(int))
        assert fitted_store.themes_containing(words, masked=masked) == expected, words
    assert fitted_store.themes_containing(offices[0].lower(), masked=masked) == set()
