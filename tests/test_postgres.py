"""The same store code on a real PostgreSQL server (the `pg_url` and `pg` fixtures in conftest.py)."""

import pytest

from synth import pipeline, sample, signals, themes
from synth.errors import NotFound

from conftest import dump, note_row
from test_tallies import _same_tally, assert_imports_are_counted_alone, assert_tally_matches_rows, filters, fresh_server_count
from test_themes import assert_centre_is_the_mean_of_its_statements


def test_postgres_import_dedupe_undo_and_scope(pg, write_csv):
    settings, store = pg
    assert store.engine.dialect.name == "postgresql"
    rows = [note_row(i, f"The tablet app loses orders offline in clinic {i}", region=r)
            for i, r in enumerate(["West", "West", "Midwest"], 1)]
    first = pipeline.import_file(store, settings, write_csv(rows))
    again = pipeline.import_file(store, settings, write_csv(rows, "again.csv"))
    assert (first.notes_added, again.notes_added) == (3, 0)
    assert set(store.statements_frame(regions=["Midwest"])["region"]) == {"Midwest"}
    assert store.undo_import(first.import_id, who="t") == 3
    with pytest.raises(NotFound):
        store.undo_import(first.import_id, who="t")


def test_postgres_failed_import_changes_nothing(pg, write_csv):
    settings, store = pg
    pipeline.import_file(store, settings, write_csv([note_row(1, "Parking is full by eight")]))
    before = dump(store)
    from synth import ingest, text

    _, parsed = ingest.parse_file(write_csv([note_row(5, "Deliveries arrive a week late")], "b.csv"), 10**6)

    def boom(conn, ids):
        raise RuntimeError("connection lost")

    with pytest.raises(RuntimeError):
        store.write_import(file_name="b.csv", sha256="x", who="t", rows_total=1, rows_skipped=0,
                           processed=text.process_notes(parsed.notes), store_raw_text=False, after_notes=boom)
    assert dump(store) == before


def test_postgres_fit_and_signals(pg, tmp_path):
    settings, store = pg
    export, _ = sample.write(tmp_path, n_notes=150, seed=4)
    pipeline.import_file(store, settings, export)
    result = pipeline.fit(store, settings)
    assert result["themes"] >= 2
    frame = store.statements_frame()
    assert frame["theme_id"].notna().mean() > 0.8
    assert set(signals.ranked(store.tally())["theme_id"]) == set(frame["theme_id"].dropna().astype(int))
    for flt in filters(store):  # the pages' counts, made by PostgreSQL, as counted row by row
        assert_tally_matches_rows(store, None, flt)
    assert_tally_matches_rows(store, ["Southwest"], signals.Filter())
    assert_imports_are_counted_alone(settings, store, export, tmp_path)  # PostgreSQL's sums and groupings too
    pipeline.fit(store, settings)  # the fit counts the default view once, for every server
    for flt_regions in (None, ("Southwest",)):
        store.count(flt_regions)  # shared (upserted) by the first server to count it
        _same_tally(fresh_server_count(settings, flt_regions), store.tally(flt_regions), f"{flt_regions} on PostgreSQL")
    a, b = (int(t) for t in store.themes_frame()["id"][:2])
    themes.merge(store, a, b, who="t")  # its centre read through a server-side cursor
    assert_centre_is_the_mean_of_its_statements(store, a)


def test_postgres_parallel_wrong_passwords_are_counted_one_by_one(pg, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from synth import auth
    from synth.errors import TooManySignIns

    settings, store = pg
    users = tmp_path / "users.json"
    auth.add_user(users, "exec", "the right one", "executive")

    def guess(i: int) -> str:
        try:
            return "wrong" if auth.sign_in(users, auth.SignInThrottle(store), "exec", f"guess-{i}", "10.1.1.1") is None else "ok"
        except TooManySignIns:
            return "refused"

    with ThreadPoolExecutor(max_workers=25) as pool:
        outcomes = list(pool.map(guess, range(25)))
    assert outcomes.count("wrong") == 5 and outcomes.count("refused") == 20
