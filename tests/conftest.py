"""Shared fixtures. Real SQLite files in tmp folders, the real spaCy model and embedder;
the fitted sample program is built once per session and copied for tests that change it."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from synth import sample
from synth.config import Settings
from synth.store import Store, open_store

HEADER = ["Session ID", "Meeting Date", "Region", "Office", "Frontline Partner", "Executive", "Meeting Notes"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.for_directory(tmp_path)


@pytest.fixture
def store(settings: Settings) -> Store:
    s = open_store(settings)
    yield s
    s.close()


@pytest.fixture
def write_csv(tmp_path: Path):
    def write(rows: list[list[object]], name: str = "notes.csv", header: list[str] = HEADER,
              encoding: str = "utf-8", delimiter: str = ",") -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding=encoding) as fh:
            w = csv.writer(fh, delimiter=delimiter)
            w.writerow(header)
            w.writerows(rows)
        return path
    return write


def note_row(i: int, text: str, region: str = "Southwest", office: str = "Plano", day: str = "2026-03-0{d}",
             partner: str = "Maria Garcia", executive: str = "Wei Zhang") -> list[object]:
    return [f"N{i}", day.format(d=1 + i % 9), region, office, partner, executive, text]


@pytest.fixture(scope="session")
def sample_files(tmp_path_factory) -> tuple[Path, Path]:
    """A 1,200-note sample program (same generator as the bundled one, other seed)."""
    folder = tmp_path_factory.mktemp("sample")
    return sample.write(folder, n_notes=1200, seed=11)


@pytest.fixture(scope="session")
def fitted(tmp_path_factory, sample_files) -> Path:
    """A store with the sample imported and themes fitted, built once. Tests that change it
    copy it with `fitted_copy`."""
    from synth import pipeline

    folder = tmp_path_factory.mktemp("fitted")
    settings = Settings.for_directory(folder)
    st = open_store(settings)
    pipeline.import_file(st, settings, sample_files[0], who="test")
    pipeline.fit(st, settings, who="test")
    st.close()
    return folder


@pytest.fixture
def fitted_store(fitted: Path):
    """Read-only use of the session's fitted store."""
    st = open_store(Settings.for_directory(fitted))
    yield st
    st.close()


@pytest.fixture
def fitted_copy(fitted: Path, tmp_path: Path):
    target = tmp_path / "fitted"
    shutil.copytree(fitted, target)
    settings = Settings.for_directory(target)
    st = open_store(settings)
    yield settings, st
    st.close()


def dump(store: Store) -> dict:
    """Every row of every table: two dumps are equal iff the database did not change."""
    import sqlalchemy as sa

    from synth.store import schema as db

    out = {}
    with store.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            out[table.name] = sorted(tuple(map(repr, r)) for r in conn.execute(sa.select(table)))
    return out


# ---- a real PostgreSQL server ---------------------------------------------------------------------
# SYNTH_TEST_PG_URL if set; otherwise a throwaway cluster from Debian's postgresql package
# (`make test` installs it), started once per session.
@pytest.fixture(scope="session")
def pg_url():
    if os.environ.get("SYNTH_TEST_PG_URL"):
        yield os.environ["SYNTH_TEST_PG_URL"]
        return
    from synth.bench import postgres
    from synth.errors import ConfigError

    try:
        with postgres.throwaway() as url:
            yield url
    except ConfigError as exc:  # no server installed: say how to get one
        pytest.fail(str(exc))


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
