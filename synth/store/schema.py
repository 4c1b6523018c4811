"""Tables and migrations: what the store keeps, and how an older database is brought up to date.

Append a migration for every change; never edit one that has shipped.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

SCHEMA_VERSION = 6  # raised after each block of MIGRATIONS below, to the highest version there
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
    # v7: the cohort the export names for the partner (NULL: none; derived when read, see synth/cohorts.py)
    sa.Column("cohort", sa.String(64), nullable=True),
    sa.Index("ix_notes_scope", "region", "office", "meeting_date"),
    sa.Index("ix_notes_partner", "partner_key"))  # v9

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

# v5: what people decided about a theme. One row per theme, carried with it across refits
# (synth.actions.follow_lineage); `merged_into` marks one whose theme was merged into another.
actions = sa.Table("actions", metadata,
    sa.Column("theme_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("owner", sa.String(128), nullable=True),  # a dashboard user
    sa.Column("status", sa.String(16), nullable=False),  # new | acknowledged | in_progress | done | wont_do
    sa.Column("reason", sa.Text, nullable=False, server_default=""),  # why won't do
    sa.Column("note", sa.Text, nullable=False, server_default=""),  # the decision
    sa.Column("due", sa.Date, nullable=True),
    sa.Column("merged_into", sa.Integer, nullable=True, index=True),
    sa.Column("updated_by", sa.String(128), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False))

# Append-only: every change to an action, and every time one followed its theme's lineage.
action_history = sa.Table("action_history", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("theme_id", sa.Integer, nullable=False, index=True),
    sa.Column("who", sa.String(128), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("changes", sa.Text, nullable=False),  # JSON {field: [old, new]}
    sa.Column("remark", sa.Text, nullable=False, server_default=""))  # e.g. "split from #4"

# v6: alerts. One row per event; the unique key makes each event one message, however often
# alerts are computed or a send is retried.
alerts = sa.Table("alerts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_key", sa.String(128), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),  # surfacing | provisional | volume
    sa.Column("theme_id", sa.Integer, nullable=False, index=True),
    sa.Column("recipients", sa.Text, nullable=False),  # JSON list of usernames
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # pending | sending | sent | failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text, nullable=False, server_default=""),
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),  # when a sender took it
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))

# What the last alert check saw per theme, so that an alert is raised on a change
# (starts surfacing, volume jumps), not on every check while it lasts.
alert_watch = sa.Table("alert_watch", metadata,
    sa.Column("theme_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("surfacing", sa.Boolean, nullable=False),
    sa.Column("statements", sa.Integer, nullable=False),
    sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False))

V1_TABLES = [meta, imports, notes, statements, embeddings, runs, themes, assignments, theme_edits, theme_lineage]


def _create_v1(conn: Connection) -> None:
    # A new database gets today's definitions of these tables, with the columns later steps
    # add: so each later step checks before it adds. The tables v1 shipped: tests/schemas/v1.sql.
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


def _add_actions(conn: Connection) -> None:
    # v5: an owner, status and decision per theme, and their history.
    metadata.create_all(conn, tables=[actions, action_history])


def _add_alerts(conn: Connection) -> None:
    # v6: the alert outbox and what the last check saw.
    metadata.create_all(conn, tables=[alerts, alert_watch])


# Ordered migrations: (version it brings the schema to, function). Append, never edit.
MIGRATIONS: tuple[tuple[int, object], ...] = ((1, _create_v1), (2, _add_visits), (3, _add_provisional),
                                              (4, _add_sign_in_failures), (5, _add_actions), (6, _add_alerts))




# ---- v7 (issue #17): cohorts ------------------------------------------------------------------
def _add_cohort(conn: Connection) -> None:
    # v7: the cohort an export names for a note's partner. Derived cohorts are not stored: a
    # partner's first meeting can change with every import and undo.
    if "cohort" not in {c["name"] for c in sa.inspect(conn).get_columns("notes")}:
        conn.execute(sa.text("ALTER TABLE notes ADD COLUMN cohort VARCHAR(64)"))


MIGRATIONS += ((7, _add_cohort),)
SCHEMA_VERSION = max(version for version, _ in MIGRATIONS)


# ---- v8 (issue #16): several servers and workers over one database --------------------------
# Imports and fits as jobs, claimed by `synth worker` processes or a server's background thread.
jobs = sa.Table("jobs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),  # import | fit
    sa.Column("state", sa.String(16), nullable=False, index=True),  # queued | running | done | failed
    sa.Column("payload", sa.Text, nullable=False),  # JSON: what to run (an import's options)
    sa.Column("data", sa.LargeBinary, nullable=True),  # an uploaded file, so any worker can import it
    sa.Column("who", sa.String(128), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("worker", sa.String(128), nullable=True),  # host:pid of the claimer
    sa.Column("heartbeat", sa.Float, nullable=True),  # seconds since the epoch, while running
    sa.Column("attempt", sa.Integer, nullable=False, server_default="0"),
    sa.Column("done", sa.Integer, nullable=False, server_default="0"),
    sa.Column("total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("message", sa.Text, nullable=False, server_default=""),
    sa.Column("error", sa.Text, nullable=False, server_default=""),
    sa.Column("result", sa.Text, nullable=False, server_default="{}"))  # JSON

# Named locks held by a heartbeat (SQLite's stand-in for PostgreSQL's advisory locks): a holder
# that stops beating for the stale time loses it.
locks = sa.Table("locks", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("holder", sa.String(128), nullable=True),
    sa.Column("heartbeat", sa.Float, nullable=True))

# Sessions signed out before they expire: refused by every server (a hash, never the token).
revoked_sessions = sa.Table("revoked_sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("expires_at", sa.Float, nullable=False))


def _add_jobs(conn: Connection) -> None:
    # v8: jobs, named locks and revoked sessions, shared by every server and worker.
    metadata.create_all(conn, tables=[jobs, locks, revoked_sessions])


MIGRATIONS += ((8, _add_jobs),)
SCHEMA_VERSION = max(version for version, _ in MIGRATIONS)


# ---- v9 (issue #16): after an import, count again only the partners it touched ---------------
def _index_partners(conn: Connection) -> None:
    # v9: a partner's notes by index (`Tallies.with_arrivals`): at a million statements, the
    # scans of every note for a handful of partners were 1.3 of the 1.5 s of a view's recount.
    conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_notes_partner ON notes (partner_key)"))


MIGRATIONS += ((9, _index_partners),)
SCHEMA_VERSION = max(version for version, _ in MIGRATIONS)


# ---- v10 (issue #16): a scope's tally, counted once for every server ---------------------------
# The default view's tally (no filter) of each scope, with the marks it was counted from
# (`Tallies.count`): a server started after it, or after the fit job counted it, updates it
# instead of counting a million statements again. Arrow tables: data, never code.
shared_tallies = sa.Table("shared_tallies", metadata,
    sa.Column("scope", sa.String(64), primary_key=True),  # "all", or a hash of the regions
    sa.Column("marks", sa.Text, nullable=False),  # JSON
    sa.Column("tally", sa.LargeBinary, nullable=False),
    sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False))


def _add_shared_tallies(conn: Connection) -> None:
    shared_tallies.create(conn, checkfirst=True)


MIGRATIONS += ((10, _add_shared_tallies),)
SCHEMA_VERSION = max(version for version, _ in MIGRATIONS)


def iso(column: sa.ColumnElement) -> sa.ColumnElement:
    """A date column read as its ISO text, for frames: pandas parses the whole column at once,
    where SQLAlchemy's per-row date conversion was a third of loading 100k statements."""
    return sa.cast(column, sa.String).label(column.name)


def read_frame(conn, query) -> pd.DataFrame:
    """Rows straight from the driver's cursor into pandas: SQLAlchemy's per-row processing was
    40% of loading 100k statements. Values come as the driver returns them (SQLite: booleans
    as 0/1, dates as text), so callers cast the columns they need."""
    result = conn.execute(query)
    return pd.DataFrame.from_records(result.cursor.fetchall(), columns=list(result.keys()))



def dialect_insert(conn: Connection, table: sa.Table):
    """The INSERT of this connection's dialect (PostgreSQL or SQLite): both have ON CONFLICT."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def insert_missing(conn: Connection, table: sa.Table, rows: list[dict], key: str | None = None) -> sa.Insert:
    """INSERT of `rows` that skips those whose primary key (or unique `key`) is already there."""
    return dialect_insert(conn, table).values(rows).on_conflict_do_nothing(index_elements=[key] if key else None)



def now() -> datetime:
    return datetime.now(timezone.utc)

