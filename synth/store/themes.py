"""Themes: fits, assignments, curation and lineage.

Two kinds of door. `Themes` methods open their own transaction (what pages, the CLI and
curation call). The module-level functions take a connection, so that the pipeline
(synth/pipeline.py) can compose several of them into the one transaction a fit or an
import needs: a fit writes its run, themes, assignments and lineage at once, or nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from synth.errors import NotFound, UsageError
from synth.store.statements import shown
from synth.store.schema import assignments, embeddings, notes, now, runs, statements, theme_edits, theme_lineage, themes


class Themes:
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

    def theme_labels(self) -> dict[int, str]:
        """The last label of every theme there has been, active or not: what history names a
        theme by after a merge or refit ended it (`themes_frame` holds the active ones only)."""
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.select(themes.c.id, themes.c.label)).all())

    def themes_created_since(self, when: datetime | None) -> list[int]:
        q = (sa.select(themes.c.id).join(runs, runs.c.id == themes.c.created_run)
             .where(themes.c.active, sa.not_(themes.c.hidden)))
        if when is not None:
            q = q.where(runs.c.finished_at > when)
        with self.engine.connect() as conn:
            return list(conn.execute(q).scalars())

    # ---- curation: every edit is recorded, in the same transaction as the change ----------
    def rename_theme(self, theme_id: int, label: str, who: str) -> None:
        with self.engine.begin() as conn:
            old = _active_theme(conn, theme_id)
            conn.execute(themes.update().where(themes.c.id == theme_id).values(label=label, label_locked=True))
            _rename_area(conn, old.label, label)
            _record_edit(conn, theme_id, "rename", {"from": old.label, "to": label, "was_locked": bool(old.label_locked)}, who)

    def hide_theme(self, theme_id: int, who: str, hidden: bool = True) -> None:
        with self.engine.begin() as conn:
            _active_theme(conn, theme_id)
            conn.execute(themes.update().where(themes.c.id == theme_id).values(hidden=hidden))
            _record_edit(conn, theme_id, "hide" if hidden else "unhide", {}, who)

    def merge_themes(self, into: int, source: int, who: str) -> None:
        with self.engine.begin() as conn:
            _active_theme(conn, into), _active_theme(conn, source)
            moved = merge_into(conn, into, source, run_id=0)
            refresh_centroid(conn, into)
            _record_edit(conn, into, "merge", {"into": into, "source": source, "moved": moved}, who)

    def split_theme(self, theme_id: int, statement_ids: Sequence[int], label: str, who: str) -> int:
        """Move the chosen statements of a theme into a new theme, pinned so refits keep them."""
        with self.engine.begin() as conn:
            _active_theme(conn, theme_id)
            members = set(conn.execute(sa.select(assignments.c.statement_id)
                                       .where(assignments.c.theme_id == theme_id)).scalars())
            chosen = [s for s in statement_ids if s in members]
            if not chosen:
                raise NotFound(f"None of the given statements belong to theme #{theme_id}.")
            if len(chosen) == len(members):  # it would leave an empty theme behind
                raise UsageError(f"That is every statement of theme #{theme_id}: rename the theme instead, or leave "
                                 "some of its statements behind.")
            new_id = max_theme_id(conn) + 1
            conn.execute(themes.insert().values(id=new_id, label=label, description=f"Split from theme #{theme_id}.",
                                                keywords="[]", quotes=json.dumps(chosen[:3]), area="", centroid=None,
                                                active=True, hidden=False, label_locked=True, created_run=0, updated_run=0))
            conn.execute(assignments.update().where(assignments.c.statement_id.in_(chosen))
                         .values(theme_id=new_id, method="curated", pinned=True))
            conn.execute(theme_lineage.insert().values(run_id=0, theme_id=new_id, source_theme_id=theme_id,
                                                       kind="curated-split", overlap=len(chosen) / len(members)))
            _record_edit(conn, new_id, "split", {"from": theme_id, "statements": chosen, "label": label}, who)
            refresh_centroid(conn, new_id)
            refresh_centroid(conn, theme_id)
        return new_id

    def undo_theme_edit(self, edit_id: int, who: str) -> str:
        """Reverse one edit from the history; recorded as an edit itself. Returns what was done."""
        with self.engine.begin() as conn:
            e = conn.execute(sa.select(theme_edits).where(theme_edits.c.id == edit_id)).first()
            if e is None or e.action == "undo":
                raise NotFound(f"There is no edit #{edit_id} to undo. `synth edits` lists them.")
            if edit_id in undone_edits(conn):
                raise NotFound(f"Edit #{edit_id} was already undone.")
            p = json.loads(e.payload)
            if e.action == "rename":
                conn.execute(themes.update().where(themes.c.id == e.theme_id).values(
                    label=p["from"], label_locked=bool(p.get("was_locked", False))))
                _rename_area(conn, p["to"], p["from"])
                done = f"Theme #{e.theme_id} is called \"{p['from']}\" again."
            elif e.action in ("hide", "unhide"):
                conn.execute(themes.update().where(themes.c.id == e.theme_id).values(hidden=e.action == "unhide"))
                done = f"Theme #{e.theme_id} is {'hidden' if e.action == 'unhide' else 'shown'} again."
            elif e.action == "merge":
                if "moved" not in p:
                    raise NotFound(f"Edit #{edit_id} is a merge made before merges recorded what they moved; "
                                   f"split the statements off theme #{p['into']} instead.")
                conn.execute(themes.update().where(themes.c.id == p["source"]).values(active=True))
                conn.execute(assignments.update().where(assignments.c.statement_id.in_(p["moved"]),
                                                        assignments.c.theme_id == p["into"])
                             .values(theme_id=p["source"], method="curated"))
                refresh_centroid(conn, p["source"]), refresh_centroid(conn, p["into"])
                done = f"Theme #{p['source']} is separate from #{p['into']} again."
            elif e.action == "split":
                back = p["from"] if conn.execute(sa.select(themes.c.active).where(themes.c.id == p["from"])).scalar() else None
                conn.execute(assignments.update().where(assignments.c.statement_id.in_(p["statements"]),
                                                        assignments.c.theme_id == e.theme_id)
                             .values(theme_id=back, method="curated", pinned=False))
                conn.execute(themes.update().where(themes.c.id == e.theme_id).values(active=False))
                if back is not None:
                    refresh_centroid(conn, back)
                done = f"The statements split off into #{e.theme_id} are back in #{p['from']}." if back is not None else \
                    f"Theme #{e.theme_id} is gone; its statements are unthemed until the next fit."
            else:
                raise NotFound(f"Edit #{edit_id} ({e.action}) cannot be undone.")
            _record_edit(conn, e.theme_id, "undo", {"edit": edit_id, "action": e.action}, who)
        return done

    def themes_moved_since(self, after: int | None, upto: int) -> set[int | None]:
        """The themes whose statements the curation edits after edit `after` (from the first
        when None), up to `upto`, moved: both themes of a merge or a split, and of an edit an
        undo reverses; None where undoing a split may leave statements unthemed."""
        moving = theme_edits.c.action.in_(["merge", "split", "undo"])
        q = sa.select(theme_edits).where(moving, theme_edits.c.id <= upto)
        if after is not None:
            q = q.where(theme_edits.c.id > after)
        out: set[int | None] = set()
        with self.engine.connect() as conn:
            for e in conn.execute(q).all():
                payload = json.loads(e.payload)
                if e.action == "undo":
                    e = conn.execute(sa.select(theme_edits).where(theme_edits.c.id == payload["edit"])).one()
                    payload = json.loads(e.payload)
                    out |= {None} if e.action == "split" else set()
                if e.action == "merge":
                    out |= {payload["into"], payload["source"]}
                elif e.action == "split":
                    out |= {e.theme_id, payload["from"]}
        return out

    def theme_edits(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(sa.select(theme_edits).order_by(theme_edits.c.id.desc()), conn)

    def theme_heir(self, theme_id: int) -> int | None:
        """The active theme an inactive one went into, through merges (a curator's or a
        refit's) one after another, or None (still active, dissolved, or never a theme): where
        an old link to it should lead."""
        with self.engine.connect() as conn:
            active = set(conn.execute(sa.select(themes.c.id).where(themes.c.active)).scalars())
            seen, current = set(), theme_id
            while current not in active and current not in seen:
                seen.add(current)
                current = merged_into_last(conn, current)
                if current is None:
                    return None
        return current if current != theme_id else None

    def theme_lineage(self, theme_id: int) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(sa.select(theme_lineage).where(theme_lineage.c.theme_id == theme_id)
                               .order_by(theme_lineage.c.id), conn)

    # ---- what a fit starts from -------------------------------------------------------
    def fit_snapshot(self) -> tuple[list[tuple[int, str, tuple[str, ...], str]], set[str], dict[int, set[int]]]:
        """What a fit reads, at one moment: the issue statements (id, text, keyphrases,
        partner), the place names (offices and regions, kept out of labels), and each
        theme's current statements (so a refit keeps ids)."""
        with self.engine.connect() as conn:
            items = issue_statements(conn)
            places = set(conn.execute(sa.select(notes.c.office).distinct()).scalars()) | set(
                conn.execute(sa.select(notes.c.region).distinct()).scalars())
            current: dict[int, set[int]] = {}
            for r in conn.execute(sa.select(assignments.c.statement_id, assignments.c.theme_id)
                                  .where(assignments.c.theme_id.is_not(None))).all():
                current.setdefault(r.theme_id, set()).add(r.statement_id)
        return items, places - {None}, current


# ---- the parts of a fit's or an import's transaction ----------------------------------------
def issue_statements(conn: Connection) -> list[tuple[int, str, tuple[str, ...], str]]:
    rows = conn.execute(shown(sa.select(statements.c.id, statements.c.text, statements.c.keyphrases, notes.c.partner_key)
                              .join(notes, notes.c.id == statements.c.note_id)
                              .where(statements.c.is_issue).order_by(statements.c.id))).all()
    return [(r.id, r.text, tuple(json.loads(r.keyphrases)), r.partner_key) for r in rows]


def start_run(conn: Connection, kind: str, started: datetime, done: bool = False) -> int:
    return conn.execute(runs.insert().values(kind=kind, started_at=started, finished_at=now() if done else None,
                                             status="done" if done else "running", params="{}")
                        .returning(runs.c.id)).scalar_one()


def finish_run(conn: Connection, run_id: int, model_dir: str, params: dict) -> None:
    conn.execute(runs.update().where(runs.c.id == run_id).values(status="done", finished_at=now(), model_dir=model_dir,
                                                                 params=json.dumps(params)))


def last_fit_params(conn: Connection) -> dict:
    params = conn.execute(sa.select(runs.c.params).where(runs.c.kind == "fit", runs.c.status == "done")
                          .order_by(runs.c.id.desc()).limit(1)).scalar()
    return json.loads(params) if params else {}


def max_theme_id(conn: Connection) -> int:
    return conn.execute(sa.select(sa.func.max(themes.c.id))).scalar() or 0


def _rename_area(conn: Connection, old: str, new: str) -> None:
    """An area is named after its largest theme; when that theme is renamed, so is the area."""
    conn.execute(themes.update().where(themes.c.active, themes.c.area == old).values(area=new))


def active_labels(conn: Connection) -> dict[int, str]:
    return dict(conn.execute(sa.select(themes.c.id, themes.c.label).where(themes.c.active)).all())


def write_fit(conn: Connection, fitted: Sequence[dict], assignment: dict[int, tuple[int | None, float]],
              lineage: list[dict], run_id: int) -> None:
    """A fit's themes (dicts of id, label, description, keywords, quotes, area, centroid) become
    the active ones; a label a person chose is kept. Only the statements this fit computed are
    rewritten: one imported while the fit ran keeps its assignment (re-checked by
    `reassign_orphans`), a pinned (curated) one stays, and one whose import was undone meanwhile
    is gone."""
    old = {r.id: r for r in conn.execute(sa.select(themes)).all()}
    conn.execute(themes.update().values(active=False))
    kept = {t["id"]: old[t["id"]].label for t in fitted if t["id"] in old and old[t["id"]].label_locked}
    # an area is named after its largest theme: after the label that theme keeps
    area_names = {t["label"]: kept.get(t["id"], t["label"]) for t in fitted}
    for t in fitted:
        values = dict(label=kept.get(t["id"], t["label"]),
                      description=t["description"], keywords=json.dumps(t["keywords"]), quotes=json.dumps(t["quotes"]),
                      area=area_names.get(t["area"], t["area"]), centroid=np.asarray(t["centroid"], dtype=np.float32).tobytes(), active=True,
                      provisional=False, updated_run=run_id)
        if t["id"] not in old:
            conn.execute(themes.insert().values(id=t["id"], hidden=False, label_locked=False, created_run=run_id, **values))
        else:
            conn.execute(themes.update().where(themes.c.id == t["id"]).values(**values))
    # A theme split off by hand has no counterpart in the fit, but its pinned statements stay with it.
    conn.execute(themes.update().where(themes.c.id.in_(
        sa.select(assignments.c.theme_id).where(assignments.c.pinned))).values(active=True))
    pinned = set(conn.execute(sa.select(assignments.c.statement_id).where(assignments.c.pinned)).scalars())
    present = set(conn.execute(sa.select(statements.c.id)).scalars())
    rows = [dict(statement_id=s, theme_id=t, run_id=run_id, score=sim, method="fit", pinned=False)
            for s, (t, sim) in assignment.items() if s not in pinned and s in present]
    for i in range(0, len(rows), 5000):
        chunk = rows[i:i + 5000]
        conn.execute(assignments.delete().where(assignments.c.statement_id.in_([r["statement_id"] for r in chunk])))
        conn.execute(assignments.insert(), chunk)
    if lineage:
        conn.execute(theme_lineage.insert(), [dict(run_id=run_id, **row) for row in lineage])


def replay_merges(conn: Connection, run_id: int) -> None:
    """Merges made by people, re-applied after a refit so curation sticks. The refit starts from
    the merged theme as one, but may cut it again, most often along the curator's line: the
    part that keeps the id is the merged theme, and the parts this run split off it go back into
    it. (Found in Chromium: the merged-away id no longer existed after such a cut, so replaying
    the merge by it did nothing and the two themes were back on the home page.)"""
    undone = undone_edits(conn)
    for e in conn.execute(sa.select(theme_edits).where(theme_edits.c.action == "merge").order_by(theme_edits.c.id)).all():
        if e.id not in undone:
            p = json.loads(e.payload)
            merge_into(conn, p["into"], p["source"], run_id)
            # New themes of this run made mostly of the merged theme's statements: a theme that
            # continues another, or a new one that only took a few of them, is left as it is.
            cut_off = conn.execute(sa.select(theme_lineage.c.theme_id).join(themes, themes.c.id == theme_lineage.c.theme_id)
                                   .where(theme_lineage.c.run_id == run_id, theme_lineage.c.kind == "split",
                                          theme_lineage.c.source_theme_id == p["into"], theme_lineage.c.overlap >= 0.5,
                                          themes.c.active, themes.c.created_run == run_id)).scalars().all()
            for piece in sorted(set(cut_off)):
                merge_into(conn, p["into"], piece, run_id)
    for tid in conn.execute(sa.select(themes.c.id).where(themes.c.active)).scalars().all():
        refresh_centroid(conn, tid)


def merge_into(conn: Connection, into: int, source: int, run_id: int) -> list[int]:
    """Move the source theme's statements into `into`; returns the statements moved."""
    active = set(conn.execute(sa.select(themes.c.id).where(themes.c.active)).scalars())
    if into not in active or source not in active:
        return []
    moved = list(conn.execute(sa.select(assignments.c.statement_id).where(assignments.c.theme_id == source)).scalars())
    conn.execute(assignments.update().where(assignments.c.theme_id == source).values(theme_id=into, method="curated"))
    conn.execute(themes.update().where(themes.c.id == source).values(active=False))
    conn.execute(theme_lineage.insert().values(run_id=run_id, theme_id=into, source_theme_id=source,
                                               kind="curated-merge", overlap=1.0))
    return moved


def merged_into_last(conn: Connection, theme_id: int, among: set[int] | None = None) -> int | None:
    """The theme that `theme_id` was last merged into (by a curator or a refit), optionally only
    among `among`; None if it never was."""
    q = sa.select(theme_lineage.c.theme_id).where(
        theme_lineage.c.source_theme_id == theme_id, theme_lineage.c.kind.in_(("merge", "curated-merge")),
        theme_lineage.c.theme_id != theme_id)
    if among is not None:
        q = q.where(theme_lineage.c.theme_id.in_(among))
    return conn.execute(q.order_by(theme_lineage.c.id.desc(), theme_lineage.c.overlap.desc()).limit(1)).scalar()


def undone_edits(conn: Connection) -> set[int]:
    """Ids of edits that a later "undo" edit reversed."""
    rows = conn.execute(sa.select(theme_edits.c.payload).where(theme_edits.c.action == "undo")).scalars()
    return {json.loads(p)["edit"] for p in rows}


def refresh_centroid(conn: Connection, theme_id: int) -> None:
    """A theme's centre, from its statements' cached vectors. A store that changed embedding
    model caches vectors of both: the centre is taken in the model most of them have, never a
    mean across two models' spaces."""
    # Summed a block of rows at a time: a merge into a theme of 600k statements held all their
    # vectors at once, a 4 GB peak in the server that ran it.
    result = conn.execute(  # options on the statement: on the connection they would hold for the UPDATE too
        sa.select(embeddings.c.model, embeddings.c.vector)
        .select_from(assignments.join(statements, statements.c.id == assignments.c.statement_id)
                     .join(embeddings, embeddings.c.text_hash == statements.c.text_hash))
        .where(assignments.c.theme_id == theme_id).execution_options(stream_results=True, yield_per=20_000))
    sums: dict[str, np.ndarray] = {}
    counts: Counter = Counter()
    for block in result.partitions():
        for model in {r.model for r in block}:
            mine = [r.vector for r in block if r.model == model]
            vectors = np.frombuffer(b"".join(mine), dtype=np.float32).reshape(len(mine), -1)
            sums[model] = sums.get(model, 0) + vectors.sum(axis=0, dtype=np.float64)
            counts[model] += len(vectors)
    if counts:
        model = counts.most_common(1)[0][0]
        mean = sums[model] / counts[model]
        c = (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
        conn.execute(themes.update().where(themes.c.id == theme_id).values(centroid=c.tobytes()))


def active_centroids(conn: Connection, dim: int = 384) -> tuple[list[int], np.ndarray]:
    """Ids and centroid rows of the active themes that have a centroid."""
    rows = conn.execute(sa.select(themes.c.id, themes.c.centroid)
                        .where(themes.c.active, themes.c.centroid.is_not(None))).all()
    cents = np.vstack([np.frombuffer(r.centroid, dtype=np.float32) for r in rows]) if rows else np.zeros((0, dim), np.float32)
    return [r.id for r in rows], cents


def orphans(conn: Connection, model_id: str) -> list:
    """Unpinned statements assigned to an inactive theme, with their vector in this model (None if not cached)."""
    return conn.execute(
        sa.select(assignments.c.statement_id, embeddings.c.vector)
        .select_from(assignments.join(themes, themes.c.id == assignments.c.theme_id)
                     .join(statements, statements.c.id == assignments.c.statement_id)
                     .outerjoin(embeddings, sa.and_(embeddings.c.text_hash == statements.c.text_hash,
                                                    embeddings.c.model == model_id)))
        .where(sa.not_(themes.c.active), sa.not_(assignments.c.pinned))).all()


def set_assignment(conn: Connection, statement_id: int, theme_id: int | None, score: float, run_id: int,
                   method: str) -> None:
    values = dict(theme_id=theme_id, score=float(score), run_id=run_id, method=method)
    if method == "fit":
        values["pinned"] = False
    conn.execute(assignments.update().where(assignments.c.statement_id == statement_id).values(**values))


def statement_texts(conn: Connection, ids: Sequence[int]) -> list:
    return conn.execute(sa.select(statements.c.id, statements.c.text).where(statements.c.id.in_(list(ids)))).all()


def add_assignments(conn: Connection, rows: Iterable[tuple[int, int | None, float]], run_id: int, method: str) -> None:
    conn.execute(assignments.insert(), [dict(statement_id=s, theme_id=t, run_id=run_id, score=score, method=method,
                                             pinned=False) for s, t, score in rows])


def assignment_state(conn: Connection, ids: Sequence[int]) -> list:
    """(theme_id, method) of each of these statements."""
    return conn.execute(sa.select(assignments.c.theme_id, assignments.c.method)
                        .where(assignments.c.statement_id.in_(list(ids)))).all()


def unthemed_recent(conn: Connection, model_id: str, limit: int, also: Sequence[int] = ()) -> list:
    """The most recent unthemed issue statements that arrived since the last fit (a fit that
    left a statement unthemed has judged it), and the statements `also` names whatever their
    theme, that have a vector in this model: with their note's scope, theme and score."""
    pool = sa.and_(assignments.c.theme_id.is_(None), assignments.c.method != "fit")
    if also:
        pool = sa.or_(pool, assignments.c.statement_id.in_(list(also)))
    return conn.execute(
        sa.select(statements.c.id, statements.c.text, statements.c.keyphrases, notes.c.partner_key,
                  notes.c.office, notes.c.region, embeddings.c.vector, assignments.c.theme_id, assignments.c.score)
        .select_from(assignments.join(statements, statements.c.id == assignments.c.statement_id)
                     .join(notes, notes.c.id == statements.c.note_id)
                     .join(embeddings, sa.and_(embeddings.c.text_hash == statements.c.text_hash,
                                               embeddings.c.model == model_id)))
        .where(pool, statements.c.is_issue)
        .order_by(statements.c.id.desc()).limit(limit)).all()


def closest_member(conn: Connection, theme_ids: Sequence[int], model_id: str, X: np.ndarray,
                   exclude: Sequence[int] = (), block: int = 20_000) -> np.ndarray:
    """For each unit row of `X`, its highest cosine similarity to a statement of these themes
    (this model's cached vectors, less the statements `exclude` names); 0 where they have
    none. Each distinct text read once, `block` at a time: at a million statements two themes
    hold 100k or more, whose vectors read at once peaked an import at 2.5 GB."""
    texts = (sa.select(statements.c.text_hash).join(assignments, assignments.c.statement_id == statements.c.id)
             .where(assignments.c.theme_id.in_([int(t) for t in theme_ids])))
    if exclude:
        texts = texts.where(assignments.c.statement_id.not_in(list(exclude)))
    q = (sa.select(embeddings.c.vector).where(embeddings.c.model == model_id, embeddings.c.text_hash.in_(texts))
         .execution_options(stream_results=True, yield_per=block))
    best = None
    for vectors in conn.execute(q).scalars().partitions():
        old = np.frombuffer(b"".join(vectors), dtype=np.float32).reshape(len(vectors), -1)
        old = old / np.maximum(np.linalg.norm(old, axis=1, keepdims=True), 1e-12)
        near = (X @ old.T).max(axis=1)
        best = near if best is None else np.maximum(best, near)
    return np.zeros(len(X), dtype=np.float32) if best is None else best


def typical_member_similarity(conn: Connection) -> float | None:
    """The median similarity of the last fit's themed statements to their theme's centre: how
    alike a theme's members are."""
    scores = conn.execute(sa.select(assignments.c.score).where(assignments.c.method == "fit",
                                                               assignments.c.theme_id.is_not(None))).scalars().all()
    return float(np.median(scores)) if scores else None


def add_provisional_theme(conn: Connection, theme_id: int, label: str, description: str, keywords: list[str],
                          quotes: list[int], centroid: np.ndarray, run_id: int) -> None:
    conn.execute(themes.insert().values(
        id=theme_id, label=label, description=description, keywords=json.dumps(keywords), quotes=json.dumps(quotes),
        area=label, centroid=np.asarray(centroid, dtype=np.float32).tobytes(), active=True, hidden=False,
        label_locked=False, provisional=True, created_run=run_id, updated_run=run_id))


def assigned_by_import(conn: Connection, ids: Sequence[int], model_id: str) -> list:
    """Those of these statements that an import joined to a theme: (statement_id, score, vector)."""
    return conn.execute(
        sa.select(assignments.c.statement_id, assignments.c.score, embeddings.c.vector)
        .select_from(assignments.join(statements, statements.c.id == assignments.c.statement_id)
                     .join(embeddings, sa.and_(embeddings.c.text_hash == statements.c.text_hash,
                                               embeddings.c.model == model_id)))
        .where(assignments.c.statement_id.in_(list(ids)), assignments.c.method == "assign",
               assignments.c.theme_id.is_not(None))).all()


def _active_theme(conn: Connection, theme_id: int):
    row = conn.execute(sa.select(themes).where(themes.c.id == theme_id, themes.c.active)).first()
    if row is None:
        raise NotFound(f"There is no active theme #{theme_id}. `synth themes` lists them.")
    return row


def _record_edit(conn: Connection, theme_id: int, action: str, payload: dict, who: str) -> None:
    conn.execute(theme_edits.insert().values(theme_id=theme_id, action=action, payload=json.dumps(payload),
                                             who=who, at=now()))
