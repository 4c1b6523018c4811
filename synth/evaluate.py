"""Measure synth against the sample program's ground truth. Used by tests and the benchmark
scripts; only ever reads the truth file, which the pipeline itself never sees."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from synth.store import Store
from synth.text import WORD_NAMES


def _aligned(store: Store, truth: list[dict]) -> list[tuple[dict, dict]]:
    """(statement row, truth sentence) pairs, matched by the largest character overlap."""
    by_key = {t["note_id"]: t for t in truth}
    out = []
    for r in store.statement_spans():
        t = by_key.get(r["note_key"])
        if t is None:
            continue
        best, best_overlap = None, 0
        for s in t["sentences"]:
            overlap = min(r["end_char"], s["end"]) - max(r["start_char"], s["start"])
            if overlap > best_overlap:
                best, best_overlap = s, overlap
        if best is not None and best_overlap >= 0.5 * (r["end_char"] - r["start_char"]):
            out.append((r, best))
    return out


def issue_detection(store: Store, truth: list[dict], split: str | None = "holdout") -> dict:
    pairs = [(r, s) for r, s in _aligned(store, truth) if split is None or s["split"] == split]
    tp = sum(1 for r, s in pairs if r["is_issue"] and s["kind"] == "issue")
    fp = sum(1 for r, s in pairs if r["is_issue"] and s["kind"] != "issue")
    detected = {(r["note_key"], s["start"]) for r, s in pairs if r["is_issue"] and s["kind"] == "issue"}
    n_true = sum(1 for t in truth for s in t["sentences"] if s["kind"] == "issue" and (split is None or s["split"] == split))
    return dict(precision=tp / max(tp + fp, 1), recall=len(detected) / max(n_true, 1), statements=len(pairs),
                true_issues=n_true)


def theme_agreement(store: Store, truth: list[dict]) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    pairs = [(r, s) for r, s in _aligned(store, truth) if r["is_issue"] and s["kind"] == "issue"]
    themed = [(r, s) for r, s in pairs if r["theme_id"] is not None]
    pred = [r["theme_id"] for r, _ in themed]
    gold = [s["theme"] for _, s in themed]
    return dict(nmi=normalized_mutual_info_score(gold, pred), ari=adjusted_rand_score(gold, pred),
                unthemed=1 - len(themed) / max(len(pairs), 1), statements=len(pairs),
                themes=len(set(pred)), true_themes=len(set(gold)))


def planted_redaction(store: Store, truth: list[dict]) -> dict:
    """Share of planted names, e-mails and phones absent from the stored note text."""
    texts = store.redacted_texts()
    planted = Counter()
    leaked = Counter()
    examples = []
    for t in truth:
        stored = texts.get(t["note_id"])
        if stored is None:
            continue
        original = "\n".join(s["text"] for s in t["sentences"])
        for kind in ("names", "emails", "phones"):
            for value in set(t["planted"][kind]):
                if not _present(value, original, kind):
                    continue
                planted[kind] += 1
                if _present(value, stored, kind):
                    leaked[kind] += 1
                    if len(examples) < 10:
                        examples.append((t["note_id"], value))
    total = sum(planted.values())
    return dict(planted=dict(planted), leaked=dict(leaked), redacted=1 - sum(leaked.values()) / max(total, 1),
                examples=examples)


def _present(value: str, text: str, kind: str) -> bool:
    if kind != "names":
        return value in text
    if " " not in value and value.casefold() in WORD_NAMES:
        # "Will" the name, not "will" the verb: only the capitalised form counts.
        return re.search(rf"\b{re.escape(value)}\b", text) is not None
    return re.search(rf"\b{re.escape(value)}\b", text, re.I) is not None


def surviving_column_names(store: Store, names: set[str]) -> list[str]:
    """Names from the export's partner/executive columns still readable anywhere in the store."""
    text = "\n".join(store.stored_strings())
    words = set(re.findall(r"[\w'-]+", text))
    lower_words = {w.casefold() for w in words}
    folded = text.casefold()
    found = []
    for name in names:
        if " " in name:
            hit = name.casefold() in folded
        elif name.casefold() in WORD_NAMES:
            hit = name in words  # "Will" the name, not "will" the verb
        else:
            hit = name.casefold() in lower_words
        if hit:
            found.append(name)
    return sorted(found)


def nmi_ari(gold: list, pred: list) -> tuple[float, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return normalized_mutual_info_score(gold, pred), adjusted_rand_score(gold, pred)


def same_theme_share(before: dict[int, int | None], after: dict[int, int | None]) -> float:
    common = [s for s in before if s in after and before[s] is not None]
    return float(np.mean([before[s] == after[s] for s in common])) if common else 0.0


def label_retrieval(labels: list[str], centroids, embedder) -> float:
    """Share of themes whose label, embedded, is nearest to that theme's own centroid among all
    themes: a label that says what the theme is about finds its theme."""
    import numpy as np

    if not labels:
        return 0.0
    vectors = np.asarray(embedder.embed(list(labels)), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    nearest = (vectors @ np.asarray(centroids, dtype=np.float32).T).argmax(axis=1)
    return float((nearest == np.arange(len(labels))).mean())
