"""Stable theme ids and labels across refits: a new theme keeps the id of the old theme most of
its statements came from; lineage records where each theme came from (same / split / merge);
a theme whose content did not change materially keeps its label."""

from __future__ import annotations

from collections import Counter

import numpy as np

from synth.embed import Embedder
from synth.themes.cluster import unit
from synth.themes.records import FitResult

SAME_THEME_OVERLAP = 0.5  # share of a new theme's statements, or of an old theme's, that one overlap must hold


def match_to_previous(result: FitResult, previous: dict[int, set[int]], next_id: int) -> tuple[FitResult, list[dict]]:
    """Give each new theme the id of an old theme it continues: most of the new theme's
    statements came from it, or the new theme holds most of the old one's statements and draws
    more from it than from any other old theme (the old theme survives there, with its edges
    redrawn). The largest overlap claims an id first. Returns the renumbered result and lineage
    rows (same / split / merge)."""
    old_of = {s: t for t, members in previous.items() for s in members}
    pairs = []
    for theme in result.themes:
        counts = Counter(old_of[s] for s in theme.members if s in old_of)
        largest = max(counts.values(), default=0)
        for old, c in counts.items():
            continues = (c / max(len(theme.members), 1) >= SAME_THEME_OVERLAP
                         or (c == largest and c / max(len(previous[old]), 1) >= SAME_THEME_OVERLAP))
            pairs.append((c / max(len(theme.members), 1), c, theme.id, old, continues))
    # The largest overlap claims an old id first: sorted by share instead, a small piece split
    # off an old theme (all of it from there) took the id from the piece holding most of it.
    pairs.sort(key=lambda p: (p[1], p[0]), reverse=True)
    new_id: dict[int, int] = {}
    claimed: set[int] = set()
    lineage: list[dict] = []
    for _share, _count, tid, old, continues in pairs:
        if tid in new_id or old in claimed or not continues:
            continue
        new_id[tid] = old
        claimed.add(old)
    for theme in sorted(result.themes, key=lambda t: -len(t.members)):
        if theme.id not in new_id:
            new_id[theme.id] = next_id
            next_id += 1
    for share, c, tid, old, _ in pairs:
        if c >= 5 and share >= 0.2:
            kind = "same" if new_id[tid] == old else ("split" if old in claimed else "merge")
            lineage.append(dict(theme_id=new_id[tid], source_theme_id=old, kind=kind, overlap=round(share, 3)))
    for t in result.themes:
        t.id = new_id[t.id]
    result.assignment = {s: ((new_id[t] if t is not None else None), sim) for s, (t, sim) in result.assignment.items()}
    return result, lineage


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
