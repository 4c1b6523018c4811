import sqlite3
from pathlib import Path

import sqlalchemy as sa
import pytest

from synth import pipeline
from synth.store import Store, open_store
from synth.store import schema as db
from synth.errors import ConfigError, NotFound, StoreError

from conftest import dump, note_row


def test_new_store_is_migrated_and_uses_wal(store):
    assert store.schema_version() == db.SCHEMA_VERSION
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_database_from_a_newer_synth_is_refused(store, settings):
    with store.engine.begin() as conn:
        conn.execute(db.meta.update().values(value=str(db.SCHEMA_VERSION + 1)))
    with pytest.raises(StoreError, match="newer than this synth"):
        open_store(settings)


def test_reimporting_the_same_file_adds_nothing(settings, store, write_csv):
    path = write_csv([note_row(i, f"Samples run out in week {i} of the month") for i in range(1, 6)])
    first = pipeline.import_file(store, settings, path)
    second = pipeline.import_file(store, settings, path)
    assert (first.notes_added, second.notes_added, second.duplicates) == (5, 0, 5)
    assert store.counts()["notes"] == 5


def test_same_notes_in_another_file_layout_add_nothing(settings, store, write_csv, tmp_path):
    rows = [note_row(i, f"The tablet app loses orders offline, case {i}") for i in range(1, 4)]
    pipeline.import_file(store, settings, write_csv(rows))
    other = tmp_path / "other.json"
    import json
    other.write_text(json.dumps([{"Notes": r[6], "Date": r[1], "Region": r[2], "Branch": r[3], "Mentor": r[4],
                                  "Exec": r[5], "record id": f"other-{r[0]}"} for r in rows]))
    s = pipeline.import_file(store, settings, other)
    assert s.notes_added == 0 and s.duplicates == 3


def test_undo_removes_the_import_and_its_statements(settings, store, write_csv):
    a = pipeline.import_file(store, settings, write_csv([note_row(1, "Parking is full by eight every day")], "a.csv"))
    b = pipeline.import_file(store, settings, write_csv([note_row(2, "The laptops freeze in front of customers")], "b.csv"))
    assert store.undo_import(b.import_id, who="t") == 1
    frame = store.statements_frame(issues_only=False)
    assert set(frame["note_key"]) == {"N1"}
    imports = store.list_imports().set_index("id")
    assert imports.loc[b.import_id, "status"] == "undone" and imports.loc[a.import_id, "status"] == "committed"
    with pytest.raises(NotFound):
        store.undo_import(b.import_id, who="t")
    with pytest.raises(NotFound):
        store.undo_import(999, who="t")


def test_a_failure_inside_the_write_leaves_the_database_as_it_was(settings, store, write_csv):
    pipeline.import_file(store, settings, write_csv([note_row(1, "Parking is full by eight")], "a.csv"))
    before = dump(store)

    def boom(conn, ids):
        raise RuntimeError("disk full")

    from synth import ingest, text
    _, parsed = ingest.parse_file(write_csv([note_row(5, "Deliveries arrive a week late")], "b.csv"), 10**6)
    processed = text.process_notes(parsed.notes)
    with pytest.raises(RuntimeError):
        store.write_import(file_name="b.csv", sha256="x", who="t", rows_total=1, rows_skipped=0,
                           processed=processed, store_raw_text=False, after_notes=boom)
    assert dump(store) == before


def test_partner_and_executive_names_are_never_stored(settings, store, write_csv):
    pipeline.import_file(store, settings, write_csv([note_row(1, "Samples run out", partner="Ngozi Okafor", executive="Henrik Larsen")]))
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(db.notes)).one()
    values = " ".join(str(v) for v in row)
    assert "Ngozi" not in values and "Larsen" not in values
    assert row.partner_key == store.pseudonym("ngozi  OKAFOR") != store.pseudonym("Henrik Larsen")


def test_raw_text_is_stored_only_when_configured(settings, store, write_csv):
    path = write_csv([note_row(1, "Call Dana at dana@example.com about samples")])
    pipeline.import_file(store, settings, path)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(db.notes.c.raw_text)).scalar() is None
    settings2 = type(settings)(**{**settings.__dict__, "store_raw_text": True})
    store.undo_import(1, who="t")
    pipeline.import_file(store, settings2, path)
    with store.engine.connect() as conn:
        assert "dana@example.com" in conn.execute(sa.select(db.notes.c.raw_text)).scalar()


SCHEMAS = Path(__file__).parent / "schemas"


@pytest.mark.parametrize("version", [1, 6])
def test_an_older_database_upgrades_through_every_later_step(tmp_path, version):
    # The tables as that version created them, frozen in tests/schemas (not today's tables,
    # which already hold the columns later migrations add), with a note written then.
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as con:
        con.executescript((SCHEMAS / f"v{version}.sql").read_text())
        con.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(version),))
        con.execute("INSERT INTO imports VALUES (1, 'old.csv', 'abc', 'ada', '2025-01-01 00:00:00', 1, 1, 0, 0, 0, "
                    "'committed')")
        con.execute("INSERT INTO notes VALUES (1, 1, 'n1', 'hash1', '2025-01-01', 'North', 'Leeds', 'p', 'e', "
                    "'The badge reader fails', NULL)")
    con.close()
    store = Store.open(f"sqlite:///{path}", str(tmp_path / "secret.key"))
    assert store.schema_version() == db.SCHEMA_VERSION == max(v for v, _ in db.MIGRATIONS)
    inspector = sa.inspect(store.engine)
    for table in db.metadata.sorted_tables:  # every table and column today's code declares
        assert {c.name for c in table.columns} <= {c["name"] for c in inspector.get_columns(table.name)}, table.name
        assert {i.name for i in table.indexes} <= {i["name"] for i in inspector.get_indexes(table.name)}, table.name
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(db.notes.c.redacted_text, db.notes.c.cohort)).one() == ("The badge reader fails", None)
    assert store.last_visit("ada", touch=True) is None and store.last_visit("ada") is not None
    assert store.claim_sign_in(["pair:x"], lambda *_: 0.0, now=1.0, forget_before=0.0) == 0
    assert store.sign_in_failures("pair:x") == 1
    assert Store.open(f"sqlite:///{path}", str(tmp_path / "secret.key")).schema_version() == db.SCHEMA_VERSION


@pytest.mark.parametrize("content", [None, "", "  \n"])
def test_a_missing_or_empty_secret_is_an_error_that_says_what_to_set(tmp_path, content):
    secret = tmp_path / "secret.key"
    if content is not None:
        secret.write_text(content)
    url = f"sqlite:///{tmp_path / 'synth.db'}"
    for value in ([None, ""] if content is None else [str(secret)]):
        with pytest.raises(ConfigError, match="SYNTH_SECRET_FILE"):
            Store.open(url, value)


def test_a_new_secret_file_is_private_and_kept(tmp_path):
    secret = tmp_path / "keys" / "secret.key"
    first = Store.open(f"sqlite:///{tmp_path / 'a.db'}", str(secret))
    assert oct(secret.stat().st_mode & 0o777) == "0o600" and len(secret.read_text()) == 64
    again = Store.open(f"sqlite:///{tmp_path / 'b.db'}", str(secret))
    assert first.pseudonym("Ana Lima") == again.pseudonym("ana  lima")
