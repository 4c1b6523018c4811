"""Fits of large corpora on a stratified sample (SYNTH_FIT_SAMPLE_ABOVE): the sample keeps each
stratum's share, and the statements left out join the themes the sample found."""

from __future__ import annotations

from collections import Counter

import numpy as np

from synth import evaluate
from synth.themes import ThemeInput, fit_themes
from synth.themes.fit import stratified_sample


def test_stratified_sample_keeps_each_stratum_share():
    strata = ["a"] * 600 + ["b"] * 300 + ["c"] * 95 + ["d"] * 5
    picked = stratified_sample(strata, 100, seed=1)
    assert len(picked) == len(set(picked.tolist())) == 100 and list(picked) == sorted(picked)
    assert Counter(strata[i] for i in picked) == {"a": 60, "b": 30, "c": 9, "d": 1}
    assert stratified_sample(strata, 100, seed=1).tolist() == picked.tolist()
    assert stratified_sample(strata, 100, seed=2).tolist() != picked.tolist()
    assert stratified_sample(strata, 5000).tolist() == list(range(1000))


def _topics(n_topics: int = 8, per_topic: int = 150, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_topics, 64))
    gold = np.repeat(np.arange(n_topics), per_topic)
    vectors = (centres[gold] + rng.normal(scale=0.6, size=(len(gold), 64))).astype(np.float32)
    words = [f"{a}{b}" for a in ("kar", "mol", "tes", "vun", "pir", "sol", "dax", "ney") for b in ("op", "ix", "ul", "em", "ar")]
    # Each statement in its own words: a community of one repeated sentence is no theme.
    items = [ThemeInput(i, " ".join(rng.choice(words, 6)), (), f"p{rng.integers(40)}") for i in range(len(gold))]
    return items, vectors, gold


def test_a_fit_above_the_size_clusters_a_sample_and_assigns_the_rest():
    items, vectors, gold = _topics()
    full = fit_themes(items, vectors, tag_phrases=False)
    sampled = fit_themes(items, vectors, tag_phrases=False, sample_above=400)
    assert sampled.params["sampled"] == 400 and sampled.params["statements"] == len(items)
    assert set(sampled.assignment) == {i.statement_id for i in items}  # every statement has its answer
    members = sorted(s for t in sampled.themes for s in t.members)
    assert members == sorted(s for s, (t, _) in sampled.assignment.items() if t is not None)
    assert len(members) > 0.9 * len(items)  # most of the 800 left out joined a theme
    for t in sampled.themes:
        assert t.description.startswith(f"{len(t.members)} statements")
    labels = lambda r: [-1 if r.assignment[i.statement_id][0] is None else r.assignment[i.statement_id][0] for i in items]
    nmi_full, _ = evaluate.nmi_ari(gold.tolist(), labels(full))
    nmi_sample, _ = evaluate.nmi_ari(gold.tolist(), labels(sampled))
    assert nmi_sample > nmi_full - 0.1, (nmi_sample, nmi_full)  # real text: 0.02-0.06 (bench.fit_sample)
    assert fit_themes(items, vectors, tag_phrases=False, sample_above=5000).params.get("sampled") is None
