"""Themes on public labelled short texts synth was not developed on: WordNet 3.0's noun
definitions, labelled by WordNet's lexicographer files (26 categories such as noun.artifact,
noun.feeling, noun.plant), from Debian's `wordnet-base` package.

    apt-get install wordnet-base     (or: apt-get download wordnet-base && dpkg-deb -x *.deb DIR)
    .venv/bin/python -m synth.bench.wordnet [N] [PATH/TO/data.noun]

Prints, for N definitions (default 10,000, drawn with a fixed seed): synth's fit, BERTopic
as a user gets it (`BERTopic()` over the same embeddings) and KMeans given the true number
of categories; NMI and ARI over the themed texts and over all texts (unthemed as one group),
the unthemed share and the time. The categories are broad meanings, not issues, so all
three score far lower than on a program's notes."""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from synth import evaluate, themes
from synth.embed import MiniLMEmbedder

DEFAULT_PATH = Path("/usr/share/wordnet/data.noun")


def load(path: Path, n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """(definition, lexicographer file number) pairs; definitions of four words or more."""
    docs, gold = [], []
    for line in path.read_text(encoding="latin-1").splitlines():
        if line.startswith("  ") or " | " not in line:  # the licence header
            continue
        head, _, gloss = line.partition(" | ")
        definition = gloss.split(";")[0].strip().strip('"')
        if len(definition.split()) >= 4:
            docs.append(definition)
            gold.append(head.split()[1])
    pick = random.Random(seed).sample(range(len(docs)), min(n, len(docs)))
    return [docs[i] for i in pick], [gold[i] for i in pick]


def _row(name: str, labels, gold: list[str], seconds: float) -> None:
    labels, gold_a = np.asarray(labels), np.asarray(gold)
    themed = labels >= 0
    nmi_t, ari_t = evaluate.nmi_ari(gold_a[themed].tolist(), labels[themed].tolist())
    nmi_a, ari_a = evaluate.nmi_ari(gold_a.tolist(), labels.tolist())
    print(f"{name:<22} {len(set(labels[themed].tolist())):4d} themes  unthemed {1 - themed.mean():5.1%}  "
          f"themed: NMI {nmi_t:.3f} ARI {ari_t:.3f}  all: NMI {nmi_a:.3f} ARI {ari_a:.3f}  {seconds:5.1f} s", flush=True)


def main(n: int = 10_000, path: Path = DEFAULT_PATH) -> None:
    if not Path(path).exists():
        print(f"{path} not found: install Debian's wordnet-base (see the top of this file).")
        return
    docs, gold = load(Path(path), n)
    k = len(set(gold))
    print(f"{len(docs):,} WordNet noun definitions, {k} categories (largest {Counter(gold).most_common(1)[0][1] / len(docs):.0%})")
    emb = MiniLMEmbedder()
    t = time.perf_counter()
    vectors = emb.embed(docs)
    print(f"embedded in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    # No spaCy keyphrases here: labels and keywords come from the definitions' words.
    ours = themes.fit_themes([themes.ThemeInput(i, d, ()) for i, d in enumerate(docs)], vectors, seed=42, embedder=emb)
    _row("synth", [ours.assignment[i][0] if ours.assignment[i][0] is not None else -1 for i in range(len(docs))],
         gold, time.perf_counter() - t)

    from sklearn.cluster import KMeans

    t = time.perf_counter()
    _row(f"KMeans, true k={k}", KMeans(k, n_init=10, random_state=0).fit_predict(vectors), gold, time.perf_counter() - t)

    from bertopic import BERTopic

    t = time.perf_counter()
    topics, _ = BERTopic().fit_transform(docs, embeddings=vectors)
    _row("BERTopic() defaults", topics, gold, time.perf_counter() - t)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_PATH)
