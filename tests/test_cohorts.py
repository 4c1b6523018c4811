"""Cohorts: named by the export or derived from a partner's first meeting (across every import),
the cohort filter on the pages and in `synth report`, the Regions page's comparison, and the
k rule under cohort filters. Real store, real imports, real pages (AppTest)."""


import pandas as pd
import pytest
import sqlalchemy as sa

from synth import auth, cli, cohorts, ingest, pipeline, signals
from synth.access import Scoped
from synth.dashboard import digest, ui
from synth.store import open_store
from synth.store import schema as db

from conftest import HEADER, note_row
from counting import tally_of
from test_cli import _point_cli_at
from test_dashboard import app_env, signed_in  # noqa: F401  (app_env: a fixture)
from test_privacy_filters import TINY, small_office  # noqa: F401  (small_office: a fixture)

TEXT = "The tablet app loses orders when the clinic is offline"


# ---- naming and derivation ------------------------------------------------------------------------
def test_a_first_meeting_names_the_first_or_second_half_of_its_year(store, settings, write_csv):
    days = {"Ada Quill": "2025-01-01", "Bo Ferris": "2025-06-30", "Cy Lane": "2025-07-01", "Di Moss": "2025-12-31"}
    rows = [note_row(i, f"{TEXT} in clinic {i}", partner=name, day=day) for i, (name, day) in enumerate(days.items())]
    pipeline.import_file(store, settings, write_csv(rows))
    found = store.partner_cohorts()
    assert [found[store.pseudonym(name)] for name in days] == ["2025-H1", "2025-H1", "2025-H2", "2025-H2"]


@pytest.mark.parametrize("header", ["Cohort", "Group", "Intake", "cohort name"])
def test_a_cohort_column_is_recognised_by_its_usual_names(header):
    mapping = ingest.detect_mapping(HEADER + [header])
    assert mapping["cohort"] == header and mapping["notes"] == "Meeting Notes"


def test_a_file_without_a_cohort_column_maps_none():
    assert "cohort" not in ingest.detect_mapping(HEADER)


def _partner_cohorts(store) -> dict[str, str]:
    """What the pages and reports see: each statement's partner's cohort."""
    rows = store.statements_frame()
    assert len(rows) and store.partner_cohorts().to_dict() == dict(zip(rows["partner_key"], rows["cohort"]))
    return dict(zip(rows["partner_key"], rows["cohort"]))


def test_a_later_import_with_an_earlier_meeting_moves_the_partner_to_the_earlier_cohort(store, settings, write_csv):
    pipeline.import_file(store, settings, write_csv([note_row(1, TEXT, day="2026-03-0{d}", partner="Ada Quill"),
                                                     note_row(2, TEXT, day="2026-08-0{d}", partner="Bo Ferris")],
                                                    "spring.csv"))
    ada, bo = store.pseudonym("Ada Quill"), store.pseudonym("Bo Ferris")
    assert _partner_cohorts(store) == {ada: "2026-H1", bo: "2026-H2"}
    later = pipeline.import_file(store, settings, write_csv([note_row(3, TEXT + " again", day="2025-11-0{d}",
                                                                      partner="Ada Quill")], "backfill.csv"))
    assert _partner_cohorts(store) == {ada: "2025-H2", bo: "2026-H2"}  # her first meeting is now in 2025
    store.undo_import(later.import_id, who="test")
    assert _partner_cohorts(store) == {ada: "2026-H1", bo: "2026-H2"}


def test_a_cohort_named_by_the_export_wins_for_every_note_of_the_partner(store, settings, write_csv):
    pipeline.import_file(store, settings, write_csv([note_row(1, TEXT, day="2026-03-0{d}", partner="Ada Quill")],
                                                    "first.csv"))
    named = [note_row(2, TEXT + " again", day="2026-09-0{d}", partner="Ada Quill") + ["Autumn intake"],
             note_row(3, TEXT, day="2026-09-0{d}", partner="Bo Ferris") + [""]]
    pipeline.import_file(store, settings, write_csv(named, "second.csv", header=HEADER + ["Cohort"]))
    assert _partner_cohorts(store) == {store.pseudonym("Ada Quill"): "Autumn intake",
                                       store.pseudonym("Bo Ferris"): "2026-H2"}  # an empty cell derives


def test_a_cohort_longer_than_64_characters_is_a_row_error(tmp_path, write_csv):
    path = write_csv([note_row(1, TEXT) + ["x" * 65]], header=HEADER + ["Cohort"])
    _, parsed = ingest.parse_file(path, 10_000_000)
    assert not parsed.notes and "cohort is longer than 64" in str(parsed.errors[0])


def test_a_store_from_before_cohorts_gains_the_column_on_open(store, settings):
    with store.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE notes DROP COLUMN cohort"))
        conn.execute(db.meta.update().where(db.meta.c.key == "schema_version").values(value="6"))
    store.close()
    reopened = open_store(settings)
    try:
        assert reopened.schema_version() == db.SCHEMA_VERSION
        assert "cohort" in {c["name"] for c in sa.inspect(reopened.engine).get_columns("notes")}
    finally:
        reopened.close()


# ---- what each cohort raises, under the k rule ----------------------------------------------------------
def _rows(cells: list[tuple[int, str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(theme, cohort, partner) triples counted as a tally's cohort cells and cohort sizes."""
    st = pd.DataFrame([dict(statement_id=i, theme_id=t, cohort=c, partner_key=p, region="R", office="O",
                            meeting_date=pd.Timestamp("2026-05-01")) for i, (t, c, p) in enumerate(cells)])
    counted = tally_of(st, st.drop_duplicates(["cohort", "partner_key"]))
    return counted.cohorts, counted.note_cohorts


def test_compare_hides_small_cohorts_small_cells_and_the_cell_that_would_reveal_one():
    cells = ([(1, "A", p) for p in "abcd"] + [(2, "A", p) for p in "ab"] + [(3, "A", p) for p in "abc"]
             + [(1, "B", p) for p in "xyz"] + [(2, "B", p) for p in "xyz"] + [(1, "C", "q"), (1, "C", "r")])
    out, sizes = cohorts.compare(*_rows(cells), k=3)
    assert sizes.to_dict() == {"A": 4, "B": 3}  # cohort C has 2 partners: left out whole
    got = out.set_index(["theme_id", "cohort"])
    assert got.loc[(1, "A"), "share"] == 1.0 and got.loc[(3, "A"), "share"] == 0.75
    assert got.loc[(2, "A"), "suppressed"] and pd.isna(got.loc[(2, "A"), "partners"])  # 2 partners
    # a theme's partners are counted elsewhere: (2, B) would give (2, A) away, (1, B) cohort C's 2
    assert got.loc[(2, "B"), "suppressed"] and got.loc[(1, "B"), "suppressed"]
    assert not got["suppressed"].drop([(2, "A"), (2, "B"), (1, "B")]).any()
    table = cohorts.top_table(out, sizes, pd.Series({1: "one", 2: "two", 3: "three"}), top=2)
    assert table.columns.tolist() == ["Theme", "A (4 partners)", "B (3 partners)"]
    assert table.values.tolist() == [["one", "100% (4)", "hidden"], ["three", "75% (3)", ""]]


# ---- the CLI -------------------------------------------------------------------------------------------------
def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


def test_report_cohort_counts_only_that_cohorts_partners(fitted_copy, monkeypatch, tmp_path, capsys):
    settings, store = fitted_copy
    _point_cli_at(settings, monkeypatch)
    statements = store.statements_frame()
    names = sorted(statements["cohort"].dropna().unique())
    assert len(names) >= 2, names  # the sample's partners start in more than one half-year
    out = tmp_path / "report.csv"
    assert cli.main(["report", "--cohort", names[-1], "--csv", str(out)]) == 0
    assert f"Top themes for all regions / cohort {names[-1]}" in capsys.readouterr().out
    shown = pd.read_csv(out).set_index("theme_id")["partners"]
    mine = statements[statements["cohort"] == names[-1]]
    assert shown.to_dict() == {t: mine[mine["theme_id"] == t]["partner_key"].nunique() for t in shown.index}
    everyone = statements[statements["theme_id"] == shown.index[0]]["partner_key"].nunique()
    assert shown.iloc[0] < everyone


def test_report_refuses_an_unknown_cohort_with_the_valid_ones(fitted_copy, monkeypatch, capsys):
    settings, store = fitted_copy
    _point_cli_at(settings, monkeypatch)
    names = sorted(store.statements_frame()["cohort"].dropna().unique())
    assert cli.main(["report", "--cohort", "2031-H3"]) == 2
    err = _one_error_line(capsys)
    assert "--cohort '2031-H3'" in err and f"Cohorts: {', '.join(names)}." in err


# ---- the pages ------------------------------------------------------------------------------------------------
def test_the_cohort_filter_narrows_the_home_page_and_follows_to_the_regions_page(app_env):
    _, store = app_env
    names = sorted(store.statements_frame()["cohort"].dropna().unique())
    notes = store.notes_frame()
    cohort_of = notes["partner_key"].map(store.partner_cohorts())
    members = notes.groupby(cohort_of)["partner_key"].nunique()
    small = members[members >= 3].idxmin()  # the smallest cohort with figures to show
    at = signed_in("executive", cohort=[small])
    assert at.multiselect[2].label == "Cohort" and at.multiselect[2].options == names
    assert at.multiselect[2].value == [small]
    assert {m.label: m.value for m in at.metric}["Meetings"] == f"{int((cohort_of == small).sum()):,}"
    assert any(ui.plain(f"cohort {small}") in c.value for c in at.caption)
    at.multiselect[2].set_value([])
    at.run()
    assert {m.label: m.value for m in at.metric}["Meetings"] == f"{len(notes):,}"


def test_the_regions_page_compares_what_each_cohort_raises(app_env):
    _, store = app_env
    statements = store.statements_frame()
    at = signed_in("executive")
    at.switch_page("synth/dashboard/pages/regions.py")
    at.run()
    assert not at.exception, at.exception
    assert "What each cohort raises" in [s.value for s in at.subheader]
    table = next(d.value for d in at.dataframe if "Theme" in d.value.columns)
    notes = store.notes_frame()
    members = notes.groupby(notes["partner_key"].map(store.partner_cohorts()))["partner_key"].nunique()
    names = [c for c in sorted(statements["cohort"].dropna().unique()) if members[c] >= 3]  # smaller cohorts: left out
    assert len(names) < len(members)
    columns = {c: f"{c} ({members[c]} partners)" for c in names}
    assert table.columns.tolist() == ["Theme"] + list(columns.values())
    ids = store.themes_frame().set_index("label")["id"]
    shown = 0
    for row in table.itertuples(index=False):
        for c, column in columns.items():
            cell = table.loc[table["Theme"] == row[0], column].iloc[0]
            raised = statements[(statements["cohort"] == c) & (statements["theme_id"] == ids[row[0]])]
            n = raised["partner_key"].nunique()
            assert cell in ("", "hidden", f"{n / members[c]:.0%} ({n})"), (row[0], c, cell, n)
            assert cell == "hidden" or n >= 3 or cell == ""
            shown += cell not in ("", "hidden")
    assert shown >= len(names)  # every cohort shows at least its top theme


# ---- privacy: a cohort filter reveals no small office -----------------------------------------------------
SMALL_COHORT = "Pilot"


@pytest.fixture
def small_cohort(small_office, write_csv):
    """`small_office`, plus a later export that names the cohort "Pilot" for Tinyville's two
    partners and a third new partner in Plano who raises the same theme: the cohort is those
    three partners, two of them Tinyville's."""
    settings, store, theme = small_office
    said = store.statements_frame(["Southwest"]).query("office == @TINY")["text"].head(3).tolist()
    rows = [note_row(7100 + i, text, office="Plano", partner="Cy Dorn", day="2026-04-0{d}") + [SMALL_COHORT]
            for i, text in enumerate(said)]
    rows += [note_row(7200 + i, said[i], office=TINY, partner=name, day="2026-05-0{d}") + [SMALL_COHORT]
             for i, name in enumerate(("Ada Quill", "Bo Ferris"))]
    pipeline.import_file(store, settings, write_csv(rows, "pilot.csv", header=HEADER + ["Cohort"]))
    southwest = store.statements_frame(["Southwest"])
    cohort = southwest[southwest["cohort"] == SMALL_COHORT]
    assert cohort["partner_key"].nunique() == 3 and set(cohort["office"]) == {TINY, "Plano"}
    assert (southwest["office"] == TINY).sum() == (cohort["office"] == TINY).sum()  # every Tinyville note
    return settings, store, theme


def director_view(store, flt: signals.Filter):
    """What the director's pages compute from (`ui.filtered_view`): their scope and the sidebar filter."""
    from synth.dashboard.ui import View

    scoped = Scoped(store, auth.Viewer("director", "director", ("Southwest",)))
    return View.of(scoped, flt, (str(store.engine.url), scoped.viewer.region_scope, "director", 0))  # as `ui._key`


def test_a_cohort_filter_does_not_reveal_a_small_office(small_cohort):
    _, store, theme = small_cohort
    view = director_view(store, signals.Filter(cohorts=(SMALL_COHORT,)))
    assert view.tally.partners == 3
    # the drill-down and the CSV name neither office: 2 partners in Tinyville, 1 in Plano
    assert set(digest.statement_rows(view, theme, k=3)[0]["office"]) == {signals.SMALL_OFFICE}
    assert set(digest.csv_rows(view, k=3)["office"]) == {signals.SMALL_OFFICE}
    offices = digest.region_cells(view, "office", "Southwest", k=3)
    assert offices["suppressed"].all()
    # the cohort comparison shows the cohort (3 partners) but no cell backed by fewer than 3
    comparison = digest.cohort_comparison(view, k=3)
    assert comparison.sizes.to_dict() == {SMALL_COHORT: 3}
    assert all(cell in ("hidden", "") or cell.endswith("(3)") for cell in comparison.table.iloc[:, 1])
    # cohort and office together: fewer than k partners, so no figures at all
    both = director_view(store, signals.Filter(cohorts=(SMALL_COHORT,), offices=(TINY,)))
    home = digest.home(both, k=3)
    assert home.headline is None and home.ranked.empty


def test_a_director_filtering_to_a_small_cohort_and_office_sees_no_figures(small_cohort):
    at = signed_in("director", cohort=[SMALL_COHORT], office=[TINY])
    assert at.multiselect[2].value == [SMALL_COHORT] and at.multiselect[1].value == [TINY]
    assert {m.label: m.value for m in at.metric} == {
        "Meetings": "hidden", "Issue statements": "hidden", "Themes": "hidden", "Offices heard from": "hidden"}
    at.switch_page("synth/dashboard/pages/regions.py")
    at.run()
    assert not at.exception, at.exception
    assert not [d for d in at.dataframe if "Theme" in d.value.columns]  # no cohort comparison: 2 partners
