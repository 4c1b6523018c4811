"""Theme engine speed, quality and stability (issue: theme engine).

    .venv/bin/python -m synth.bench.themes [NOTES]     (default 11,000 notes, about 20,000 statements)

Prints: embedding statements/s; fit time with embeddings cached; assigning 1,000 new
statements; NMI/ARI/unthemed for synth and for BERTopic as a user gets it out of the box
(`BERTopic()` over the same embeddings) side by side; and stability (share of statements
keeping their theme id) after a refit with another seed and after adding 10% more
statements, both as `synth fit` does it (anchored on the previous themes) and clustering
from scratch."""

from __future__ import annotations

import sys
import time

import numpy as np

from synth import evaluate, ingest, sample, text, themes
from synth.bench.common import scratch, timed
from synth.embed import default_embedder


def _gold(processed, truth_by_key):
    """Truth theme of each issue statement, by character overlap with the truth sentences."""
    items, gold = [], []
    sid = 0
    for p in processed:
        t = truth_by_key[p.note.note_key]
        for s in p.statements:
            if not s.is_issue:
                continue
            best = max(t["sentences"], key=lambda x: min(s.end, x["end"]) - max(s.start, x["start"]))
            items.append(themes.ThemeInput(sid, s.text, s.keyphrases, p.note.partner))  # as `synth fit` passes them
            gold.append(best["theme"] if best["kind"] == "issue" else "not-an-issue")
            sid += 1
    return items, gold


def _scores(assignment, gold):
    """NMI and ARI over the themed statements (as `evaluate.theme_agreement` and the tests
    count them), the share unthemed, and NMI over all statements with the unthemed as one
    group (as `synth.bench.realtext` counts them: a system cannot gain by leaving hard
    statements out)."""
    pairs = [(g, assignment[i][0]) for i, g in enumerate(gold) if g != "not-an-issue"]
    themed = [(g, t) for g, t in pairs if t is not None]
    nmi, ari = evaluate.nmi_ari([g for g, _ in themed], [t for _, t in themed])
    nmi_all, _ = evaluate.nmi_ari([g for g, _ in pairs], [-1 if t is None else t for _, t in pairs])
    return nmi, ari, 1 - len(themed) / len(pairs), nmi_all


def main(n_notes: int = 11_000) -> None:
    folder, settings = scratch("themes")
    export, truth_path = sample.write(folder, n_notes=n_notes, seed=21, name="notes")
    truth = {t["note_id"]: t for t in sample.load_truth(truth_path)}
    _, parsed = ingest.parse_file(export, settings.max_upload_bytes)
    with timed(f"spaCy stage, {n_notes:,} notes", n_notes, "notes"):
        processed = text.process_notes(parsed.notes, n_process=2)
    items, gold = _gold(processed, truth)
    print(f"issue statements: {len(items):,}")
    emb = default_embedder()  # what `synth fit` embeds: each statement's gist
    texts = [i.text for i in items]
    with timed(f"embed {len(texts):,} statements", len(texts), "statements"):
        vectors = emb.embed(texts)

    places = {n.office for n in parsed.notes} | {n.region for n in parsed.notes}  # as `synth fit` passes them
    with timed("synth fit, first in process"):
        ours = themes.fit_themes(items, vectors, seed=42, embedder=emb, places=places)
    with timed(f"synth fit, {len(items):,} statements, embeddings cached, again"):
        ours = themes.fit_themes(items, vectors, seed=42, embedder=emb, places=places)
    nmi, ari, un, nmi_all = _scores(ours.assignment, gold)
    print(f"synth:              {len(ours.themes):3d} themes  NMI {nmi:.3f}  ARI {ari:.3f}  unthemed {un:.1%}  NMI with unthemed {nmi_all:.3f}")
    cents = np.vstack([th.centroid for th in ours.themes])
    print(f"labels: {evaluate.label_retrieval([th.label for th in ours.themes], cents, emb):.1%} find their own theme "
          f"(embedded, nearest centroid); e.g. " + "; ".join(f'"{th.label}"' for th in ours.themes[:5]))

    from bertopic import BERTopic

    t = time.perf_counter()
    model = BERTopic()  # what a user gets out of the box, given the same embeddings
    topics, _ = model.fit_transform(texts, embeddings=vectors)
    dt = time.perf_counter() - t
    default_assign = {i: ((tp if tp >= 0 else None), 0.0) for i, tp in enumerate(topics)}
    nmi_d, ari_d, un_d, nmi_all_d = _scores(default_assign, gold)
    print(f"BERTopic() default: {len(set(topics)) - (1 if -1 in topics else 0):3d} themes  NMI {nmi_d:.3f}  "
          f"ARI {ari_d:.3f}  unthemed {un_d:.1%}  NMI with unthemed {nmi_all_d:.3f}  ({dt:.1f} s)")

    from sklearn.cluster import KMeans
    k = len({g for g in gold if g != "not-an-issue"})
    km = KMeans(n_clusters=k, random_state=0, n_init=4).fit_predict(vectors)
    nmi_k, ari_k, _, _ = _scores({i: (int(c), 0.0) for i, c in enumerate(km)}, gold)
    print(f"KMeans, true k={k}:   NMI {nmi_k:.3f}  ARI {ari_k:.3f}")

    new = default_embedder()
    fresh = [f"{x} (again this week)" for x in texts[:1000]]  # unseen texts: embedded, then assigned
    with timed("assign 1,000 new statements (embed + nearest theme)", 1000, "statements"):
        themes.assign_vectors(new.embed(fresh), [th.id for th in ours.themes], cents, ours.params["assign_threshold"])

    def kept(first, second) -> str:
        """Share of statements themed by `first` that keep their theme id in `second`, after
        `synth fit`'s id matching."""
        previous = {th.id: set(th.members) for th in first.themes}
        matched, _ = themes.match_to_previous(second, previous, 10_000)
        before = {s: t for s, (t, _) in first.assignment.items()}
        return f"{evaluate.same_theme_share(before, {s: t for s, (t, _) in matched.assignment.items()}):.1%}"

    def labels_kept(first, second) -> str:
        """Share of `first`'s themes whose label `synth fit` keeps in `second` (id matching, then
        `keep_labels`)."""
        previous = {th.id: set(th.members) for th in first.themes}
        matched, _ = themes.match_to_previous(second, previous, 10_000)
        old = {th.id: th.label for th in first.themes}
        themes.keep_labels(matched, old, emb)
        now = {th.id: th.label for th in matched.themes}
        return f"{sum(now.get(i) == label for i, label in old.items()) / max(len(old), 1):.1%}"

    anchors = [set(th.members) for th in ours.themes]
    print("stability: share of themed statements that keep their theme id")
    reseeded = themes.fit_themes(items, vectors, seed=7, anchors=anchors, embedder=emb, places=places)
    print(f"  refit with seed 7, anchored on the previous themes (what `synth fit` does): "
          f"{kept(ours, reseeded)}; labels kept: {labels_kept(ours, reseeded)}")
    print(f"  refit with seed 7, clustering from scratch:                              "
          f"{kept(ours, themes.fit_themes(items, vectors, seed=7))}")
    cut = int(len(items) / 1.1)
    base = themes.fit_themes(items[:cut], vectors[:cut], seed=42, embedder=emb, places=places)
    grown_by = f"+{(len(items) - cut) / cut:.0%} statements"
    grown = themes.fit_themes(items, vectors, seed=42, anchors=[set(th.members) for th in base.themes], embedder=emb,
                              places=places)
    print(f"  {grown_by}, anchored (what `synth fit` does):                             "
          f"{kept(base, grown)}; labels kept: {labels_kept(base, grown)}")
    print(f"  {grown_by}, clustering from scratch:                                      "
          f"{kept(base, themes.fit_themes(items, vectors, seed=42))}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
