"""The theme engine against the store: a whole refit persisted, and new statements assigned to
existing themes at import. (The SQL itself still lives here and in curation.py; moving it into
the store is open work, see issue "One house, one door per room".)"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np
import sqlalchemy as sa

from synth.store import Store
from synth.store import schema as db
from synth.embed import Embedder, default_embedder, embed_cached
from synth.themes.cluster import assign, unit
from synth.themes.curation import _do_merge, _refresh_centroid, undone_edits
from synth.themes.fit import fit_themes, wording
from synth.themes.identity import match_to_previous
from synth.themes.model_files import save_model
from synth.themes.records import FitResult, ThemeInput


def _issue_inputs(conn) -> list[ThemeInput]:
    rows = conn.execute(sa.select(db.statements.c.id, db.statements.c.text, db.statements.c.keyphrases,
                                  db.notes.c.partner_key)
                        .join(db.notes, db.notes.c.id == db.statements.c.note_id)
                        .where(db.statements.c.is_issue).order_by(db.statements.c.id)).all()
    return [ThemeInput(r.id, r.text, tuple(json.loads(r.keyphrases)), r.partner_key) for r in rows]


def fit_and_store(store: Store, settings, who: str = "cli", progress=None, embedder: Embedder | None = None) -> dict:
    say = progress or (lambda *_: None)
    embedder = embedder or default_embedder(settings.cache_dir)
    _remove_stale_folders(Path(settings.models_dir))
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
    started = db.now()
    result = fit_themes(items, vectors, seed=settings.seed, embedder=embedder,
                        n_quotes=settings.quotes_per_theme,
                        anchors=list(previous.values()), places=places - {None}, progress=say)
    # Everything a fit leaves is written at the end, at once: the run row, the themes and the
    # assignments in one transaction, the model folder under a temporary name renamed only after
    # the commit. A fit killed while it computes leaves nothing; one that fails while writing
    # leaves no row and no folder.
    models = Path(settings.models_dir)
    tmp = None
    try:
        with store.engine.begin() as conn:
            run_id = conn.execute(db.runs.insert().values(kind="fit", started_at=started, status="running",
                                                          params="{}").returning(db.runs.c.id)).scalar_one()
            max_id = conn.execute(sa.select(sa.func.max(db.themes.c.id))).scalar() or 0
            result, lineage = match_to_previous(result, previous, next_id=max_id + 1)
            old_labels = dict(conn.execute(sa.select(db.themes.c.id, db.themes.c.label).where(db.themes.c.active)).all())
            keep_labels(result, old_labels, embedder)
            model_dir = models / f"run-{run_id:04d}"
            tmp = save_model(models, result, run_id, embedder.model_id, name=f".tmp-run-{run_id:04d}-{os.getpid()}")
            _write_fit(conn, result, lineage, run_id)
            _replay_curation(conn, run_id)
            _reassign_orphans(conn, run_id, result.params["assign_threshold"], embedder.model_id)
            conn.execute(db.runs.update().where(db.runs.c.id == run_id).values(
                status="done", finished_at=db.now(), model_dir=str(model_dir),
                params=json.dumps({**result.params, "themes": len(result.themes)})))
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    tmp.rename(model_dir)
    unthemed = sum(1 for t, _ in result.assignment.values() if t is None)
    return dict(run_id=run_id, themes=len(result.themes), statements=len(items), unthemed=unthemed, model_dir=str(model_dir))


def _remove_stale_folders(models: Path, older_than_s: float = 24 * 3600) -> None:
    """Temporary model folders of fits that died while writing (older than a day, so a fit
    writing right now is never touched)."""
    import time

    for path in models.glob(".tmp-run-*"):
        if time.time() - path.stat().st_mtime > older_than_s:
            shutil.rmtree(path, ignore_errors=True)


def keep_labels(result: FitResult, old_labels: dict[int, str], embedder: Embedder) -> int:
    """A refit keeps a theme's label unless its content changed materially: the theme kept its id
    (most of its statements came from the old theme) and the old label, embedded, is still
    nearest this theme's new centre among all themes. Returns how many labels were kept."""
    carried = [t for t in result.themes if t.id in old_labels and old_labels[t.id] != t.label]
    if not carried or not result.themes:
        return 0
    cents = np.vstack([t.centroid for t in result.themes])
    index = {t.id: i for i, t in enumerate(result.themes)}
    nearest = (unit(embedder.embed([old_labels[t.id] for t in carried])) @ cents.T).argmax(axis=1)
    taken = {t.label for t in result.themes}
    kept = 0
    for t, n in zip(carried, nearest.tolist()):
        if n == index[t.id] and old_labels[t.id] not in taken:
            taken.discard(t.label)
            t.label = old_labels[t.id]
            taken.add(t.label)
            kept += 1
    return kept


def _write_fit(conn, result: FitResult, lineage: list[dict], run_id: int) -> None:
    old = {r.id: r for r in conn.execute(sa.select(db.themes)).all()}
    conn.execute(db.themes.update().values(active=False))
    for t in result.themes:
        prev = old.get(t.id)
        values = dict(label=prev.label if prev is not None and prev.label_locked else t.label,
                      description=t.description, keywords=json.dumps(t.keywords), quotes=json.dumps(t.quotes),
                      area=t.area, centroid=t.centroid.tobytes(), active=True, provisional=False, updated_run=run_id)
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
    # An import undone while the fit ran took its statements with it.
    present = set(conn.execute(sa.select(db.statements.c.id)).scalars())
    rows = [dict(statement_id=s, theme_id=t, run_id=run_id, score=sim, method="fit", pinned=False)
            for s, (t, sim) in result.assignment.items() if s not in pinned and s in present]
    for i in range(0, len(rows), 5000):
        chunk = rows[i:i + 5000]
        conn.execute(db.assignments.delete().where(db.assignments.c.statement_id.in_([r["statement_id"] for r in chunk])))
        conn.execute(db.assignments.insert(), chunk)
    if lineage:
        conn.execute(db.theme_lineage.insert(), [dict(run_id=run_id, **row) for row in lineage])


def _replay_curation(conn, run_id: int) -> None:
    """Merges made by people are re-applied after every refit, so curation sticks."""
    edits = conn.execute(sa.select(db.theme_edits).where(db.theme_edits.c.action == "merge").order_by(db.theme_edits.c.id)).all()
    undone = undone_edits(conn)
    for e in (e for e in edits if e.id not in undone):
        p = json.loads(e.payload)
        _do_merge(conn, p["into"], p["source"], run_id)
    for tid in conn.execute(sa.select(db.themes.c.id).where(db.themes.c.active)).scalars():
        _refresh_centroid(conn, tid)


def _active_centroids(conn, dim: int = 384) -> tuple[list[int], np.ndarray]:
    """Ids and centroid rows of the active themes that have a centroid."""
    rows = conn.execute(sa.select(db.themes.c.id, db.themes.c.centroid)
                        .where(db.themes.c.active, db.themes.c.centroid.is_not(None))).all()
    cents = np.vstack([np.frombuffer(r.centroid, dtype=np.float32) for r in rows]) if rows else np.zeros((0, dim), np.float32)
    return [r.id for r in rows], cents


def _reassign_orphans(conn, run_id: int, threshold: float, model_id: str) -> None:
    """No statement may point at an inactive theme: statements imported while the fit ran, or
    left in a theme the refit dissolved, join the nearest active theme or become unthemed."""
    ids, cents = _active_centroids(conn)
    # Vectors of the current model only: a store that changed models keeps the old ones cached too.
    orphans = conn.execute(
        sa.select(db.assignments.c.statement_id, db.embeddings.c.vector)
        .select_from(db.assignments.join(db.themes, db.themes.c.id == db.assignments.c.theme_id)
                     .join(db.statements, db.statements.c.id == db.assignments.c.statement_id)
                     .outerjoin(db.embeddings, sa.and_(db.embeddings.c.text_hash == db.statements.c.text_hash,
                                                       db.embeddings.c.model == model_id)))
        .where(sa.not_(db.themes.c.active), sa.not_(db.assignments.c.pinned))).all()
    if not orphans:
        return
    vectors = np.vstack([np.frombuffer(o.vector, dtype=np.float32) if o.vector is not None
                         else np.zeros(cents.shape[1], np.float32) for o in orphans])
    best, sims = assign(unit(vectors), cents, threshold)  # a statement with no vector stays unthemed
    for o, b, sim in zip(orphans, best.tolist(), sims.tolist()):
        conn.execute(db.assignments.update().where(db.assignments.c.statement_id == o.statement_id).values(
            theme_id=ids[b] if b >= 0 else None, score=float(sim), run_id=run_id, method="fit", pinned=False))


def assigner(store: Store, settings, embedder: Embedder | None = None):
    """A callback for `Store.write_import`: statements of a new import join the nearest existing
    theme when similar enough, inside the import's own transaction. No themes yet: a no-op."""

    def assign(conn, statement_ids: list[int]) -> dict:
        ids, cents = _active_centroids(conn)
        if not ids:
            return {}
        rows = conn.execute(sa.select(db.statements.c.id, db.statements.c.text)
                            .where(db.statements.c.id.in_(statement_ids))).all()
        emb = embedder or default_embedder(settings.cache_dir)
        vectors = embed_cached(store, emb, [r.text for r in rows], conn=conn)
        out = assign_vectors(vectors, ids, cents, fitted_threshold(conn, settings.assign_threshold))
        run_id = conn.execute(db.runs.insert().values(kind="assign", started_at=db.now(), finished_at=db.now(),
                                                      status="done", params="{}").returning(db.runs.c.id)).scalar_one()
        conn.execute(db.assignments.insert(), [dict(statement_id=r.id, theme_id=t, run_id=run_id, score=s,
                                                    method="assign", pinned=False) for r, (t, s) in zip(rows, out)])
        formed = form_provisional(conn, run_id, fitted_threshold(conn, settings.assign_threshold), emb,
                                  recent=[r.id for r in rows])
        # Counted after the new themes formed: a statement that moved to one is no longer in an old theme.
        now = conn.execute(sa.select(db.assignments.c.theme_id, db.assignments.c.method)
                           .where(db.assignments.c.statement_id.in_([r.id for r in rows]))).all()
        old = [t for t, method in now if t is not None and method == "assign"]
        return dict(themed=len(old), unthemed=sum(t is None for t, _ in now), themes_touched=len(set(old)),
                    new_themes=len(formed), new_theme_statements=len(now) - len(old) - sum(t is None for t, _ in now))

    return assign


PROVISIONAL_POOL = 5000  # the most recent unthemed statements looked at for a new theme at import


def form_provisional(conn, run_id: int, threshold: float, embedder: Embedder, recent: Sequence[int] = (),
                     min_size: int = 5, min_partners: int = 3, min_wordings: int = 3) -> dict[int, int]:
    """New issues surface on their own: unthemed statements that are alike (each as close to
    their group's centre as a theme's members are to theirs), from enough partners and in
    enough wordings, form a provisional theme at import, shown as new. The next fit confirms
    it (it keeps its id when its statements stay together) or dissolves it. `recent`: this
    import's statements; one that joined an older theme but is closer to a new one moves to
    it. Returns {theme id: statements}."""
    from sklearn.cluster import AgglomerativeClustering

    rows = conn.execute(
        sa.select(db.statements.c.id, db.statements.c.text, db.statements.c.keyphrases, db.notes.c.partner_key,
                  db.notes.c.office, db.notes.c.region, db.embeddings.c.vector)
        .select_from(db.assignments.join(db.statements, db.statements.c.id == db.assignments.c.statement_id)
                     .join(db.notes, db.notes.c.id == db.statements.c.note_id)
                     .join(db.embeddings, sa.and_(db.embeddings.c.text_hash == db.statements.c.text_hash,
                                                  db.embeddings.c.model == embedder.model_id)))
        .where(db.assignments.c.theme_id.is_(None), db.statements.c.is_issue)
        .order_by(db.statements.c.id.desc()).limit(PROVISIONAL_POOL)).all()
    if len(rows) < min_size:
        return {}
    recent_ids = set(recent)
    X = unit(np.vstack([np.frombuffer(r.vector, dtype=np.float32) for r in rows]))
    # Average linkage at the similarity a theme's members have with each other (about the
    # square of their similarity to its centre).
    groups = AgglomerativeClustering(n_clusters=None, distance_threshold=1 - threshold ** 2, metric="cosine",
                                     linkage="average").fit_predict(X)
    _, existing = _active_centroids(conn, X.shape[1])
    admitted = []
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        centre = unit(X[idx].mean(axis=0))
        idx = idx[X[idx] @ centre >= threshold]
        wordings = {wording(rows[i].text) for i in idx}
        fresh = sum(rows[i].id in recent_ids for i in idx)
        # Mostly this import's statements: what the last fit left unthemed is for the next fit
        # to judge, not for an import to turn into a theme.
        if (len(idx) >= min_size and len({rows[i].partner_key for i in idx}) >= min_partners
                and len(wordings) >= min_wordings and fresh * 2 >= len(idx)):
            admitted.append(idx)
    if not admitted:
        return {}
    from synth.themes.describe import phrase_labels, representative, spacy_pos_tagger

    cents = [unit(X[idx].mean(axis=0)) for idx in admitted]
    all_cents = np.vstack([existing, *cents])
    members = np.concatenate(admitted)
    topics = np.concatenate([np.full(len(idx), len(existing) + k) for k, idx in enumerate(admitted)])
    places = {p.lower() for r in rows for p in (r.office, r.region)}
    taken = set(conn.execute(sa.select(db.themes.c.label).where(db.themes.c.active)).scalars())
    labels = phrase_labels([rows[i].text for i in members], topics, all_cents, embedder, places, tagger=spacy_pos_tagger())
    next_id = (conn.execute(sa.select(sa.func.max(db.themes.c.id))).scalar() or 0) + 1
    formed: dict[int, int] = {}
    for k, idx in enumerate(admitted):
        tid = next_id + k
        label = labels.get(len(existing) + k, f"New theme {tid}")
        label = label if label not in taken else f"{label} (new)"
        counts = Counter(p for i in idx for p in json.loads(rows[i].keyphrases) if p not in places)
        quotes = representative(X[idx], [rows[i].id for i in idx], [rows[i].text for i in idx], 3)
        conn.execute(db.themes.insert().values(
            id=tid, label=label, description=f"{len(idx)} alike statements raised since the last fit; provisional "
            "until the next fit confirms it.", keywords=json.dumps([p for p, _ in counts.most_common(10)]),
            quotes=json.dumps(quotes), area=label, centroid=cents[k].tobytes(), active=True, hidden=False,
            label_locked=False, provisional=True, created_run=run_id, updated_run=run_id))
        for i in idx:
            conn.execute(db.assignments.update().where(db.assignments.c.statement_id == rows[i].id).values(
                theme_id=tid, score=float(X[i] @ cents[k]), run_id=run_id, method="provisional"))
        formed[tid] = len(idx)
    if recent:
        joined = conn.execute(
            sa.select(db.assignments.c.statement_id, db.assignments.c.score, db.embeddings.c.vector)
            .select_from(db.assignments.join(db.statements, db.statements.c.id == db.assignments.c.statement_id)
                         .join(db.embeddings, sa.and_(db.embeddings.c.text_hash == db.statements.c.text_hash,
                                                      db.embeddings.c.model == embedder.model_id)))
            .where(db.assignments.c.statement_id.in_(list(recent)), db.assignments.c.method == "assign",
                   db.assignments.c.theme_id.is_not(None))).all()
        ids = list(formed)
        for r in joined:
            sims = np.vstack(cents) @ unit(np.frombuffer(r.vector, dtype=np.float32))
            best = int(sims.argmax())
            if sims[best] >= threshold and sims[best] > r.score:
                conn.execute(db.assignments.update().where(db.assignments.c.statement_id == r.statement_id).values(
                    theme_id=ids[best], score=float(sims[best]), run_id=run_id, method="provisional"))
                formed[ids[best]] += 1
    return formed


def fitted_threshold(conn, configured: float) -> float:
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


def related(themes_frame, theme_id: int, n: int = 3) -> list[int]:
    """The n themes whose centroids are closest to this one's."""
    rows = themes_frame[themes_frame["centroid"].notna()]
    if theme_id not in set(rows["id"]) or len(rows) < 2:
        return []
    ids = rows["id"].tolist()
    cents = np.vstack([np.frombuffer(c, dtype=np.float32) for c in rows["centroid"]])
    sims = cents @ cents[ids.index(theme_id)]
    order = [ids[i] for i in np.argsort(-sims) if ids[i] != theme_id]
    return order[:n]


