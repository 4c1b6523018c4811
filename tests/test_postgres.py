"""The same store code on a real PostgreSQL server. Uses SYNTH_TEST_PG_URL if set; otherwise
starts a throwaway cluster from Debian's postgresql package (`make test` installs it)."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile

import pytest
import sqlalchemy as sa

from synth import pipeline, sample, signals
from synth.config import Settings
from synth.errors import NotFound
from synth.store import Store

from conftest import dump, note_row


def _run(cmd, as_postgres):
    if as_postgres:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    return subprocess.run(cmd, check=True, capture_output=True, text=True)


@pytest.fixture(scope="session")
def pg_url():
    if os.environ.get("SYNTH_TEST_PG_URL"):
        yield os.environ["SYNTH_TEST_PG_URL"]
        return
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        pytest.fail("No PostgreSQL server found: run `make test` (it installs Debian's postgresql) or set SYNTH_TEST_PG_URL")
    bindir = os.path.dirname(bins[-1])
    as_postgres = os.geteuid() == 0  # PostgreSQL refuses to run as root
    folder = tempfile.mkdtemp(prefix="synth-pg-")
    if as_postgres:
        shutil.chown(folder, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = os.path.join(folder, "data")
    _run([f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "synth"], as_postgres)
    _run([f"{bindir}/pg_ctl", "-D", data, "-l", os.path.join(folder, "log"), "-w", "-o",
          f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"], as_postgres)
    try:
        yield f"postgresql+psycopg://synth@127.0.0.1:{port}/postgres"
    finally:
        _run([f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"], as_postgres)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg(pg_url, tmp_path):
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:  # a clean schema per test
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine.dispose()
    settings = Settings.for_directory(tmp_path, db_url=pg_url)
    store = Store.open(pg_url, settings.secret_file)
    yield settings, store
    store.close()


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
    assert set(signals.ranked(frame)["theme_id"]) == set(frame["theme_id"].dropna().astype(int))


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
