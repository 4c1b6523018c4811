"""One fit: statements + their vectors -> themes with labels, keywords and quotes (pure:
records in, records out; nothing here touches the store).

BERTopic is the frame: our `ThemeClusterer` stands in for its UMAP + HDBSCAN stages (as
BERTopic's manual topic modelling allows, with empty dimensionality-reduction and cluster
models), and BERTopic's c-TF-IDF and MMR give each theme its keywords.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Sequence

import numpy as np

from synth.embed import Embedder
from synth.themes import describe
from synth.themes.cluster import ThemeClusterer, unit
from synth.themes.records import FitResult, Theme, ThemeInput


def wording(text: str) -> str:
    """A statement's words, lower-cased, without punctuation: "That's the main one." and
    "that's the main one" are one wording."""
    return " ".join(re.findall(r"\w+", text.lower()))


def fit_themes(items: Sequence[ThemeInput], vectors: np.ndarray, *, seed: int = 42, embedder: Embedder | None = None,
               n_quotes: int = 3, anchors: Sequence[set[int]] = (), places: Iterable[str] = (),
               progress=None, tag_phrases: bool = True, **cluster_params) -> FitResult:
    """Cluster statements into themes. Deterministic for the same inputs and seed.

    `anchors`: the previous fit's themes (their statement ids); a refit starts from them, so
    statements move only where the new data says so. `places`: the program's office and region
    names, kept out of keywords and labels (where a theme is raised is shown beside it; "Salt
    Lake City" is not what it is about). `tag_phrases`: check label candidates' parts of speech
    with spaCy. `cluster_params`: `ThemeClusterer` parameters."""
    say = progress or (lambda *_: None)
    ids = [i.statement_id for i in items]
    row = {s: r for r, s in enumerate(ids)}
    init = None
    if anchors:
        init = np.full(len(items), -1)
        for a, members in enumerate(anchors):
            init[[row[s] for s in members if s in row]] = a
    partners = [i.partner if i.partner is not None else f"statement-{i.statement_id}" for i in items]
    say("cluster", 0, 1)
    wordings = [wording(i.text) for i in items]
    clusterer = ThemeClusterer(random_state=seed, **cluster_params).fit(vectors, partners, init, wordings)
    say("cluster", 1, 1)
    topics = clusterer.labels_
    X = unit(vectors)

    drop = {p.lower() for p in places}
    if drop:
        items = [ThemeInput(i.statement_id, i.text, tuple(k for k in i.keyphrases if k not in drop), i.partner)
                 for i in items]
    words = describe.keywords(items, X, topics, embedder, places=drop)
    theme_ids = list(range(len(clusterer.centroids_)))
    kp_counts = {t: Counter(k for r in np.flatnonzero(topics == t) for k in items[r].keyphrases) for t in theme_ids}
    fallback = {t: [k for k, _ in kp_counts[t].most_common(5)] for t in theme_ids}
    labels = describe.phrase_labels([i.text for i in items], topics, clusterer.centroids_, embedder, drop, fallback,
                                    tagger=describe.spacy_pos_tagger() if tag_phrases else None, vectors=X)
    themes: list[Theme] = []
    for t in theme_ids:
        idx = np.flatnonzero(topics == t)
        members = [ids[r] for r in idx]
        quotes = describe.representative(X[idx], members, [items[r].text for r in idx], n_quotes)
        keywords = words.get(t, [])[:10]
        for k, _ in kp_counts[t].most_common(10):  # too few distinctive words: add the phrases people used
            if len(keywords) >= 3:
                break
            if k not in keywords and not set(k.split()) & drop:
                keywords.append(k)
        about = ", ".join(keywords[:3]) or labels[t].lower()
        themes.append(Theme(id=t, label=labels[t], keywords=keywords, quotes=quotes, area="",
                            description=f"{len(idx)} statements, most distinctively about {about}.",
                            centroid=clusterer.centroids_[t], members=members))
    describe._areas(themes)
    sims = np.einsum("ij,ij->i", X, clusterer.centroids_[np.maximum(topics, 0)]) if theme_ids else np.zeros(len(X))
    assignment = {ids[r]: ((int(topics[r]) if topics[r] >= 0 else None), float(sims[r])) for r in range(len(ids))}
    params = dict(seed=seed, resolution=clusterer.resolution, n_neighbors=clusterer.n_neighbors_,
                  min_size=clusterer.min_size, min_partners=clusterer.min_partners,
                  assign_threshold=float(clusterer.threshold_))
    return FitResult(themes, assignment, params)
