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
from synth.gist import reported
from synth.themes import describe
from synth.themes.cluster import ThemeClusterer, unit
from synth.themes.records import FitResult, Theme, ThemeInput


def wording(text: str) -> str:
    """A statement's words, lower-cased, without punctuation: "That's the main one." and
    "that's the main one" are one wording."""
    return " ".join(re.findall(r"\w+", text.lower()))


def fit_themes(items: Sequence[ThemeInput], vectors: np.ndarray, *, seed: int = 42, embedder: Embedder | None = None,
               n_quotes: int = 3, anchors: Sequence[set[int]] = (), places: Iterable[str] = (),
               progress=None, tag_phrases: bool = True, sample_above: int = 0, **cluster_params) -> FitResult:
    """Cluster statements into themes. Deterministic for the same inputs and seed.

    `anchors`: the previous fit's themes (their statement ids); a refit starts from them, so
    statements move only where the new data says so. `places`: the program's office and region
    names, kept out of keywords and labels (where a theme is raised is shown beside it; "Salt
    Lake City" is not what it is about). `tag_phrases`: check label candidates' parts of speech
    with spaCy. `sample_above`: over this many statements, themes are found in a sample of this
    many, stratified by partner, and the rest join the nearest theme (`fit_on_sample`); 0: never.
    `cluster_params`: `ThemeClusterer` parameters."""
    if sample_above and len(items) > sample_above:
        return fit_on_sample(items, vectors, sample_above, seed=seed, embedder=embedder, n_quotes=n_quotes,
                             anchors=anchors, places=places, progress=progress, tag_phrases=tag_phrases,
                             **cluster_params)
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
    labels = describe.phrase_labels([reported(i.text) for i in items], topics, clusterer.centroids_, embedder, drop, fallback,
                                    tagger=describe.spacy_pos_tagger() if tag_phrases else None, vectors=X,
                                    parser=describe.spacy_parser() if tag_phrases else None)
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


def stratified_sample(strata: Sequence[object], size: int, seed: int = 42) -> np.ndarray:
    """Row indices of a sample of `size` rows that keeps each stratum's share (whole parts, then
    the rows left over to strata with none yet, then by largest remainder), drawn at random
    within each stratum; sorted."""
    rng = np.random.default_rng(seed)
    groups: dict[object, list[int]] = {}
    for row, key in enumerate(strata):
        groups.setdefault(key, []).append(row)
    n = len(strata)
    if size >= n:
        return np.arange(n)
    keys = list(groups)
    exact = np.array([len(groups[k]) * size / n for k in keys])
    take = np.floor(exact).astype(int)
    # The rows left over go to strata with none yet first, then by largest remainder.
    for i in np.lexsort((-(exact - take), take > 0))[:size - int(take.sum())]:
        take[i] += 1
    out = [rng.choice(groups[k], size=t, replace=False) for k, t in zip(keys, take) if t]
    return np.sort(np.concatenate(out)) if out else np.zeros(0, dtype=int)


def fit_on_sample(items: Sequence[ThemeInput], vectors: np.ndarray, size: int, *, seed: int = 42,
                  strata: Sequence[object] | None = None, **fit_params) -> FitResult:
    """`fit_themes` on a stratified sample of `size` statements (strata: each statement's partner
    unless given), then every other statement joins its nearest theme where it is as close as
    the fit admits members (`ThemeClusterer.predict`, through `cluster.assign`), or stays
    unthemed. Keywords, labels and quotes come from the sample; counts cover everything."""
    from synth.themes.cluster import assign

    strata = strata if strata is not None else [i.partner for i in items]
    picked = stratified_sample(strata, size, seed)
    result = fit_themes([items[r] for r in picked], vectors[picked], seed=seed, **fit_params)
    rest = np.setdiff1d(np.arange(len(items)), picked)
    if len(rest) and result.themes:
        cents = np.vstack([t.centroid for t in result.themes])
        best, sims = assign(unit(vectors[rest]), cents, result.params["assign_threshold"])
        by_index = {k: t for k, t in enumerate(result.themes)}
        for r, b, sim in zip(rest.tolist(), best.tolist(), sims.tolist()):
            sid = items[r].statement_id
            result.assignment[sid] = (by_index[b].id if b >= 0 else None, float(sim))
            if b >= 0:
                by_index[b].members.append(sid)
        for t in result.themes:
            t.description = re.sub(r"^\d+ statements", f"{len(t.members)} statements", t.description)
    else:
        result.assignment.update({items[r].statement_id: (None, 0.0) for r in rest})
    result.params.update(sampled=int(len(picked)), statements=len(items))
    return result
