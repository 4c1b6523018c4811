"""Curation by people: rename, hide, merge and split themes; every edit is recorded, and
merges are replayed after each refit so that curation sticks."""

from __future__ import annotations

import json
from typing import Sequence

import numpy as np
import sqlalchemy as sa

from synth.store import Store
from synth.store import schema as db
from synth.errors import NotFound
from synth.themes.cluster import unit


def _edit(conn, theme_id: int, action: str, payload: dict, who: str) -> None:
    conn.execute(db.theme_edits.insert().values(theme_id=theme_id, action=action, payload=json.dumps(payload),
                                                who=who, at=db.now()))


def _theme(conn, theme_id: int):
    row = conn.execute(sa.select(db.themes).where(db.themes.c.id == theme_id, db.themes.c.active)).first()
    if row is None:
        raise NotFound(f"There is no active theme #{theme_id}. `synth themes` lists them.")
    return row


def rename(store: Store, theme_id: int, label: str, who: str) -> None:
    label = " ".join(label.split())
    if not label:
        raise NotFound("A theme label cannot be empty.")
    with store.engine.begin() as conn:
        old = _theme(conn, theme_id)
        conn.execute(db.themes.update().where(db.themes.c.id == theme_id).values(label=label, label_locked=True))
        _edit(conn, theme_id, "rename", {"from": old.label, "to": label, "was_locked": bool(old.label_locked)}, who)


def hide(store: Store, theme_id: int, who: str, hidden: bool = True) -> None:
    with store.engine.begin() as conn:
        _theme(conn, theme_id)
        conn.execute(db.themes.update().where(db.themes.c.id == theme_id).values(hidden=hidden))
        _edit(conn, theme_id, "hide" if hidden else "unhide", {}, who)


def merge(store: Store, into: int, source: int, who: str) -> None:
    if into == source:
        raise NotFound("A theme cannot be merged into itself.")
    with store.engine.begin() as conn:
        _theme(conn, into), _theme(conn, source)
        moved = _do_merge(conn, into, source, run_id=0)
        _refresh_centroid(conn, into)
        _edit(conn, into, "merge", {"into": into, "source": source, "moved": moved}, who)


def _do_merge(conn, into: int, source: int, run_id: int) -> list[int]:
    """Move the source theme's statements into `into`; returns the statements moved."""
    active = set(conn.execute(sa.select(db.themes.c.id).where(db.themes.c.active)).scalars())
    if into not in active or source not in active:
        return []
    moved = list(conn.execute(sa.select(db.assignments.c.statement_id).where(db.assignments.c.theme_id == source)).scalars())
    conn.execute(db.assignments.update().where(db.assignments.c.theme_id == source).values(theme_id=into, method="curated"))
    conn.execute(db.themes.update().where(db.themes.c.id == source).values(active=False))
    conn.execute(db.theme_lineage.insert().values(run_id=run_id, theme_id=into, source_theme_id=source,
                                                  kind="curated-merge", overlap=1.0))
    return moved


def split(store: Store, theme_id: int, statement_ids: Sequence[int], label: str, who: str) -> int:
    """Move the chosen statements of a theme into a new theme. Their assignment is pinned, so
    refits keep it."""
    with store.engine.begin() as conn:
        _theme(conn, theme_id)
        members = set(conn.execute(sa.select(db.assignments.c.statement_id)
                                   .where(db.assignments.c.theme_id == theme_id)).scalars())
        chosen = [s for s in statement_ids if s in members]
        if not chosen:
            raise NotFound(f"None of the given statements belong to theme #{theme_id}.")
        new_id = (conn.execute(sa.select(sa.func.max(db.themes.c.id))).scalar() or 0) + 1
        conn.execute(db.themes.insert().values(id=new_id, label=label, description=f"Split from theme #{theme_id}.",
                                               keywords="[]", quotes=json.dumps(chosen[:3]), area="", centroid=None,
                                               active=True, hidden=False, label_locked=True, created_run=0, updated_run=0))
        conn.execute(db.assignments.update().where(db.assignments.c.statement_id.in_(chosen))
                     .values(theme_id=new_id, method="curated", pinned=True))
        conn.execute(db.theme_lineage.insert().values(run_id=0, theme_id=new_id, source_theme_id=theme_id,
                                                      kind="curated-split", overlap=len(chosen) / len(members)))
        _edit(conn, new_id, "split", {"from": theme_id, "statements": chosen, "label": label}, who)
        _refresh_centroid(conn, new_id)
        _refresh_centroid(conn, theme_id)
    return new_id


def undone_edits(conn) -> set[int]:
    """Ids of edits that a later "undo" edit reversed."""
    rows = conn.execute(sa.select(db.theme_edits.c.payload).where(db.theme_edits.c.action == "undo")).scalars()
    return {json.loads(p)["edit"] for p in rows}


def undo(store: Store, edit_id: int, who: str) -> str:
    """Reverse one edit from the history; recorded as an edit itself. Returns what was done."""
    with store.engine.begin() as conn:
        e = conn.execute(sa.select(db.theme_edits).where(db.theme_edits.c.id == edit_id)).first()
        if e is None or e.action == "undo":
            raise NotFound(f"There is no edit #{edit_id} to undo. `synth edits` lists them.")
        if edit_id in undone_edits(conn):
            raise NotFound(f"Edit #{edit_id} was already undone.")
        p = json.loads(e.payload)
        if e.action == "rename":
            conn.execute(db.themes.update().where(db.themes.c.id == e.theme_id).values(
                label=p["from"], label_locked=bool(p.get("was_locked", False))))
            done = f"Theme #{e.theme_id} is called \"{p['from']}\" again."
        elif e.action in ("hide", "unhide"):
            conn.execute(db.themes.update().where(db.themes.c.id == e.theme_id).values(hidden=e.action == "unhide"))
            done = f"Theme #{e.theme_id} is {'hidden' if e.action == 'unhide' else 'shown'} again."
        elif e.action == "merge":
            if "moved" not in p:
                raise NotFound(f"Edit #{edit_id} is a merge made before merges recorded what they moved; "
                               f"split the statements off theme #{p['into']} instead.")
            conn.execute(db.themes.update().where(db.themes.c.id == p["source"]).values(active=True))
            conn.execute(db.assignments.update().where(db.assignments.c.statement_id.in_(p["moved"]),
                                                       db.assignments.c.theme_id == p["into"])
                         .values(theme_id=p["source"], method="curated"))
            _refresh_centroid(conn, p["source"]), _refresh_centroid(conn, p["into"])
            done = f"Theme #{p['source']} is separate from #{p['into']} again."
        elif e.action == "split":
            back = p["from"] if conn.execute(sa.select(db.themes.c.active).where(db.themes.c.id == p["from"])).scalar() else None
            conn.execute(db.assignments.update().where(db.assignments.c.statement_id.in_(p["statements"]),
                                                       db.assignments.c.theme_id == e.theme_id)
                         .values(theme_id=back, method="curated", pinned=False))
            conn.execute(db.themes.update().where(db.themes.c.id == e.theme_id).values(active=False))
            if back is not None:
                _refresh_centroid(conn, back)
            done = f"The statements split off into #{e.theme_id} are back in #{p['from']}." if back is not None else \
                f"Theme #{e.theme_id} is gone; its statements are unthemed until the next fit."
        else:
            raise NotFound(f"Edit #{edit_id} ({e.action}) cannot be undone.")
        _edit(conn, e.theme_id, "undo", {"edit": edit_id, "action": e.action}, who)
    return done


def _refresh_centroid(conn, theme_id: int) -> None:
    rows = conn.execute(sa.select(db.embeddings.c.vector)
                        .select_from(db.assignments.join(db.statements, db.statements.c.id == db.assignments.c.statement_id)
                                     .join(db.embeddings, db.embeddings.c.text_hash == db.statements.c.text_hash))
                        .where(db.assignments.c.theme_id == theme_id)).scalars().all()
    if rows:
        c = unit(np.vstack([np.frombuffer(r, dtype=np.float32) for r in rows]).mean(axis=0))
        conn.execute(db.themes.update().where(db.themes.c.id == theme_id).values(centroid=c.tobytes()))


def edits(store: Store):
    import pandas as pd

    with store.engine.connect() as conn:
        return pd.read_sql(sa.select(db.theme_edits).order_by(db.theme_edits.c.id.desc()), conn)


def lineage(store: Store, theme_id: int):
    import pandas as pd

    with store.engine.connect() as conn:
        return pd.read_sql(sa.select(db.theme_lineage).where(db.theme_lineage.c.theme_id == theme_id)
                           .order_by(db.theme_lineage.c.id), conn)

