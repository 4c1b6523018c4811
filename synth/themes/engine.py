"""Theme engine: BERTopic behind a small API of our own.

    fit_themes(statements, vectors, seed)      -> FitResult (pure: records in, records out)
    match_to_previous(result, previous)         -> stable ids across refits, with lineage
    fit_and_store(store, settings)              -> the whole refit, persisted
    assigner(store, settings)                   -> new statements join existing themes, no refit
    rename / merge / split / hide               -> curation that survives refits

BERTopic does the clustering (UMAP + sklearn's HDBSCAN over our cached embeddings) and the
c-TF-IDF + MMR keywords. Labels, quotes, outlier reassignment, near-duplicate merging, id
matching and persistence are ours, because they are what executives see.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import sqlalchemy as sa

from synth import store as db
from synth.embed import Embedder, default_embedder, embed_cached
from synth.errors import NotFound, ThemesNotFitted
from synth.text import PLACEHOLDERS, PROGRAM_WORDS

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # BERTopic must never reach for a model hub
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MODEL_FORMAT = 1
MERGE_SIMILARITY = 0.90  # themes whose centroids are this close are one theme said two ways
SAME_THEME_OVERLAP = 0.5  # share of a new theme's statements that must come from one old theme


@dataclass(frozen=True)
class ThemeInput:
    statement_id: int
    text: str
    keyphrases: tuple[str, ...]


@dataclass
class Theme:
    id: int
    label: str
    description: str
    keywords: list[str]
    quotes: list[int]  # statement ids
    area: str
    centroid: np.ndarray
    members: list[int] = field(default_factory=list)


@dataclass
class FitResult:
    themes: list[Theme]
    assignment: dict[int, tuple[int | None, float]]  # statement id -> (theme id or None, similarity)
    params: dict


# ---- fitting -----------------------------------------------------------------------------
def stop_words() -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    extra = {p.strip("[]").lower() for p in PLACEHOLDERS} | set(PROGRAM_WORDS)
    return sorted(set(ENGLISH_STOP_WORDS) | extra)


PHRASE_END = "|"


def _docs(items: Sequence[ThemeInput]) -> list[str]:
    # c-TF-IDF runs over lemmatised noun phrases, not raw text: filler verbs and names never
    # reach the keywords. Each phrase ends with a marker so that BERTopic's joining of a
    # theme's documents never glues two phrases into a false bigram ("visit new"). A statement
    # without keyphrases contributes its words, one by one: with none at all the vocabulary
    # would be empty and the fit would fail.
    return ["".join(k + PHRASE_END for k in (i.keyphrases or re.findall(r"[a-z][a-z-]+", i.text.lower())))
            for i in items]


def _vectorizer(analyzer):  # noqa: ANN001, ANN202
    """c-TF-IDF's term counts, keeping terms found in at least two themes' text (a typo seen
    once never becomes a keyword), or every term when that leaves fewer than two (BERTopic's
    c-TF-IDF fails on a one-term vocabulary, and on none)."""
    from sklearn.feature_extraction.text import CountVectorizer

    class Vectorizer(CountVectorizer):
        def fit_transform(self, raw_documents, y=None):  # noqa: ANN001, ANN201
            raw_documents = list(raw_documents)
            if self.min_df != 1:
                try:
                    counts = super().fit_transform(raw_documents, y)
                    if counts.shape[1] >= 2:
                        return counts
                except ValueError:  # no terms left at all
                    pass
                self.min_df = 1
            return super().fit_transform(raw_documents, y)

    return Vectorizer(analyzer=analyzer, min_df=2)


class PhraseAnalyzer:
    """CountVectorizer analyzer: each keyphrase, and its words, minus stop words."""

    def __init__(self, stop: set[str]):
        self.stop = stop

    def __call__(self, doc: str) -> list[str]:
        out = []
        for phrase in doc.split(PHRASE_END):
            words = [w for w in phrase.split() if w not in self.stop and len(w) > 1]
            if not words:
                continue
            out.extend(words)
            if len(words) > 1:
                out.append(" ".join(words))
        return out


class _Backend:
    """BERTopic's embedder interface over ours (used for MMR keywords only)."""

    def __init__(self, embedder: Embedder):
        from bertopic.backend import BaseEmbedder

        class _B(BaseEmbedder):
            def embed(self_inner, documents, verbose=False):  # noqa: N805, ANN001
                return embedder.embed(list(documents))

        self.model = _B()


def cluster_params(n: int, seed: int) -> dict:
    # Cluster sizes scale with the corpus: a fixed min size fragments large corpora into
    # phrasing-level clusters and leaves small ones mostly outliers.
    # Measured on the sample program (24 true themes, 5,934 statements): 0.6% of the corpus
    # gave 93 themes (ARI 0.42); 1% to 1.5% gave 26-37 themes (NMI 0.88-0.91, ARI 0.72-0.78).
    return dict(seed=seed, n_neighbors=30, n_components=5,
                min_cluster_size=max(10, int(round(n * 0.01))), min_samples=10)


MAX_UNTHEMED = 0.10  # at most this share of statements is left unthemed by a fit
EXACT_KNN_MAX = 30_000  # statements; above this UMAP's own approximate search is cheaper


def _knn(vectors: np.ndarray, k: int, chunk: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine nearest neighbours (each statement first, at distance 0) for UMAP. Up to a
    few tens of thousands of statements a blocked matrix product is quicker than NNDescent,
    whose numba functions compile on every first call in a process (~30 s here): that compile
    was most of a fresh `synth fit`."""
    n = len(vectors)
    idx = np.empty((n, k), dtype=np.int64)
    dist = np.empty((n, k), dtype=np.float32)

    def block(a: int) -> None:
        sims = vectors[a:a + chunk] @ vectors.T
        rows = np.arange(sims.shape[0])
        sims[rows, rows + a] = np.inf  # self first, even beside an identical statement
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top = np.take_along_axis(sims, part, axis=1)
        order = np.argsort(-top, axis=1, kind="stable")
        idx[a:a + chunk] = np.take_along_axis(part, order, axis=1)
        d = 1 - np.take_along_axis(top, order, axis=1)
        d[:, 0] = 0.0
        dist[a:a + chunk] = np.clip(d, 0.0, 2.0)

    with ThreadPoolExecutor(min(2, os.cpu_count() or 1)) as pool:  # numpy releases the GIL here
        list(pool.map(block, range(0, n, chunk)))
    return idx, dist


def fit_themes(items: Sequence[ThemeInput], vectors: np.ndarray, *, seed: int = 42, embedder: Embedder | None = None,
               assign_threshold: float = 0.45, n_quotes: int = 3, anchors: Sequence[set[int]] = (),
               places: Iterable[str] = (), progress=None) -> FitResult:  # noqa: ANN001
    """Cluster statements into themes. Deterministic for the same inputs and seed. `anchors`:
    the previous fit's themes (their statement ids), which a refit starts from. `places`: the
    program's office and region names, kept out of keywords and labels (where a theme is
    raised is shown beside it; "Salt Lake City" is not what it is about)."""
    from bertopic import BERTopic
    from bertopic.representation import MaximalMarginalRelevance
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.cluster import HDBSCAN
    from umap import UMAP

    say = progress or (lambda *_: None)
    n = len(items)
    if n < 20:
        raise ThemesNotFitted(f"Fitting themes needs at least 20 issue statements; there are {n}. Import more notes;")
    params = cluster_params(n, seed)
    drop = {p.lower() for p in places}
    if drop:
        items = [ThemeInput(i.statement_id, i.text, tuple(k for k in i.keyphrases if k not in drop)) for i in items]
    docs = _docs(items)
    k = min(params["n_neighbors"], n - 1)
    knn = (*_knn(vectors, k), None) if n <= EXACT_KNN_MAX else (None, None, None)
    # UMAP's default spectral init stays: the exact graph of a program's near-duplicate
    # statements has many components, laid out one by one (~15 s of a 20k fit), but PCA or
    # random init, though faster, gave less consistent themes across seeds (NMI 0.86 to 0.90).
    model = BERTopic(
        embedding_model=_Backend(embedder).model if embedder else None,
        umap_model=UMAP(n_neighbors=k, n_components=params["n_components"], min_dist=0.0,
                        metric="cosine", random_state=seed, n_jobs=1, precomputed_knn=knn),
        hdbscan_model=HDBSCAN(min_cluster_size=params["min_cluster_size"], min_samples=params["min_samples"],
                              metric="euclidean", cluster_selection_method="eom", copy=True),
        vectorizer_model=_vectorizer(PhraseAnalyzer(set(stop_words()))),
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        representation_model=MaximalMarginalRelevance(diversity=0.3) if embedder else None,
        top_n_words=10, calculate_probabilities=False,
    )
    say("cluster", 0, 1)
    topics, _ = model.fit_transform(docs, embeddings=vectors)
    topics = np.asarray(topics)
    say("cluster", 1, 1)

    topics = _merge_near_duplicates(topics, vectors)
    seeds = _seeds(topics, vectors, [i.statement_id for i in items], anchors)
    topics, sims, params["assign_threshold"] = _refine(vectors, seeds, assign_threshold, params["min_cluster_size"])
    topics = _merge_near_duplicates(topics, vectors)
    if embedder:
        model.update_topics(docs, topics=topics.tolist(), vectorizer_model=model.vectorizer_model,
                            representation_model=MaximalMarginalRelevance(diversity=0.3))
    ids = [t for t in sorted(set(topics.tolist())) if t >= 0]
    kp_counts = {t: Counter(k for i in np.flatnonzero(topics == t) for k in items[i].keyphrases) for t in ids}
    words = {t: [w for w, _ in (model.get_topic(t) or [])] for t in ids} if embedder else {t: [] for t in ids}
    labels = _labels(kp_counts, _surface_forms(i.text for i in items), words)
    themes: list[Theme] = []
    for t in ids:
        idx = np.flatnonzero(topics == t)
        centroid = _unit(vectors[idx].mean(axis=0))
        members = [items[i].statement_id for i in idx]
        quotes = representative(vectors[idx], members, [items[i].text for i in idx], n_quotes)
        keywords = words[t][:10] or [k for k, _ in kp_counts[t].most_common(10)]
        about = ", ".join(keywords[:3]) or labels[t].lower()
        themes.append(Theme(id=int(t), label=labels[t], keywords=keywords, quotes=quotes, area="",
                            description=f"{len(idx)} statements, most distinctively about {about}.",
                            centroid=centroid, members=members))
    _areas(themes)
    assignment = {items[i].statement_id: ((int(topics[i]) if topics[i] >= 0 else None), float(sims[i]))
                  for i in range(n)}
    return FitResult(themes, assignment, params)


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / max(float(np.linalg.norm(v)), 1e-12)).astype(np.float32)


def _centroids(topics: np.ndarray, vectors: np.ndarray) -> tuple[list[int], np.ndarray]:
    ids = [t for t in sorted(set(topics.tolist())) if t >= 0]
    return ids, np.vstack([_unit(vectors[topics == t].mean(axis=0)) for t in ids]) if ids else np.zeros((0, vectors.shape[1]))


def _merge_near_duplicates(topics: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    topics = topics.copy()
    while True:
        ids, cents = _centroids(topics, vectors)
        if len(ids) < 2:
            return topics
        sim = cents @ cents.T
        np.fill_diagonal(sim, -1)
        a, b = np.unravel_index(np.argmax(sim), sim.shape)
        if sim[a, b] < MERGE_SIMILARITY:
            return topics
        keep, drop = sorted((ids[a], ids[b]))
        topics[topics == drop] = keep


def _seeds(topics: np.ndarray, vectors: np.ndarray, ids: Sequence[int],
           anchors: Sequence[set[int]]) -> np.ndarray:
    """Where the refinement starts: the clusters' centroids; on a refit, the previous themes'
    centroids (over their statements still present) plus the clusters that are not mostly one
    previous theme, so a theme that emerged since the last fit still gets its own seed."""
    _, cents = _centroids(topics, vectors)
    if not anchors:
        return cents
    row = {s: i for i, s in enumerate(ids)}
    old = [[row[s] for s in members if s in row] for members in anchors]
    old_cents = [_unit(vectors[idx].mean(axis=0)) for idx in old if idx]
    old_of = {i: k for k, idx in enumerate(old) for i in idx}
    fresh = []
    for c, t in enumerate(t for t in sorted(set(topics.tolist())) if t >= 0):
        members = np.flatnonzero(topics == t)
        counts = Counter(old_of[i] for i in members if i in old_of)
        if not counts or counts.most_common(1)[0][1] < SAME_THEME_OVERLAP * len(members):
            fresh.append(cents[c])
    return np.vstack(old_cents + fresh) if old_cents or fresh else cents


def _refine(vectors: np.ndarray, seeds: np.ndarray, threshold: float, min_size: int,
            iterations: int = 20, max_unthemed: float = MAX_UNTHEMED) -> tuple[np.ndarray, np.ndarray, float]:
    """Spherical k-means steps in the full embedding space from `seeds`: each statement joins
    its nearest theme when its cosine similarity reaches the cut (else it stays unthemed,
    visibly), centroids move to their members' mean, and a theme left with fewer than
    `min_size` statements gives them up, until nothing changes. The partition then depends on
    where the themes are rather than on the layout one UMAP seed produced: a refit with another
    seed or a few more notes keeps statements where they were.

    The cut is `threshold`, lowered where needed so that at most `max_unthemed` of the
    statements stay unthemed: how similar a statement is to its theme's centre depends on the
    texts (0.45 suits a program's short, repetitive statements; WordNet's definitions left 59%
    unthemed at 0.45). Returns the themes, each statement's similarity and the cut used."""
    cents = seeds
    topics = np.full(len(vectors), -1)
    sims = np.zeros(len(vectors), dtype=np.float32)
    cut = threshold
    for _ in range(iterations):
        if len(cents) == 0:  # no cluster found, or none big enough: everything stays unthemed
            return np.full(len(vectors), -1), sims, threshold
        all_sims = vectors @ cents.T
        best = all_sims.argmax(axis=1)
        sims = all_sims[np.arange(len(vectors)), best]
        cut = min(threshold, float(np.quantile(sims, max_unthemed)))
        new = np.where(sims >= cut, best, -1)
        sizes = np.bincount(new[new >= 0], minlength=len(cents))
        keep = sizes >= min_size
        if not keep.all():
            cents = cents[keep]
            continue
        if np.array_equal(new, topics):
            break
        topics = new
        cents = np.vstack([_unit(vectors[topics == k].mean(axis=0)) for k in range(len(cents))])
    return topics, sims.astype(np.float32), cut


def _surface_forms(texts) -> dict[str, str]:  # noqa: ANN001
    """Acronyms as people write them: keyphrases are lower-cased lemmas, labels should say CRM."""
    seen: dict[str, Counter] = {}
    for text in texts:
        for word in re.findall(r"[A-Za-z][\w-]+", text):
            if len(word) >= 2 and word.isupper():
                seen.setdefault(word.lower(), Counter())[word] += 1
    return {low: forms.most_common(1)[0][0] for low, forms in seen.items()}


def _anchored(counts: Counter, keywords: list[str]) -> list[str]:
    """Readable phrases for a theme's c-TF-IDF keywords: for each keyword in order, the theme's
    most frequent keyphrase that contains it ('crm' -> 'new crm'). Up to two, sharing no word."""
    picked: list[str] = []
    for kw in keywords:
        kw_words = set(kw.split())
        candidates = [k for k in counts if kw_words <= set(k.split())]
        if not candidates:
            continue
        best = max(candidates, key=lambda k: (counts[k], -len(k)))
        if not any(set(best.split()) & set(p.split()) for p in picked):
            picked.append(best)
        if len(picked) == 2:
            break
    return picked


def _labels(kp_counts: dict[int, Counter], forms: dict[str, str] | None = None,
            keywords: dict[int, list[str]] | None = None) -> dict[int, str]:
    """A label of a few words per theme: its distinctive keywords (c-TF-IDF) said as the
    keyphrases people used, or failing that its most distinctive keyphrases (tf-idf over
    themes); made unique across themes."""
    forms = forms or {}
    keywords = keywords or {}
    df = Counter(k for c in kp_counts.values() for k in c)
    n = max(len(kp_counts), 1)
    labels: dict[int, str] = {}
    used: set[str] = set()
    for t, counts in sorted(kp_counts.items(), key=lambda kv: -sum(kv[1].values())):
        scored = sorted(counts, key=lambda k: (-counts[k] * math.log(1 + n / df[k]) * (1 + 0.3 * k.count(" ")), k))
        picked: list[str] = _anchored(counts, keywords.get(t, []))
        total = sum(counts.values())
        for k in ([] if picked else scored):
            # A second phrase only when it is common in the theme, not a stray one.
            if picked and counts[k] < 0.15 * total:
                continue
            if not any(set(k.split()) & set(p.split()) for p in picked):
                picked.append(k)
            if len(picked) == 2:
                break
        label = ", ".join(picked) or f"theme {t}"
        for extra in scored[len(picked):]:
            if label not in used:
                break
            label = f"{label}, {extra}"
        if label in used:
            label = f"{label} ({t})"
        used.add(label)
        label = re.sub(r"[\w-]+", lambda m: forms.get(m.group(0), m.group(0)), label)
        labels[t] = label[:1].upper() + label[1:]
    return labels


def representative(vectors: np.ndarray, ids: list[int], texts: list[str], k: int, diversity: float = 0.3) -> list[int]:
    """Quotes that are central to the theme and different from each other (MMR)."""
    if not ids:
        return []
    centroid = _unit(vectors.mean(axis=0))
    central = vectors @ centroid
    chosen: list[int] = []
    seen_text: set[str] = set()
    candidates = list(np.argsort(-central)[: max(50, k * 10)])
    while candidates and len(chosen) < k:
        def score(i: int) -> float:
            redundancy = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
            return (1 - diversity) * float(central[i]) - diversity * redundancy
        best = max(candidates, key=score)
        candidates.remove(best)
        if texts[best].casefold() in seen_text:
            continue
        seen_text.add(texts[best].casefold())
        chosen.append(best)
    return [ids[i] for i in chosen]


AREA_DISTANCE = 0.4  # cosine distance (average linkage) under which themes share an area


def _areas(themes: list[Theme]) -> None:
    """Two-level hierarchy: themes whose centroids are close (average cosine similarity of 0.6
    or more) form a broad area named after its biggest theme; a theme close to none is its own
    area. A fixed number of areas used to force unrelated themes together (the CRM theme
    under "Translation")."""
    if len(themes) < 2:
        for t in themes:
            t.area = t.label.split(",")[0]
        return
    from sklearn.cluster import AgglomerativeClustering

    cents = np.vstack([t.centroid for t in themes])
    groups = AgglomerativeClustering(n_clusters=None, distance_threshold=AREA_DISTANCE, linkage="average",
                                     metric="cosine").fit_predict(cents)
    for g in set(groups.tolist()):
        members = [t for t, gg in zip(themes, groups) if gg == g]
        name = max(members, key=lambda t: len(t.members)).label.split(",")[0]
        for t in members:
            t.area = name


# ---- stable ids across refits -----------------------------------------------------------------
def match_to_previous(result: FitResult, previous: dict[int, set[int]], next_id: int) -> tuple[FitResult, list[dict]]:
    """Give each new theme the id of the old theme most of its statements came from, when the
    overlap is large enough and no bigger new theme claimed that id. Returns the renumbered
    result and lineage rows (same / split / merge)."""
    old_of = {s: t for t, members in previous.items() for s in members}
    pairs = []
    for theme in result.themes:
        counts = Counter(old_of[s] for s in theme.members if s in old_of)
        for old, c in counts.items():
            pairs.append((c / max(len(theme.members), 1), c, theme.id, old))
    pairs.sort(reverse=True)
    new_id: dict[int, int] = {}
    claimed: set[int] = set()
    lineage: list[dict] = []
    for share, _count, tid, old in pairs:
        if tid in new_id or old in claimed or share < SAME_THEME_OVERLAP:
            continue
        new_id[tid] = old
        claimed.add(old)
    for theme in sorted(result.themes, key=lambda t: -len(t.members)):
        if theme.id not in new_id:
            new_id[theme.id] = next_id
            next_id += 1
    for share, c, tid, old in pairs:
        if c >= 5 and share >= 0.2:
            kind = "same" if new_id[tid] == old else ("split" if old in claimed else "merge")
            lineage.append(dict(theme_id=new_id[tid], source_theme_id=old, kind=kind, overlap=round(share, 3)))
    for t in result.themes:
        t.id = new_id[t.id]
    result.assignment = {s: ((new_id[t] if t is not None else None), sim) for s, (t, sim) in result.assignment.items()}
    return result, lineage


# ---- persistence -----------------------------------------------------------------------------
def save_model(folder: Path, result: FitResult, run_id: int, embedder_id: str) -> Path:
    """Everything needed to assign new statements without the notes: centroids, labels, and
    the versions that made them."""
    path = Path(folder) / f"run-{run_id:04d}"
    path.mkdir(parents=True, exist_ok=True)
    np.save(path / "centroids.npy", np.vstack([t.centroid for t in result.themes]) if result.themes else np.zeros((0, 384)))
    (path / "themes.json").write_text(json.dumps([
        dict(id=t.id, label=t.label, description=t.description, keywords=t.keywords, area=t.area, size=len(t.members))
        for t in result.themes], indent=1))
    (path / "manifest.json").write_text(json.dumps(dict(
        format=MODEL_FORMAT, run_id=run_id, embedder=embedder_id, params=result.params,
        created=datetime.now(timezone.utc).isoformat(),
        versions={p: version(p) for p in ("bertopic", "umap-learn", "scikit-learn", "numpy", "spacy", "onnxruntime")},
    ), indent=1))
    return path


def load_model(path: Path) -> tuple[list[dict], np.ndarray, dict]:
    path = Path(path)
    if not (path / "manifest.json").exists():
        raise NotFound(f"No theme model at {path}. Run `synth fit` to make one.")
    manifest = json.loads((path / "manifest.json").read_text())
    return json.loads((path / "themes.json").read_text()), np.load(path / "centroids.npy"), manifest


# ---- the store side ----------------------------------------------------------------------------
def _issue_inputs(conn) -> list[ThemeInput]:  # noqa: ANN001
    rows = conn.execute(sa.select(db.statements.c.id, db.statements.c.text, db.statements.c.keyphrases)
                        .where(db.statements.c.is_issue).order_by(db.statements.c.id)).all()
    return [ThemeInput(r.id, r.text, tuple(json.loads(r.keyphrases))) for r in rows]


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
                        assign_threshold=settings.assign_threshold, n_quotes=settings.quotes_per_theme,
                        anchors=list(previous.values()), places=places - {None}, progress=say)
    with store.engine.begin() as conn:
        max_id = conn.execute(sa.select(sa.func.max(db.themes.c.id))).scalar() or 0
        result, lineage = match_to_previous(result, previous, next_id=max_id + 1)
        model_dir = save_model(Path(settings.models_dir), result, run_id, embedder.model_id)
        _write_fit(conn, result, lineage, run_id)
        _replay_curation(conn, run_id)
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
    pinned = set(conn.execute(sa.select(db.assignments.c.statement_id).where(db.assignments.c.pinned)).scalars())
    conn.execute(db.assignments.delete().where(sa.not_(db.assignments.c.pinned)))
    rows = [dict(statement_id=s, theme_id=t, run_id=run_id, score=sim, method="fit", pinned=False)
            for s, (t, sim) in result.assignment.items() if s not in pinned]
    for i in range(0, len(rows), 5000):
        conn.execute(db.assignments.insert(), rows[i:i + 5000])
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
    or lower where the texts needed it; see `_refine`): new statements are held to the same."""
    params = conn.execute(sa.select(db.runs.c.params).where(db.runs.c.kind == "fit", db.runs.c.status == "done")
                          .order_by(db.runs.c.id.desc()).limit(1)).scalar()
    used = json.loads(params).get("assign_threshold") if params else None
    return min(configured, used) if used is not None else configured


def assign_vectors(vectors: np.ndarray, theme_ids: list[int], centroids: np.ndarray,
                   threshold: float) -> list[tuple[int | None, float]]:
    if len(vectors) == 0:
        return []
    sims = vectors @ centroids.T
    best = sims.argmax(axis=1)
    return [((theme_ids[b] if sims[i, b] >= threshold else None), float(sims[i, b])) for i, b in enumerate(best)]


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


# ---- curation ---------------------------------------------------------------------------------------
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
        c = _unit(np.vstack([np.frombuffer(r, dtype=np.float32) for r in rows]).mean(axis=0))
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
