"""The embedding cache: one vector per statement text and embedding model."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from synth.store.schema import embeddings


class Embeddings:
    def cached_embeddings(self, hashes: Sequence[str], model: str) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(hashes), 500):
                chunk = list(hashes[i:i + 500])
                for h, blob in conn.execute(sa.select(embeddings.c.text_hash, embeddings.c.vector).where(
                        embeddings.c.model == model, embeddings.c.text_hash.in_(chunk))):
                    out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    def save_embeddings(self, vectors: dict[str, np.ndarray], model: str, conn: Connection | None = None) -> None:
        rows = [dict(text_hash=h, model=model, vector=np.asarray(v, dtype=np.float32).tobytes())
                for h, v in vectors.items()]
        if not rows:
            return
        if conn is None:
            with self.engine.begin() as c:
                c.execute(embeddings.insert(), rows)
        else:
            conn.execute(embeddings.insert(), rows)

