"""What a theme says: its label, keywords, representative quotes and broad area.

    keywords:  BERTopic's c-TF-IDF over the statements' lemmatised noun phrases (+ MMR)
    labels:    a few words per theme, from its distinctive phrases, unique across themes
    quotes:    statements central to the theme and different from each other (MMR)
    areas:     themes whose centroids are close share a broad area
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Sequence

import numpy as np

from synth.embed import Embedder
from synth.text import PLACEHOLDERS, PROGRAM_WORDS
from synth.themes.cluster import unit
from synth.themes.records import Theme, ThemeInput


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


def keywords(items: Sequence[ThemeInput], X: np.ndarray, topics: np.ndarray,
             embedder: Embedder | None, top_n: int = 10, places: set[str] = frozenset()) -> dict[int, list[str]]:
    """Each theme's c-TF-IDF keywords (MMR-diversified when an embedder is given), by BERTopic
    over the themes we found: its own dimensionality reduction and clustering are skipped."""
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from bertopic.representation import MaximalMarginalRelevance
    from bertopic.vectorizers import ClassTfidfTransformer

    if not (topics >= 0).any():
        return {}
    model = BERTopic(
        embedding_model=_Backend(embedder).model if embedder else None,
        umap_model=BaseDimensionalityReduction(), hdbscan_model=BaseCluster(),
        # Place names (and each of their words) never become keywords: "Salt Lake City" says where,
        # not what.
        vectorizer_model=_vectorizer(PhraseAnalyzer(set(stop_words()) | {w for p in places for w in p.split()})),
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        representation_model=MaximalMarginalRelevance(diversity=0.3) if embedder else None,
        top_n_words=top_n, calculate_probabilities=False,
    )
    model.fit(_docs(items), embeddings=X, y=topics.tolist())
    # BERTopic renumbers topics by size; map its ids back to ours through the documents.
    out: dict[int, list[str]] = {}
    for ours, theirs in zip(topics.tolist(), model.topics_):
        if ours >= 0 and ours not in out and theirs >= 0:
            out[ours] = [w for w, _ in (model.get_topic(theirs) or []) if w]
    return out


class _Backend:
    """BERTopic's embedder interface over ours (used for MMR keywords only)."""

    def __init__(self, embedder: Embedder):
        from bertopic.backend import BaseEmbedder

        class _B(BaseEmbedder):
            def embed(self_inner, documents, verbose=False):  # noqa: N805, ANN001
                return embedder.embed(list(documents))

        self.model = _B()


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
        # The theme's distinctive keywords, most widely used first: a label should say what
        # most of its statements say, not what a few say distinctively.
        used_by = {kw: sum(c for k, c in counts.items() if set(kw.split()) <= set(k.split())) for kw in keywords.get(t, [])}
        shared = Counter(kw for kws in keywords.values() for kw in kws)  # a keyword of many themes says little
        picked: list[str] = _anchored(counts, sorted(keywords.get(t, []), key=lambda kw: -used_by[kw] / shared[kw]))
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
    centroid = unit(vectors.mean(axis=0))
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
            t.area = t.label
        return
    from sklearn.cluster import AgglomerativeClustering

    cents = np.vstack([t.centroid for t in themes])
    groups = AgglomerativeClustering(n_clusters=None, distance_threshold=AREA_DISTANCE, linkage="average",
                                     metric="cosine").fit_predict(cents)
    for g in set(groups.tolist()):
        members = [t for t, gg in zip(themes, groups) if gg == g]
        name = max(members, key=lambda t: len(t.members)).label
        for t in members:
            t.area = name


