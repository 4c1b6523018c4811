"""Curation by people: rename, hide, merge and split themes; every edit is recorded, and
merges are replayed after each refit so that curation sticks."""

from __future__ import annotations

import json
from typing import Sequence

import numpy as np
import sqlalchemy as sa

from synth import store as db
from synth.errors import NotFound
from synth.themes.cluster import unit


def _edit(conn, theme_id: int, action: str, payload: dict, who: str) -> None:  # noqa: ANN001
    conn.execute(db.theme_edits.insert().values(theme_id=theme_id, action=action, payload=json.dumps(payload),
                                                who=who, at=db.now()))


def _theme(conn, theme_id: int):  # noqa: ANN001, ANN202
    row = conn.execute(sa.select(db.themes).where(db.themes.c.id == theme_id, db.themes.c.active)).first()
    if row is None:
        raise NotFound(f"There is no active theme #{theme_id}. `synth themes` lists them.")
    return row


def rename(store: db.Store, theme_id: int, label: str, who: str) -> None:
    label = " ".join(label.split())
    if not label:
        raise NotFound("A theme label cannot be empty.")
    with store.engine.begin() as conn:
        old = _theme(conn, theme_id)
        conn.execute(db.themes.update().where(db.themes.c.id == theme_id).values(label=label, label_locked=True))
        _edit(conn, theme_id, "rename", {"from": old.label, "to": label}, who)


def hide(store: db.Store, theme_id: int, who: str, hidden: bool = True) -> None:
    with store.engine.begin() as conn:
        _theme(conn, theme_id)
        conn.execute(db.themes.update().where(db.themes.c.id == theme_id).values(hidden=hidden))
        _edit(conn, theme_id, "hide" if hidden else "unhide", {}, who)


def merge(store: db.Store, into: int, source: int, who: str) -> None:
    if into == source:
        raise NotFound("A theme cannot be merged into itself.")
    with store.engine.begin() as conn:
        _theme(conn, into), _theme(conn, source)
        _do_merge(conn, into, source, run_id=0)
        _refresh_centroid(conn, into)
        _edit(conn, into, "merge", {"into": into, "source": source}, who)


def _do_merge(conn, into: int, source: int, run_id: int) -> None:  # noqa: ANN001
    active = set(conn.execute(sa.select(db.themes.c.id).where(db.themes.c.active)).scalars())
    if into not in active or source not in active:
        return
    conn.execute(db.assignments.update().where(db.assignments.c.theme_id == source).values(theme_id=into, method="curated"))
    conn.execute(db.themes.update().where(db.themes.c.id == source).values(active=False))
    conn.execute(db.theme_lineage.insert().values(run_id=run_id, theme_id=into, source_theme_id=source,
                                                  kind="curated-merge", overlap=1.0))


def split(store: db.Store, theme_id: int, statement_ids: Sequence[int], label: str, who: str) -> int:
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


def _refresh_centroid(conn, theme_id: int) -> None:  # noqa: ANN001
    rows = conn.execute(sa.select(db.embeddings.c.vector)
                        .select_from(db.assignments.join(db.statements, db.statements.c.id == db.assignments.c.statement_id)
                                     .join(db.embeddings, db.embeddings.c.text_hash == db.statements.c.text_hash))
                        .where(db.assignments.c.theme_id == theme_id)).scalars().all()
    if rows:
        c = unit(np.vstack([np.frombuffer(r, dtype=np.float32) for r in rows]).mean(axis=0))
        conn.execute(db.themes.update().where(db.themes.c.id == theme_id).values(centroid=c.tobytes()))


def edits(store: db.Store):  # noqa: ANN201
    import pandas as pd

    with store.engine.connect() as conn:
        return pd.read_sql(sa.select(db.theme_edits).order_by(db.theme_edits.c.id.desc()), conn)


def lineage(store: db.Store, theme_id: int):  # noqa: ANN201
    import pandas as pd

    with store.engine.connect() as conn:
        return pd.read_sql(sa.select(db.theme_lineage).where(db.theme_lineage.c.theme_id == theme_id)
                           .order_by(db.theme_lineage.c.id), conn)

