"""New issues at import, before a fit confirms them: alike unthemed statements that form a
provisional theme. Pure: the caller (`synth.pipeline.form_provisional`) reads the candidates
and writes the themes, inside the import's transaction.

    new_groups(X, rows, ...)      -> the groups of candidates admitted as new issues
    describe(X, rows, groups, ...) -> NewTheme records: id, label, keywords, quotes, members
    closer_to_new(joined, new, ...) -> this import's statements that joined an older theme but
                                       are closer to a new one

`rows` are the candidates as `synth.store.themes.unthemed_recent` returns them: each with
id, text, keyphrases (JSON), partner_key, office, region and vector (float32 bytes).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from synth.embed import Embedder
from synth.themes.cluster import ANCHOR_MARGIN, ThemeClusterer, _stock_share, unit
from synth.themes.fit import wording

POOL = 5000  # the most recent unthemed statements looked at for a new theme at import
MIN_SIZE = 5  # statements a provisional theme needs
MAX_WORDING_SHARE = ThemeClusterer().max_wording_share


@dataclass
class NewTheme:
    id: int
    label: str
    description: str
    keywords: list[str]
    quotes: list[int]  # statement ids
    centroid: np.ndarray
    members: list[tuple[int, float]]  # (statement id, similarity to the centroid)


def vectors(rows: Sequence) -> np.ndarray:
    return unit(np.vstack([np.frombuffer(r.vector, dtype=np.float32) for r in rows]))


def new_groups(X: np.ndarray, rows: Sequence, recent: Sequence[int], threshold: float, cohesion: float,
               existing_ids: list[int], existing: np.ndarray,
               closest_said: Callable[[list[int], np.ndarray], np.ndarray],
               min_size: int = MIN_SIZE, min_partners: int = 3, min_wordings: int = 3) -> list[np.ndarray]:
    """New issues surface on their own: unthemed statements that are alike (each as close to
    their group's centre as a theme's members are to theirs), from enough partners and in
    enough wordings, form a provisional theme. `recent`: this import's statements. `cohesion`:
    how alike a theme's members are (`typical_member_similarity`, never below `threshold`).
    `existing`: the active themes' centroids; `closest_said(theme ids, vectors)`: for each
    vector, its highest cosine similarity to those themes' statements, less this import's.
    Returns each admitted group as indices into `rows`."""
    from sklearn.cluster import AgglomerativeClustering

    recent_ids = set(recent)
    # Average linkage at the similarity a theme's members have with each other: about the
    # square of their typical similarity to its centre (never looser than the admission cut).
    groups = AgglomerativeClustering(n_clusters=None, distance_threshold=1 - cohesion ** 2, metric="cosine",
                                     linkage="average").fit_predict(X)
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
        said = closest_said([existing_ids[t] for t in near], X[idx]) if len(near) else np.zeros(len(idx))
        distinct = float((own - said).mean()) >= ANCHOR_MARGIN
        # Mostly this import's statements, in people's own words (the fit's rules, see ThemeClusterer).
        if (distinct and len({rows[i].partner_key for i in idx}) >= min_partners
                and len(set(wordings)) >= min_wordings and _stock_share(wordings) <= MAX_WORDING_SHARE
                and fresh * 2 >= len(idx)):
            admitted.append(idx)
    return admitted


def describe(X: np.ndarray, rows: Sequence, groups: Sequence[np.ndarray], existing: np.ndarray, embedder: Embedder,
             taken: set[str], next_id: int) -> list[NewTheme]:
    """Each admitted group as a theme: a label unlike the other themes' (`taken`: the labels in
    use), keywords from its statements' keyphrases, representative quotes; ids from `next_id`."""
    from synth.themes.describe import phrase_labels, representative, spacy_parser, spacy_pos_tagger

    cents = [unit(X[idx].mean(axis=0)) for idx in groups]
    all_cents = np.vstack([existing, *cents])
    members = np.concatenate(groups)
    topics = np.concatenate([np.full(len(idx), len(existing) + k) for k, idx in enumerate(groups)])
    places = {p.lower() for r in rows for p in (r.office, r.region)}
    labels = phrase_labels([rows[i].text for i in members], topics, all_cents, embedder, places, tagger=spacy_pos_tagger(),
                           parser=spacy_parser())
    out = []
    for k, idx in enumerate(groups):
        tid = next_id + k
        label = labels.get(len(existing) + k, f"New theme {tid}")
        label = label if label not in taken else f"{label} (new)"
        counts = Counter(p for i in idx for p in json.loads(rows[i].keyphrases) if p not in places)
        quotes = representative(X[idx], [rows[i].id for i in idx], [rows[i].text for i in idx], 3)
        out.append(NewTheme(
            tid, label, f"{len(idx)} alike statements raised since the last fit; provisional until the next fit "
            "confirms it.", [p for p, _ in counts.most_common(10)], quotes, cents[k],
            [(rows[i].id, float(X[i] @ cents[k])) for i in idx]))
    return out


def closer_to_new(joined: Sequence, new: Sequence[NewTheme], threshold: float) -> list[tuple[int, int, float]]:
    """Of this import's statements that joined an older theme (`joined`: statement_id, score,
    vector), those closer to a new theme, and at least `threshold` from it: (statement id,
    new theme id, similarity). A new issue that shares words with an old one ("badge readers
    at the clinic door" beside "parking at the clinic") clears the older theme's cut first."""
    if not new:
        return []
    cents = np.vstack([t.centroid for t in new])
    moves = []
    for r in joined:
        sims = cents @ unit(np.frombuffer(r.vector, dtype=np.float32))
        best = int(sims.argmax())
        if sims[best] >= threshold and sims[best] > r.score:
            moves.append((r.statement_id, new[best].id, float(sims[best])))
    return moves
