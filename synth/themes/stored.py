"""The theme engine against the store: a whole refit persisted, and new statements assigned to
existing themes at import. The SQL is the store's (synth/store/themes.py); this module decides
what happens in which transaction."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np

from synth.store import Store
from synth.store import themes as rows_of
from synth.store.schema import now
from synth.embed import Embedder, default_embedder, embed_cached
from synth.themes.cluster import ANCHOR_MARGIN, ThemeClusterer, _stock_share, assign, unit
from synth.themes.fit import fit_themes, wording
from synth.themes.identity import match_to_previous
from synth.themes.model_files import save_model
from synth.themes.records import FitResult, ThemeInput


def _issue_inputs(conn) -> list[ThemeInput]:
    return [ThemeInput(*row) for row in rows_of.issue_statements(conn)]


def fit_and_store(store: Store, settings, who: str = "cli", progress=None, embedder: Embedder | None = None) -> dict:
    say = progress or (lambda *_: None)
    embedder = embedder or default_embedder(settings.cache_dir)
    _remove_stale_folders(Path(settings.models_dir))
    rows, places, previous = store.fit_snapshot()
    items = [ThemeInput(*row) for row in rows]
    say("embed", 0, len(items))
    vectors = embed_cached(store, embedder, [i.text for i in items])
    say("embed", len(items), len(items))
    started = now()
    result = fit_themes(items, vectors, seed=settings.seed, embedder=embedder, sample_above=settings.fit_sample_above,
                        n_quotes=settings.quotes_per_theme,
                        anchors=list(previous.values()), places=places, progress=say)
    # Everything a fit leaves is written at the end, at once: the run row, the themes and the
    # assignments in one transaction, the model folder under a temporary name renamed only after
    # the commit. A fit killed while it computes leaves nothing; one that fails while writing
    # leaves no row and no folder.
    models = Path(settings.models_dir)
    tmp = None
    try:
        with store.engine.begin() as conn:
            run_id = rows_of.start_run(conn, "fit", started)
            result, lineage = match_to_previous(result, previous, next_id=rows_of.max_theme_id(conn) + 1)
            keep_labels(result, rows_of.active_labels(conn), embedder)
            model_dir = models / f"run-{run_id:04d}"
            tmp = save_model(models, result, run_id, embedder.model_id, name=f".tmp-run-{run_id:04d}-{os.getpid()}")
            rows_of.write_fit(conn, [dict(id=t.id, label=t.label, description=t.description, keywords=t.keywords,
                                          quotes=t.quotes, area=t.area, centroid=t.centroid) for t in result.themes],
                              result.assignment, lineage, run_id)
            rows_of.replay_merges(conn, run_id)
            _reassign_orphans(conn, run_id, result.params["assign_threshold"], embedder.model_id)
            rows_of.finish_run(conn, run_id, str(model_dir), {**result.params, "themes": len(result.themes)})
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



def _reassign_orphans(conn, run_id: int, threshold: float, model_id: str) -> None:
    """No statement may point at an inactive theme: statements imported while the fit ran, or
    left in a theme the refit dissolved, join the nearest active theme or become unthemed."""
    ids, cents = rows_of.active_centroids(conn)
    # Vectors of the current model only: a store that changed models keeps the old ones cached too.
    orphans = rows_of.orphans(conn, model_id)
    if not orphans:
        return
    vectors = np.vstack([np.frombuffer(o.vector, dtype=np.float32) if o.vector is not None
                         else np.zeros(cents.shape[1], np.float32) for o in orphans])
    best, sims = assign(unit(vectors), cents, threshold)  # a statement with no vector stays unthemed
    for o, b, sim in zip(orphans, best.tolist(), sims.tolist()):
        rows_of.set_assignment(conn, o.statement_id, ids[b] if b >= 0 else None, sim, run_id, "fit")


def assigner(store: Store, settings, embedder: Embedder | None = None):
    """A callback for `Store.write_import`: statements of a new import join the nearest existing
    theme when similar enough, inside the import's own transaction. No themes yet: a no-op."""

    def assign(conn, statement_ids: list[int]) -> dict:
        ids, cents = rows_of.active_centroids(conn)
        if not ids:
            return {}
        rows = rows_of.statement_texts(conn, statement_ids)
        emb = embedder or default_embedder(settings.cache_dir)
        vectors = embed_cached(store, emb, [r.text for r in rows], conn=conn)
        out = assign_vectors(vectors, ids, cents, fitted_threshold(conn, settings.assign_threshold))
        run_id = rows_of.start_run(conn, "assign", now(), done=True)
        rows_of.add_assignments(conn, [(r.id, t, s) for r, (t, s) in zip(rows, out)], run_id, "assign")
        formed = form_provisional(conn, run_id, fitted_threshold(conn, settings.assign_threshold), emb,
                                  recent=[r.id for r in rows])
        # Counted after the new themes formed: a statement that moved to one is no longer in an old theme.
        state = rows_of.assignment_state(conn, [r.id for r in rows])
        old = [t for t, method in state if t is not None and method == "assign"]
        return dict(themed=len(old), unthemed=sum(t is None for t, _ in state), themes_touched=len(set(old)),
                    new_themes=len(formed), new_theme_statements=len(state) - len(old) - sum(t is None for t, _ in state))

    return assign


PROVISIONAL_POOL = 5000  # the most recent unthemed statements looked at for a new theme at import
MAX_WORDING_SHARE = ThemeClusterer().max_wording_share


def form_provisional(conn, run_id: int, threshold: float, embedder: Embedder, recent: Sequence[int] = (),
                     min_size: int = 5, min_partners: int = 3, min_wordings: int = 3) -> dict[int, int]:
    """New issues surface on their own: unthemed statements that are alike (each as close to
    their group's centre as a theme's members are to theirs), from enough partners and in
    enough wordings, form a provisional theme at import, shown as new. The next fit confirms
    it (it keeps its id when its statements stay together) or dissolves it. `recent`: this
    import's statements; one that joined an older theme but is closer to a new one moves to
    it. Returns {theme id: statements}."""
    from sklearn.cluster import AgglomerativeClustering

    # This import's statements are pooled even where they joined an older theme: a new issue
    # that shares words with an old one ("badge readers at the clinic door" beside "parking at
    # the clinic") clears the assignment threshold, and would hide inside it.
    rows = rows_of.unthemed_recent(conn, embedder.model_id, PROVISIONAL_POOL, also=recent)
    if len(rows) < min_size:
        return {}
    recent_ids = set(recent)
    X = unit(np.vstack([np.frombuffer(r.vector, dtype=np.float32) for r in rows]))
    # Average linkage at the similarity a theme's members have with each other: about the
    # square of their typical similarity to its centre (never looser than the admission cut).
    cohesion = max(threshold, rows_of.typical_member_similarity(conn) or threshold)
    groups = AgglomerativeClustering(n_clusters=None, distance_threshold=1 - cohesion ** 2, metric="cosine",
                                     linkage="average").fit_predict(X)
    ids_existing, existing = rows_of.active_centroids(conn, X.shape[1])
    admitted = []
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        centre = unit(X[idx].mean(axis=0))
        idx = idx[X[idx] @ centre >= threshold]
        if len(idx) < min_size:
            continue
        centre = unit(X[idx].mean(axis=0))
        wordings = [wording(rows[i].text) for i in idx]
        fresh = sum(rows[i].id in recent_ids for i in idx)
        own = X[idx] @ centre
        nearest_old = (X[idx] @ existing.T).max(axis=1) if len(existing) else np.zeros(len(idx))
        idx, own = idx[own > nearest_old], own[own > nearest_old]  # a member nearer an old theme stays with it
        if len(idx) < min_size:
            continue
        # New, not more of an old issue: nothing said before is as close to these statements as
        # they are to their own centre, by ANCHOR_MARGIN on average. Compared with the old
        # statements themselves, not their themes' centres: a theme that holds several issues
        # has a blurred centre, and more of one of its issues would look new against it.
        near = np.argsort(-(existing @ centre))[:2] if len(existing) else []
        old = unit(rows_of.member_vectors(conn, [ids_existing[t] for t in near], embedder.model_id, exclude=recent))
        closest_said = (X[idx] @ old.T).max(axis=1) if len(old) else np.zeros(len(idx))
        distinct = float((own - closest_said).mean()) >= ANCHOR_MARGIN
        # Mostly this import's statements, in people's own words (the fit's rules, see ThemeClusterer).
        if (distinct and len({rows[i].partner_key for i in idx}) >= min_partners
                and len(set(wordings)) >= min_wordings and _stock_share(wordings) <= MAX_WORDING_SHARE
                and fresh * 2 >= len(idx)):
            admitted.append(idx)
    if not admitted:
        return {}
    from synth.themes.describe import phrase_labels, representative, spacy_pos_tagger

    cents = [unit(X[idx].mean(axis=0)) for idx in admitted]
    all_cents = np.vstack([existing, *cents])
    members = np.concatenate(admitted)
    topics = np.concatenate([np.full(len(idx), len(existing) + k) for k, idx in enumerate(admitted)])
    places = {p.lower() for r in rows for p in (r.office, r.region)}
    taken = set(rows_of.active_labels(conn).values())
    labels = phrase_labels([rows[i].text for i in members], topics, all_cents, embedder, places, tagger=spacy_pos_tagger())
    next_id = rows_of.max_theme_id(conn) + 1
    formed: dict[int, int] = {}
    for k, idx in enumerate(admitted):
        tid = next_id + k
        label = labels.get(len(existing) + k, f"New theme {tid}")
        label = label if label not in taken else f"{label} (new)"
        counts = Counter(p for i in idx for p in json.loads(rows[i].keyphrases) if p not in places)
        quotes = representative(X[idx], [rows[i].id for i in idx], [rows[i].text for i in idx], 3)
        rows_of.add_provisional_theme(
            conn, tid, label, f"{len(idx)} alike statements raised since the last fit; provisional until the next fit "
            "confirms it.", [p for p, _ in counts.most_common(10)], quotes, cents[k], run_id)
        for i in idx:
            rows_of.set_assignment(conn, rows[i].id, tid, float(X[i] @ cents[k]), run_id, "provisional")
        formed[tid] = len(idx)
    if recent:
        joined = rows_of.assigned_by_import(conn, recent, embedder.model_id)
        ids = list(formed)
        for r in joined:
            sims = np.vstack(cents) @ unit(np.frombuffer(r.vector, dtype=np.float32))
            best = int(sims.argmax())
            if sims[best] >= threshold and sims[best] > r.score:
                rows_of.set_assignment(conn, r.statement_id, ids[best], float(sims[best]), run_id, "provisional")
                formed[ids[best]] += 1
    return formed


def fitted_threshold(conn, configured: float) -> float:
    """The similarity the last fit used to admit a statement to a theme (the configured one,
    or lower where the texts needed it; see `ThemeClusterer.threshold_`): new statements are held to the same."""
    used = rows_of.last_fit_params(conn).get("assign_threshold")
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


