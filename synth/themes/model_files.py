"""Model files: what a fit leaves under models/run-NNNN, enough to assign new statements
without the notes (centroids, labels, the admission threshold and the versions that made them).
A fit writes its folder as .tmp-run-* and renames it after its transaction commits
(`synth.pipeline.fit`); `remove_stale_folders` clears those of fits that died while writing."""

from __future__ import annotations

import json
import shutil
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import numpy as np

from synth.errors import NotFound
from synth.themes.records import FitResult

MODEL_FORMAT = 2  # 2: Leiden communities, no UMAP


def save_model(folder: Path, result: FitResult, run_id: int, embedder_id: str, name: str | None = None) -> Path:
    """Everything needed to assign new statements without the notes: centroids, labels, and
    the versions that made them. In `folder/name` (default `run-NNNN`)."""
    path = Path(folder) / (name or f"run-{run_id:04d}")
    path.mkdir(parents=True, exist_ok=True)
    np.save(path / "centroids.npy", np.vstack([t.centroid for t in result.themes]) if result.themes else np.zeros((0, 384)))
    (path / "themes.json").write_text(json.dumps([
        dict(id=t.id, label=t.label, description=t.description, keywords=t.keywords, area=t.area, size=len(t.members))
        for t in result.themes], indent=1))
    (path / "manifest.json").write_text(json.dumps(dict(
        format=MODEL_FORMAT, run_id=run_id, embedder=embedder_id, params=result.params,
        created=datetime.now(timezone.utc).isoformat(),
        versions={p: version(p) for p in ("bertopic", "igraph", "scikit-learn", "numpy", "spacy", "onnxruntime")},
    ), indent=1))
    return path


def load_model(path: Path) -> tuple[list[dict], np.ndarray, dict]:
    path = Path(path)
    if not (path / "manifest.json").exists():
        raise NotFound(f"No theme model at {path}. Run `synth fit` to make one.")
    manifest = json.loads((path / "manifest.json").read_text())
    return json.loads((path / "themes.json").read_text()), np.load(path / "centroids.npy"), manifest


def remove_stale_folders(models: Path, older_than_s: float = 24 * 3600) -> None:
    """Temporary model folders of fits that died while writing (older than a day, so a fit
    writing right now is never touched)."""
    for path in Path(models).glob(".tmp-run-*"):
        if time.time() - path.stat().st_mtime > older_than_s:
            shutil.rmtree(path, ignore_errors=True)
