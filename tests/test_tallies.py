"""The pages' counts are made in SQL (`Store.tally`); they must say exactly what counting the
statements and notes one by one says, for every filter and scope a viewer can pick."""

from datetime import date

import pandas as pd
import pytest

from synth import cohorts, signals


def filters(store) -> list[signals.Filter]:
    rows = store.statements_frame()
    first_cohort = sorted(store.partner_cohorts().unique())[0]
    late = rows["meeting_date"].quantile(0.6).date()
    return [signals.Filter(), signals.Filter(regions=("Southwest",)),
            signals.Filter(offices=tuple(rows["office"].value_counts().index[:2])),
            signals.Filter(start=late, end=rows["meeting_date"].max().date() - pd.Timedelta(days=3)),
            signals.Filter(cohorts=(first_cohort,)), signals.Filter(regions=("Midwest",), start=late)]


def assert_tally_matches_rows(store, regions, flt: signals.Filter, k: int = 3) -> None:
    by_partner = store.partner_cohorts()
    rows = flt.apply(cohorts.with_cohorts(store.statements_frame(regions), by_partner))
    notes = flt.apply(cohorts.with_cohorts(store.notes_frame(regions), by_partner))
    tally = store.tally(regions, flt)
    assert signals.headline(tally.when, tally.notes_when) == signals.headline(rows, notes)
    scope = signals.scope_of(rows, whole=regions is None)
    assert signals.scope_of(tally.who, whole=regions is None) == scope
    pd.testing.assert_frame_equal(tally.ranked(scope=scope), signals.ranked(rows, rows, scope=scope), check_dtype=False)
    pd.testing.assert_frame_equal(signals.monthly(tally.when), signals.monthly(rows), check_dtype=False)
    for column in ("region", "office"):
        pd.testing.assert_frame_equal(signals.region_matrix(tally.who, column, k=k),
                                      signals.region_matrix(rows, column, k=k), check_dtype=False)
    pd.testing.assert_frame_equal(signals.coverage(tally.notes_when, k=k, who=tally.notes_who),
                                  signals.coverage(notes, k=k), check_dtype=False)
    for ours, theirs in zip(cohorts.compare(tally.who, tally.notes_who, k), cohorts.compare(rows, notes, k)):
        pd.testing.assert_frame_equal(pd.DataFrame(ours), pd.DataFrame(theirs), check_dtype=False)
    assert signals.hidden_office_names(tally.who, k) == signals.hidden_office_names(rows, k)
    listed = store.view_rows(regions, flt)
    assert sorted(listed["statement_id"]) == sorted(rows["statement_id"])


def test_counts_made_in_sql_equal_counting_every_statement(fitted_store):
    for flt in filters(fitted_store):
        assert_tally_matches_rows(fitted_store, None, flt)
    assert_tally_matches_rows(fitted_store, ["Southwest", "West"], signals.Filter(start=date(2026, 1, 1)))


def test_a_tally_is_small_whatever_the_number_of_statements(fitted_store):
    tally = fitted_store.tally()
    statements = fitted_store.counts()["issues"]
    themes = tally.who["theme_id"].nunique(dropna=False)
    assert tally.who["statements"].sum() == statements
    assert len(tally.who) <= themes * tally.notes_who["partner_key"].nunique()
    assert len(tally.when) <= themes * tally.notes_when["meeting_date"].nunique()


@pytest.mark.parametrize("words,expected", [("CRM", True), ("crm", True), ("no such words here", False),
                                            ("100%_", False)])
def test_a_search_finds_words_in_any_case_and_takes_wildcards_literally(fitted_store, words, expected):
    found = fitted_store.view_rows(containing=words)
    assert (len(found) > 0) == expected
    assert found["text"].str.lower().str.contains(words.lower(), regex=False).all()
