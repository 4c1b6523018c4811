"""New statements against fitted themes: the nearest theme when it is close enough, the cut a
fit leaves for them, and the themes nearest a theme. Pure: vectors and centroids in, ids out."""

from __future__ import annotations

import numpy as np

from synth.themes.cluster import assign, unit


def assign_vectors(vectors: np.ndarray, theme_ids: list[int], centroids: np.ndarray,
                   threshold: float) -> list[tuple[int | None, float]]:
    """(theme id, similarity) for each vector: its nearest centroid, or None below `threshold`."""
    best, sims = assign(unit(vectors), centroids, threshold)
    return [((theme_ids[b] if b >= 0 else None), float(s)) for b, s in zip(best.tolist(), sims.tolist())]


def admission_threshold(configured: float, last_fit: float | None) -> float:
    """The similarity a new statement needs to join a theme: the one the last fit admitted
    members at (lower than the configured one where the texts needed it; see
    `ThemeClusterer.threshold_`), never above the configured one; the configured one before any fit."""
    return min(configured, last_fit) if last_fit is not None else configured


def related(themes_frame, theme_id: int, n: int = 3) -> list[int]:
    """The n themes whose centroids are closest to this one's."""
    rows = themes_frame[themes_frame["centroid"].notna()]
    if theme_id not in set(rows["id"]) or len(rows) < 2:
        return []
    ids = rows["id"].tolist()
    cents = np.vstack([np.frombuffer(c, dtype=np.float32) for c in rows["centroid"]])
    sims = cents @ cents[ids.index(theme_id)]
    order = [ids[i] for i in np.argsort(-sims) if ids[i] != theme_id]
    return order[:n]
