"""The theme engine against the store: a whole refit persisted, and new statements assigned to
existing themes at import. (The SQL itself still lives here and in curation.py; moving it into
the store is open work, see issue "One house, one door per room".)"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from synth import store as db
from synth.embed import Embedder, default_embedder, embed_cached
from synth.themes.cluster import assign, unit
from synth.themes.curation import _do_merge, _refresh_centroid
from synth.themes.fit import fit_themes
from synth.themes.identity import match_to_previous
from synth.themes.model_files import save_model
from synth.themes.records import FitResult, ThemeInput


def _issue_inputs(conn) -> list[ThemeInput]:  # noqa: ANN001
    rows = conn.execute(sa.select(db.statements.c.id, db.statements.c.text, db.statements.c.keyphrases,
                                  db.notes.c.partner_key)
                        .join(db.notes, db.notes.c.id == db.statements.c.note_id)
                        .where(db.statements.c.is_issue).order_by(db.statements.c.id)).all()
    return [ThemeInput(r.id, r.text, tuple(json.loads(r.keyphrases)), r.partner_key) for r in rows]


def fit_and_store(store: db.Store, settings, who: str = "cli", progress=None, embedder: Embedder | None = None) -> dict:  # noqa: ANN001
    say = progress or (lambda *_: None)
    embedder = embedder or default_embedder(settings.cache_dir)
    with store.engine.connect() as conn:
        items = _issue_inputs(conn)
        places = set(conn.execute(sa.select(db.notes.c.office).distinct()).scalars()) | set(
            conn.execute(sa.select(db.notes.c.region).distinct()).scalars())
        previous: dict[int, set[int]] = {}
        for r in conn.execute(sa.select(db.assignments.c.statement_id, db.assignments.c.theme_id)
                              .where(db.assignments.c.theme_id.is_not(None))).all():
            previous.setdefault(r.theme_id, set()).add(r.statement_id)
    say("embed", 0, len(items))
    vectors = embed_cached(store, embedder, [i.text for i in items])
    say("embed", len(items), len(items))
    with store.engine.begin() as conn:
        run_id = conn.execute(db.runs.insert().values(kind="fit", started_at=db.now(), status="running",
                                                      params=json.dumps({"seed": settings.seed})).returning(db.runs.c.id)).scalar_one()
    result = fit_themes(items, vectors, seed=settings.seed, embedder=embedder,
                        n_quotes=settings.quotes_per_theme,
                        anchors=list(previous.values()), places=places - {None}, progress=say)
    with store.engine.begin() as conn:
        max_id = conn.execute(sa.select(sa.func.max(db.themes.c.id))).scalar() or 0
        result, lineage = match_to_previous(result, previous, next_id=max_id + 1)
        model_dir = save_model(Path(settings.models_dir), result, run_id, embedder.model_id)
        _write_fit(conn, result, lineage, run_id)
        _replay_curation(conn, run_id)
        _reassign_orphans(conn, run_id, result.params["assign_threshold"])
        conn.execute(db.runs.update().where(db.runs.c.id == run_id).values(
            status="done", finished_at=db.now(), model_dir=str(model_dir),
            params=json.dumps({**result.params, "themes": len(result.themes)})))
    unthemed = sum(1 for t, _ in result.assignment.values() if t is None)
    return dict(run_id=run_id, themes=len(result.themes), statements=len(items), unthemed=unthemed, model_dir=str(model_dir))


def _write_fit(conn, result: FitResult, lineage: list[dict], run_id: int) -> None:  # noqa: ANN001
    old = {r.id: r for r in conn.execute(sa.select(db.themes)).all()}
    conn.execute(db.themes.update().values(active=False))
    for t in result.themes:
        prev = old.get(t.id)
        values = dict(label=prev.label if prev is not None and prev.label_locked else t.label,
                      description=t.description, keywords=json.dumps(t.keywords), quotes=json.dumps(t.quotes),
                      area=t.area, centroid=t.centroid.tobytes(), active=True, updated_run=run_id)
        if prev is None:
            conn.execute(db.themes.insert().values(id=t.id, hidden=False, label_locked=False, created_run=run_id, **values))
        else:
            conn.execute(db.themes.update().where(db.themes.c.id == t.id).values(**values))
    # A theme split off by hand has no counterpart in the fit, but its pinned statements stay
    # with it: it stays active.
    conn.execute(db.themes.update().where(db.themes.c.id.in_(
        sa.select(db.assignments.c.theme_id).where(db.assignments.c.pinned))).values(active=True))
    # Only the statements this fit computed are rewritten: one imported while the fit ran keeps
    # its assignment (re-checked by _reassign_orphans), and a pinned (curated) one stays.
    pinned = set(conn.execute(sa.select(db.assignments.c.statement_id).where(db.assignments.c.pinned)).scalars())
    rows = [dict(statement_id=s, theme_id=t, run_id=run_id, score=sim, method="fit", pinned=False)
            for s, (t, sim) in result.assignment.items() if s not in pinned]
    for i in range(0, len(rows), 5000):
        chunk = rows[i:i + 5000]
        conn.execute(db.assignments.delete().where(db.assignments.c.statement_id.in_([r["statement_id"] for r in chunk])))
        conn.execute(db.assignments.insert(), chunk)
    if lineage:
        conn.execute(db.theme_lineage.insert(), [dict(run_id=run_id, **row) for row in lineage])


def _replay_curation(conn, run_id: int) -> None:  # noqa: ANN001
    """Merges made by people are re-applied after every refit, so curation sticks."""
    edits = conn.execute(sa.select(db.theme_edits).where(db.theme_edits.c.action == "merge").order_by(db.theme_edits.c.id)).all()
    for e in edits:
        p = json.loads(e.payload)
        _do_merge(conn, p["into"], p["source"], run_id)
    for tid in conn.execute(sa.select(db.themes.c.id).where(db.themes.c.active)).scalars():
        _refresh_centroid(conn, tid)


def _reassign_orphans(conn, run_id: int, threshold: float) -> None:  # noqa: ANN001
    """No statement may point at an inactive theme: statements imported while the fit ran, or
    left in a theme the refit dissolved, join the nearest active theme or become unthemed."""
    active = conn.execute(sa.select(db.themes.c.id, db.themes.c.centroid)
                          .where(db.themes.c.active, db.themes.c.centroid.is_not(None))).all()
    orphans = conn.execute(
        sa.select(db.assignments.c.statement_id, db.embeddings.c.vector)
        .select_from(db.assignments.join(db.themes, db.themes.c.id == db.assignments.c.theme_id)
                     .join(db.statements, db.statements.c.id == db.assignments.c.statement_id)
                     .outerjoin(db.embeddings, db.embeddings.c.text_hash == db.statements.c.text_hash))
        .where(sa.not_(db.themes.c.active), sa.not_(db.assignments.c.pinned))).all()
    if not orphans:
        return
    dim = len(np.frombuffer(active[0].centroid, dtype=np.float32)) if active else 0
    vectors = np.vstack([np.frombuffer(o.vector, dtype=np.float32) if o.vector is not None else np.zeros(dim, np.float32)
                         for o in orphans]) if dim else np.zeros((len(orphans), 0), np.float32)
    cents = np.vstack([np.frombuffer(a.centroid, dtype=np.float32) for a in active]) if active else np.zeros((0, dim))
    best, sims = assign(unit(vectors), cents, threshold)
    for o, b, sim in zip(orphans, best.tolist(), sims.tolist()):
        conn.execute(db.assignments.update().where(db.assignments.c.statement_id == o.statement_id).values(
            theme_id=active[b].id if b >= 0 else None, score=float(sim), run_id=run_id, method="fit", pinned=False))


def assigner(store: db.Store, settings, embedder: Embedder | None = None):  # noqa: ANN001, ANN201
    """A callback for `Store.write_import`: statements of a new import join the nearest existing
    theme when similar enough, inside the import's own transaction. No themes yet: a no-op."""

    def assign(conn, statement_ids: list[int]) -> dict:  # noqa: ANN001
        cents = conn.execute(sa.select(db.themes.c.id, db.themes.c.centroid)
                             .where(db.themes.c.active, db.themes.c.centroid.is_not(None))).all()
        if not cents:
            return {}
        rows = conn.execute(sa.select(db.statements.c.id, db.statements.c.text)
                            .where(db.statements.c.id.in_(statement_ids))).all()
        emb = embedder or default_embedder(settings.cache_dir)
        vectors = embed_cached(store, emb, [r.text for r in rows], conn=conn)
        out = assign_vectors(vectors, [c.id for c in cents],
                             np.vstack([np.frombuffer(c.centroid, dtype=np.float32) for c in cents]),
                             fitted_threshold(conn, settings.assign_threshold))
        run_id = conn.execute(db.runs.insert().values(kind="assign", started_at=db.now(), finished_at=db.now(),
                                                      status="done", params="{}").returning(db.runs.c.id)).scalar_one()
        conn.execute(db.assignments.insert(), [dict(statement_id=r.id, theme_id=t, run_id=run_id, score=s,
                                                    method="assign", pinned=False) for r, (t, s) in zip(rows, out)])
        themed = [t for t, _ in out if t is not None]
        return dict(themed=len(themed), unthemed=len(out) - len(themed), themes_touched=len(set(themed)))

    return assign


def fitted_threshold(conn, configured: float) -> float:  # noqa: ANN001
    """The similarity the last fit used to admit a statement to a theme (the configured one,
    or lower where the texts needed it; see `ThemeClusterer.threshold_`): new statements are held to the same."""
    params = conn.execute(sa.select(db.runs.c.params).where(db.runs.c.kind == "fit", db.runs.c.status == "done")
                          .order_by(db.runs.c.id.desc()).limit(1)).scalar()
    used = json.loads(params).get("assign_threshold") if params else None
    return min(configured, used) if used is not None else configured


def assign_vectors(vectors: np.ndarray, theme_ids: list[int], centroids: np.ndarray,
                   threshold: float) -> list[tuple[int | None, float]]:
    best, sims = assign(unit(vectors), centroids, threshold)
    return [((theme_ids[b] if b >= 0 else None), float(s)) for b, s in zip(best.tolist(), sims.tolist())]


def related(themes_frame, theme_id: int, n: int = 3) -> list[int]:  # noqa: ANN001
    """The n themes whose centroids are closest to this one's."""
    rows = themes_frame[themes_frame["centroid"].notna()]
    if theme_id not in set(rows["id"]) or len(rows) < 2:
        return []
    ids = rows["id"].tolist()
    cents = np.vstack([np.frombuffer(c, dtype=np.float32) for c in rows["centroid"]])
    sims = cents @ cents[ids.index(theme_id)]
    order = [ids[i] for i in np.argsort(-sims) if ids[i] != theme_id]
    return order[:n]


