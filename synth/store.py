"""The only module that talks SQL. SQLite by default, PostgreSQL through a URL.

One write path per kind of change, each in one transaction: an import either lands whole
(notes, statements, import record) or leaves the database exactly as it was.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple, Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from synth.errors import ConfigError, NotFound, StoreError
from synth.records import ImportSummary, ProcessedNote

SCHEMA_VERSION = 4
metadata = sa.MetaData()

meta = sa.Table("meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False))

imports = sa.Table("imports", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("file_name", sa.String(512), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("imported_by", sa.String(128), nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rows_total", sa.Integer, nullable=False),
    sa.Column("notes_added", sa.Integer, nullable=False),
    sa.Column("duplicates", sa.Integer, nullable=False),
    sa.Column("rows_skipped", sa.Integer, nullable=False),
    sa.Column("statements_added", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False))  # committed | undone

notes = sa.Table("notes", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False, index=True),
    sa.Column("note_key", sa.String(128), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("meeting_date", sa.Date, nullable=False),
    sa.Column("region", sa.String(128), nullable=False),
    sa.Column("office", sa.String(128), nullable=False),
    # Names are never stored: a keyed hash lets us count distinct people without knowing them.
    sa.Column("partner_key", sa.String(32), nullable=False),
    sa.Column("executive_key", sa.String(32), nullable=False),
    sa.Column("redacted_text", sa.Text, nullable=False),
    sa.Column("raw_text", sa.Text, nullable=True),
    sa.Index("ix_notes_scope", "region", "office", "meeting_date"))

statements = sa.Table("statements", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("note_id", sa.Integer, sa.ForeignKey("notes.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("start_char", sa.Integer, nullable=False),
    sa.Column("end_char", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("text_hash", sa.String(32), nullable=False, index=True),
    sa.Column("is_issue", sa.Boolean, nullable=False),
    sa.Column("drop_reason", sa.String(64), nullable=False),
    sa.Column("keyphrases", sa.Text, nullable=False))  # JSON list

embeddings = sa.Table("embeddings", metadata,
    sa.Column("text_hash", sa.String(32), primary_key=True),
    sa.Column("model", sa.String(64), primary_key=True),
    sa.Column("vector", sa.LargeBinary, nullable=False))  # float32 bytes

runs = sa.Table("runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False),  # fit | assign
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("params", sa.Text, nullable=False),
    sa.Column("model_dir", sa.String(512), nullable=True))

themes = sa.Table("themes", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("label", sa.String(256), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("keywords", sa.Text, nullable=False),  # JSON list
    sa.Column("quotes", sa.Text, nullable=False),  # JSON list of statement ids
    sa.Column("area", sa.String(256), nullable=False),
    sa.Column("centroid", sa.LargeBinary, nullable=True),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("hidden", sa.Boolean, nullable=False),
    sa.Column("label_locked", sa.Boolean, nullable=False),  # renamed by a person: refits keep it
    # formed at import from alike unthemed statements; the next fit confirms or dissolves it
    sa.Column("provisional", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_run", sa.Integer, nullable=False),
    sa.Column("updated_run", sa.Integer, nullable=False))

assignments = sa.Table("assignments", metadata,
    sa.Column("statement_id", sa.Integer, sa.ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.Integer, nullable=True, index=True),  # NULL: unthemed
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("method", sa.String(16), nullable=False),  # fit | assign | curated
    sa.Column("pinned", sa.Boolean, nullable=False))  # set by a person's split: refits keep it

theme_edits = sa.Table("theme_edits", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("theme_id", sa.Integer, nullable=False, index=True),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("who", sa.String(128), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False))

theme_lineage = sa.Table("theme_lineage", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("theme_id", sa.Integer, nullable=False, index=True),
    sa.Column("source_theme_id", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # same | split | merge | curated-merge
    sa.Column("overlap", sa.Float, nullable=False))


visits = sa.Table("visits", metadata,
    sa.Column("username", sa.String(128), primary_key=True),
    sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False))

# Failed sign-ins per key ("account:", "client:" or "pair:" and a keyed hash of the username
# and/or client address, never the raw values): kept here so that a restart forgets nothing.
sign_in_failures = sa.Table("sign_in_failures", metadata,
    sa.Column("key", sa.String(96), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_at", sa.Float, nullable=False))  # seconds since the epoch

V1_TABLES = [meta, imports, notes, statements, embeddings, runs, themes, assignments, theme_edits, theme_lineage]


def _create_v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=V1_TABLES)


def _add_visits(conn: Connection) -> None:
    # v2: remember each dashboard user's last visit, for "new since your last visit".
    visits.create(conn, checkfirst=True)


def _add_provisional(conn: Connection) -> None:
    # v3: themes formed at import, before a fit confirms them.
    if "provisional" not in {c["name"] for c in sa.inspect(conn).get_columns("themes")}:
        conn.execute(sa.text("ALTER TABLE themes ADD COLUMN provisional BOOLEAN NOT NULL DEFAULT FALSE"))


def _add_sign_in_failures(conn: Connection) -> None:
    # v4: the dashboard's sign-in throttle, shared by every server and kept across restarts.
    sign_in_failures.create(conn, checkfirst=True)


# Ordered migrations: (version it brings the schema to, function). Append, never edit.
MIGRATIONS: tuple[tuple[int, object], ...] = ((1, _create_v1), (2, _add_visits), (3, _add_provisional),
                                              (4, _add_sign_in_failures))


def _iso(column: sa.ColumnElement) -> sa.ColumnElement:
    """A date column read as its ISO text, for frames: pandas parses the whole column at once,
    where SQLAlchemy's per-row date conversion was a third of loading 100k statements."""
    return sa.cast(column, sa.String).label(column.name)


def _read_frame(conn, query) -> pd.DataFrame:
    """Rows straight from the driver's cursor into pandas: SQLAlchemy's per-row processing was
    40% of loading 100k statements. Values come as the driver returns them (SQLite: booleans
    as 0/1, dates as text), so callers cast the columns they need."""
    result = conn.execute(query)
    return pd.DataFrame.from_records(result.cursor.fetchall(), columns=list(result.keys()))


class DataVersion(NamedTuple):
    committed_imports: int
    last_import: int | None
    last_run: int | None
    last_edit: int | None

    @property
    def imports(self) -> tuple:
        """The part that moves only when notes are imported or an import is undone."""
        return self.committed_imports, self.last_import


def with_themes(rows: pd.DataFrame, assigned: pd.DataFrame) -> pd.DataFrame:
    """`Store.statement_rows` joined with `Store.assignments_frame`, in the rows' order."""
    return rows.merge(assigned, on="statement_id", how="left", validate="one_to_one")


def now() -> datetime:
    return datetime.now(timezone.utc)


class Store:
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
        store = cls(engine, _load_secret(secret_file))
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
            for version, step in MIGRATIONS:
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

    def pseudonym(self, name: str) -> str:
        """Keyed hash of a person's name: distinct people can be counted, never read back."""
        norm = " ".join(name.split()).casefold()
        if not norm:
            return ""
        return hmac.new(self._secret, norm.encode("utf-8"), hashlib.sha256).hexdigest()[:24]

    # ---- imports -----------------------------------------------------------------
    def existing_hashes(self, hashes: Sequence[str]) -> set[str]:
        with self.engine.connect() as conn:
            return _existing_hashes(conn, hashes)

    def write_import(self, *, file_name: str, sha256: str, who: str, rows_total: int, rows_skipped: int,
                     processed: Sequence[ProcessedNote], store_raw_text: bool,
                     after_notes=None, already_stored: int = 0) -> ImportSummary:
        """Write one import in a single transaction. Notes whose content hash is already
        stored (or repeated within the file) are counted as duplicates and not written.
        `after_notes(conn, statement_ids)` runs inside the same transaction, for theme assignment."""
        with self.engine.begin() as conn:
            seen: set[str] = set()
            fresh: list[ProcessedNote] = []
            hashes = [p.note.content_hash for p in processed]
            already = _existing_hashes(conn, hashes)
            for p, h in zip(processed, hashes):
                if h in already or h in seen:
                    continue
                seen.add(h)
                fresh.append(p)
            import_id = conn.execute(imports.insert().values(
                file_name=file_name, sha256=sha256, imported_by=who, imported_at=now(),
                rows_total=rows_total, notes_added=len(fresh), duplicates=already_stored + len(processed) - len(fresh),
                rows_skipped=rows_skipped, statements_added=0, status="committed",
            ).returning(imports.c.id)).scalar_one()
            statement_ids: list[int] = []
            issues = 0
            for i in range(0, len(fresh), 1000):
                batch = fresh[i:i + 1000]
                note_rows = [dict(
                    import_id=import_id, note_key=p.note.note_key, content_hash=p.note.content_hash,
                    meeting_date=p.note.meeting_date, region=p.note.region, office=p.note.office,
                    partner_key=self.pseudonym(p.note.partner), executive_key=self.pseudonym(p.note.executive),
                    redacted_text=p.redacted_text, raw_text=p.note.text if store_raw_text else None,
                ) for p in batch]
                ids = conn.execute(notes.insert().returning(notes.c.id, sort_by_parameter_order=True),
                                   note_rows).scalars().all()
                st_rows = [dict(
                    note_id=nid, position=s.position, start_char=s.start, end_char=s.end, text=s.text,
                    text_hash=s.text_hash, is_issue=s.is_issue, drop_reason=s.drop_reason,
                    keyphrases=json.dumps(list(s.keyphrases)),
                ) for nid, p in zip(ids, batch) for s in p.statements]
                if st_rows:
                    new_ids = conn.execute(
                        statements.insert().returning(statements.c.id, statements.c.is_issue,
                                                      sort_by_parameter_order=True), st_rows).all()
                    statement_ids.extend(r.id for r in new_ids if r.is_issue)
                    issues += sum(1 for r in new_ids if r.is_issue)
            n_statements = sum(len(p.statements) for p in fresh)
            conn.execute(imports.update().where(imports.c.id == import_id).values(statements_added=n_statements))
            extra = after_notes(conn, statement_ids) if after_notes and statement_ids else {}
        return ImportSummary(
            import_id=import_id, file_name=file_name, rows_total=rows_total, notes_added=len(fresh),
            duplicates=already_stored + len(processed) - len(fresh), rows_skipped=rows_skipped,
            statements_added=n_statements, issues_found=issues, **(extra or {}),
        )

    def undo_import(self, import_id: int, who: str) -> int:
        """Remove an import's notes (and their statements and assignments). Returns notes removed."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(imports).where(imports.c.id == import_id)).first()
            if row is None:
                raise NotFound(f"There is no import #{import_id}. `synth imports` lists them.")
            if row.status == "undone":
                raise NotFound(f"Import #{import_id} was already undone.")
            note_ids = sa.select(notes.c.id).where(notes.c.import_id == import_id)
            st_ids = sa.select(statements.c.id).where(statements.c.note_id.in_(note_ids))
            conn.execute(assignments.delete().where(assignments.c.statement_id.in_(st_ids)))
            conn.execute(statements.delete().where(statements.c.note_id.in_(note_ids)))
            removed = conn.execute(notes.delete().where(notes.c.import_id == import_id)).rowcount
            conn.execute(imports.update().where(imports.c.id == import_id).values(status="undone"))
            conn.execute(theme_edits.insert().values(
                theme_id=0, action="undo-import", payload=json.dumps({"import_id": import_id}), who=who, at=now()))
        return removed

    def committed_imports_after(self, import_id: int | None) -> list[int]:
        q = sa.select(imports.c.id).where(imports.c.status == "committed").order_by(imports.c.id)
        if import_id is not None:
            q = q.where(imports.c.id > import_id)
        with self.engine.connect() as conn:
            return list(conn.execute(q).scalars())

    def list_imports(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(sa.select(imports).order_by(imports.c.id.desc()), conn)

    # ---- reading -------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            one = lambda q: int(conn.execute(q).scalar_one())
            return {
                "notes": one(sa.select(sa.func.count()).select_from(notes)),
                "statements": one(sa.select(sa.func.count()).select_from(statements)),
                "issues": one(sa.select(sa.func.count()).select_from(statements).where(statements.c.is_issue)),
                "themes": one(sa.select(sa.func.count()).select_from(themes).where(themes.c.active)),
            }

    def notes_frame(self, regions: Iterable[str] | None = None, imports: Sequence[int] | None = None) -> pd.DataFrame:
        """Notes in `regions` (all when None), from the given imports only (all when None)."""
        q = sa.select(notes.c.id, notes.c.note_key, _iso(notes.c.meeting_date), notes.c.region, notes.c.office,
                      notes.c.partner_key, notes.c.executive_key).order_by(notes.c.id)
        if regions is not None:
            q = q.where(notes.c.region.in_(list(regions)))
        if imports is not None:
            q = q.where(notes.c.import_id.in_(list(imports)))
        with self.engine.connect() as conn:
            df = _read_frame(conn, q)
        df["meeting_date"] = pd.to_datetime(df["meeting_date"])
        return df

    def statements_frame(self, regions: Iterable[str] | None = None, issues_only: bool = True) -> pd.DataFrame:
        """One row per statement with its note's scope and its theme (NULL when unthemed).
        `regions` restricts rows in the query itself: callers pass the viewer's allowed regions.
        With `issues_only=False` the rows also say whether each is an issue and why not."""
        return with_themes(self.statement_rows(regions, issues_only), self.assignments_frame(regions))

    def statement_rows(self, regions: Iterable[str] | None = None, issues_only: bool = True,
                       imports: Sequence[int] | None = None) -> pd.DataFrame:
        """`statements_frame` without the themes: what changes only when notes are imported or
        undone, so the dashboard keeps it across refits and curation edits. `imports`: only
        the statements of these imports."""
        cols = [statements.c.id.label("statement_id"), statements.c.text]
        if not issues_only:
            cols += [statements.c.is_issue, statements.c.drop_reason]
        q = (sa.select(*cols, notes.c.id.label("note_id"), notes.c.note_key, _iso(notes.c.meeting_date),
                       notes.c.region, notes.c.office, notes.c.partner_key)
             .join(notes, statements.c.note_id == notes.c.id)
             .order_by(statements.c.id))
        if issues_only:
            q = q.where(statements.c.is_issue)
        if regions is not None:
            q = q.where(notes.c.region.in_(list(regions)))
        if imports is not None:
            q = q.where(notes.c.import_id.in_(list(imports)))
        with self.engine.connect() as conn:
            df = _read_frame(conn, q)
        df["meeting_date"] = pd.to_datetime(df["meeting_date"])
        if not issues_only:
            df["is_issue"] = df["is_issue"].astype(bool)
        return df

    def assignments_frame(self, regions: Iterable[str] | None = None) -> pd.DataFrame:
        """Each assigned statement's theme, score, method and theme label."""
        q = sa.select(assignments.c.statement_id, assignments.c.theme_id, assignments.c.score, assignments.c.method)
        if regions is not None:
            q = (q.join(statements, statements.c.id == assignments.c.statement_id)
                 .join(notes, notes.c.id == statements.c.note_id).where(notes.c.region.in_(list(regions))))
        with self.engine.connect() as conn:
            df = _read_frame(conn, q)
            # Labels mapped here rather than joined in SQL: a third less to read per row.
            labels = dict(conn.execute(sa.select(themes.c.id, themes.c.label)).all())
        df["theme_id"] = df["theme_id"].astype("Int64")
        df["score"] = df["score"].astype(float)
        df["theme_label"] = df["theme_id"].map(labels).astype(object)
        return df

    def themes_raised_in(self, regions: Iterable[str]) -> set[int]:
        """Ids of the themes with at least one issue statement from these regions."""
        q = (sa.select(assignments.c.theme_id).distinct()
             .join(statements, statements.c.id == assignments.c.statement_id)
             .join(notes, notes.c.id == statements.c.note_id)
             .where(assignments.c.theme_id.is_not(None), statements.c.is_issue, notes.c.region.in_(list(regions))))
        with self.engine.connect() as conn:
            return set(conn.execute(q).scalars())

    def orphaned_statements(self) -> list[int]:
        """Statements assigned to a theme that is not active (or does not exist): they would
        vanish from every page and export. Must always be empty; tests check it after every edit."""
        with self.engine.connect() as conn:
            return list(conn.execute(
                sa.select(assignments.c.statement_id)
                .select_from(assignments.outerjoin(themes, themes.c.id == assignments.c.theme_id))
                .where(assignments.c.theme_id.is_not(None), sa.or_(themes.c.id.is_(None), sa.not_(themes.c.active)))
            ).scalars())

    def themes_frame(self, include_hidden: bool = False) -> pd.DataFrame:
        q = sa.select(themes).where(themes.c.active)
        if not include_hidden:
            q = q.where(sa.not_(themes.c.hidden))
        with self.engine.connect() as conn:
            df = pd.read_sql(q.order_by(themes.c.id), conn)
        for col in ("keywords", "quotes"):
            df[col] = df[col].map(json.loads)
        return df

    def data_version(self) -> "DataVersion":
        """Changes whenever anything a page shows could have changed: the cache key for pages."""
        with self.engine.connect() as conn:
            return DataVersion(*conn.execute(sa.select(
                sa.select(sa.func.count()).select_from(imports).where(imports.c.status == "committed").scalar_subquery(),
                sa.select(sa.func.max(imports.c.id)).scalar_subquery(),
                sa.select(sa.func.max(runs.c.id)).scalar_subquery(),
                sa.select(sa.func.max(theme_edits.c.id)).scalar_subquery(),
            )).one())

    def last_visit(self, username: str, touch: bool = False) -> datetime | None:
        with self.engine.begin() as conn:
            seen = conn.execute(sa.select(visits.c.last_seen).where(visits.c.username == username)).scalar()
            if touch:
                if seen is None:
                    conn.execute(visits.insert().values(username=username, last_seen=now()))
                else:
                    conn.execute(visits.update().where(visits.c.username == username).values(last_seen=now()))
        return seen

    # ---- sign-in throttle ---------------------------------------------------------------
    def claim_sign_in(self, keys: Sequence[str], wait_for: Callable[[str, int, float], float], now: float,
                      forget_before: float) -> float:
        """One sign-in attempt against these failure counters, atomically. Inside one transaction
        that holds the write lock (SQLite: its first statement writes; PostgreSQL: the rows are
        locked), it reads each key's failures (forgetting those last seen before
        `forget_before`), asks `wait_for(key, failures, last_at)`, and, when no key says wait,
        counts the attempt as a failure on every key before any other attempt can read them.
        Returns the longest wait in seconds (0: go ahead; `clear_sign_in` takes the count back
        when the password was right). So a burst of parallel guesses is counted one by one."""
        with self.engine.begin() as conn:
            conn.execute(sign_in_failures.delete().where(sign_in_failures.c.last_at < forget_before))
            conn.execute(_insert_missing(conn, sign_in_failures, [dict(key=k, failures=0, last_at=now) for k in keys]))
            rows = conn.execute(sa.select(sign_in_failures).where(sign_in_failures.c.key.in_(list(keys)))
                                .with_for_update()).all()
            wait = max((wait_for(r.key, r.failures, r.last_at) for r in rows), default=0.0)
            if wait <= 0:
                conn.execute(sign_in_failures.update().where(sign_in_failures.c.key.in_(list(keys)))
                             .values(failures=sign_in_failures.c.failures + 1, last_at=now))
        return max(wait, 0.0)

    def uncount_sign_in(self, keys: Sequence[str]) -> None:
        """Take back one attempt `claim_sign_in` counted on these keys."""
        with self.engine.begin() as conn:
            conn.execute(sign_in_failures.update().where(sign_in_failures.c.key.in_(list(keys)),
                                                         sign_in_failures.c.failures > 0)
                         .values(failures=sign_in_failures.c.failures - 1))

    def clear_sign_in(self, keys: Sequence[str]) -> None:
        with self.engine.begin() as conn:
            conn.execute(sign_in_failures.delete().where(sign_in_failures.c.key.in_(list(keys))))

    def sign_in_failures(self, key: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sign_in_failures.c.failures).where(sign_in_failures.c.key == key))
                       .scalar() or 0)

    def themes_created_since(self, when: datetime | None) -> list[int]:
        q = (sa.select(themes.c.id).join(runs, runs.c.id == themes.c.created_run)
             .where(themes.c.active, sa.not_(themes.c.hidden)))
        if when is not None:
            q = q.where(runs.c.finished_at > when)
        with self.engine.connect() as conn:
            return list(conn.execute(q).scalars())

    # ---- embeddings cache -------------------------------------------------------------
    def cached_embeddings(self, hashes: Sequence[str], model: str) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(hashes), 500):
                chunk = list(hashes[i:i + 500])
                for h, blob in conn.execute(sa.select(embeddings.c.text_hash, embeddings.c.vector).where(
                        embeddings.c.model == model, embeddings.c.text_hash.in_(chunk))):
                    out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    def save_embeddings(self, vectors: dict[str, np.ndarray], model: str, conn: Connection | None = None) -> None:
        rows = [dict(text_hash=h, model=model, vector=np.asarray(v, dtype=np.float32).tobytes())
                for h, v in vectors.items()]
        if not rows:
            return
        if conn is None:
            with self.engine.begin() as c:
                c.execute(embeddings.insert(), rows)
        else:
            conn.execute(embeddings.insert(), rows)


def _insert_missing(conn: Connection, table: sa.Table, rows: list[dict]) -> sa.Insert:
    """INSERT of `rows` that skips those whose primary key is already there."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).values(rows).on_conflict_do_nothing()


def _existing_hashes(conn: Connection, hashes: Sequence[str]) -> set[str]:
    """Which of these note content hashes are stored (looked up 500 at a time)."""
    found: set[str] = set()
    for i in range(0, len(hashes), 500):
        chunk = list(hashes[i:i + 500])
        found.update(conn.execute(sa.select(notes.c.content_hash).where(notes.c.content_hash.in_(chunk))).scalars())
    return found


def _load_secret(secret_file: str | None) -> bytes:
    """The key names are pseudonymised with: created (private to this user) where the file does
    not exist yet; never a built-in key, which anyone could use to test a guessed name."""
    if not secret_file:
        raise ConfigError("SYNTH_SECRET_FILE is empty. Set it to the path of the file holding the key that "
                          "pseudonymises names (for example data/secret.key); synth creates it if it does not exist.")
    path = Path(secret_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 0600
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # appears whole or not at all; a process that raced us keeps its key
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    key = path.read_text().strip().encode()
    if not key:
        raise ConfigError(f"The secret file {path} (SYNTH_SECRET_FILE) is empty. Restore it from a backup, or "
                          "delete it to make a new key (people already stored will then count as new people).")
    return key


def open_store(settings) -> Store:
    return Store.open(settings.db_url, settings.secret_file)
