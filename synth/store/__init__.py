"""The only code that talks SQL. SQLite by default, PostgreSQL through a URL.

One part per aggregate, each in its own module, joined into one `Store` handle:
  schema      tables and migrations
  imports     the import write path (whole or nothing) and its undo
  partials    large imports written a partition at a time, hidden until complete
  statements  notes and statements as frames, scoped by region in SQL
  tallies     what pages and reports show, counted in SQL (signals.Tally), and the rows they list
  themes      fits, curation and lineage
  embeddings  the embedding cache
  viewers     last visits and the sign-in throttle
  pseudonyms  the keyed hash that stands for a person's name
  cohorts     each partner's cohort: named by an export, or their first meeting's half-year
  actions     owners, statuses and decisions per theme, and their history
  alerts      the alert outbox and what the last alert check saw
  jobs        imports and fits queued for workers, and locks held across processes
  sessions    dashboard sessions signed out early, refused by every server
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from synth.errors import StoreError
from synth.store.actions import Actions
from synth.store.alerts import Alerts
from synth.store.cohorts import Cohorts
from synth.store.embeddings import Embeddings
from synth.store.imports import Imports
from synth.store.jobs import Job, Jobs
from synth.store.partials import PartialImport, PartialImports
from synth.store.pseudonyms import Pseudonyms, load_secret
from synth.store.sessions import Sessions
from synth.store.schema import MIGRATIONS, SCHEMA_VERSION, imports, meta, runs, theme_edits
from synth.store.statements import Statements, with_themes
from synth.store.tallies import Tallies
from synth.store.themes import Themes
from synth.store.viewers import Viewers

__all__ = ["DataVersion", "Job", "PartialImport", "Store", "open_store", "with_themes"]


class DataVersion(NamedTuple):
    committed_imports: int
    last_import: int | None
    last_run: int | None
    last_edit: int | None
    last_move: int | None  # the last curation edit that moved statements (a merge, a split, an undo)

    @property
    def imports(self) -> tuple:
        """The part that moves only when notes are imported or an import is undone."""
        return self.committed_imports, self.last_import

    @property
    def counts(self) -> tuple:
        """The part that moves when the counts of statements per theme could change: a rename
        or a hide changes what pages call a theme, not how many statements it has."""
        return self.committed_imports, self.last_import, self.last_run, self.last_move



class Store(PartialImports, Imports, Statements, Tallies, Themes, Embeddings, Viewers, Pseudonyms, Actions, Alerts, Cohorts, Jobs, Sessions):
    """A handle on the database. Open with `Store.open(url)`; it migrates on open."""

    def __init__(self, engine: Engine, secret: bytes = b""):
        self.engine = engine
        self._secret = secret

    # ---- opening and migrating -------------------------------------------------
    @classmethod
    def open(cls, url: str, secret_file: str | None = None) -> "Store":
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            engine = sa.create_engine(url, future=True)
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise StoreError(f"Cannot use database URL {url!r}: {exc}. Check SYNTH_DB_URL.") from None
        if engine.dialect.name == "sqlite":
            @sa.event.listens_for(engine, "connect")
            def _sqlite_pragmas(dbapi_conn, _record):
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA busy_timeout=30000")
                cur.close()
                # ln() for the tallies' entropy: built into most SQLite builds, not all.
                dbapi_conn.create_function("ln", 1, math.log, deterministic=True)
        store = cls(engine, load_secret(secret_file))
        try:
            store.migrate()
        except sa.exc.OperationalError as exc:
            if "locked" in str(exc.orig):
                raise StoreError("The database is busy: another synth command is writing to it (an import, a fit or "
                                 "an upgrade). Try again when it has finished.") from None
            raise StoreError(f"Cannot open the database at {url!r}: {exc.orig}. Check SYNTH_DB_URL.") from None
        return store

    def migrate(self) -> int:
        # A store already at this version is opened without writing anything, so read-only
        # commands (`synth imports`, `themes`, `report`, `export`) never wait on a long import.
        with self.engine.connect() as conn:
            if sa.inspect(conn).has_table("meta"):
                row = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).first()
                if row and int(row[0]) == SCHEMA_VERSION:
                    return SCHEMA_VERSION
        with self.engine.begin() as conn:
            meta.create(conn, checkfirst=True)
            row = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).first()
            current = int(row[0]) if row else 0
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"The database has schema version {current}, newer than this synth ({SCHEMA_VERSION}). "
                    "Upgrade synth, or point SYNTH_DB_URL at another database."
                )
            for version, step in sorted(MIGRATIONS, key=lambda m: m[0]):  # appended by several people at once
                if version > current:
                    step(conn)
                    current = version
            if row:
                conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(current)))
            else:
                conn.execute(meta.insert().values(key="schema_version", value=str(current)))
        return current

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar_one())

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def data_version(self) -> "DataVersion":
        """Changes whenever anything a page shows could have changed: the cache key for pages."""
        with self.engine.connect() as conn:
            return DataVersion(*conn.execute(sa.select(
                sa.select(sa.func.count()).select_from(imports).where(imports.c.status == "committed").scalar_subquery(),
                # A partial import (synth/backfill.py) counts once it completes.
                sa.select(sa.func.max(imports.c.id)).where(imports.c.status != "partial").scalar_subquery(),
                sa.select(sa.func.max(runs.c.id)).scalar_subquery(),
                sa.select(sa.func.max(theme_edits.c.id)).scalar_subquery(),
                sa.select(sa.func.max(theme_edits.c.id)).where(
                    theme_edits.c.action.in_(["merge", "split", "undo"])).scalar_subquery(),
            )).one())



def open_store(settings) -> Store:
    return Store.open(settings.db_url, settings.secret_file)
