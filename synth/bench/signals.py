"""All signals for 100,000 statements (issue: signals).

    .venv/bin/python -m synth.bench.signals [N]
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from synth import signals
from synth.bench.common import timed
from synth.sample import REGIONS


def synthetic(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    offices = [(r, o) for r, os_ in REGIONS.items() for o in os_]
    which = rng.integers(0, len(offices), n)
    days = pd.Timestamp("2025-05-01") + pd.to_timedelta(rng.integers(0, 548, n), unit="D")
    df = pd.DataFrame({
        "statement_id": np.arange(n), "theme_id": pd.array(rng.integers(0, 40, n), dtype="Int64"),
        "meeting_date": days, "region": [offices[i][0] for i in which], "office": [offices[i][1] for i in which],
        "partner_key": [f"p{i}" for i in rng.integers(0, 800, n)], "note_id": rng.integers(0, n // 2, n),
    })
    return df


def main(n: int = 100_000) -> None:
    df = synthetic(n)
    notes = df.drop_duplicates("note_id")
    with timed(f"all signals for {n:,} statements (total)"):
        with timed("  ranked (surfacing + corroboration)"):
            signals.ranked(df, df)
        with timed("  volume by region and month"):
            signals.volume(df, by=("region",), freq="M")
        with timed("  theme x region matrix with suppression"):
            signals.region_matrix(df, "region")
        with timed("  theme x office matrix with suppression"):
            signals.region_matrix(df, "office")
        with timed("  coverage"):
            signals.coverage(notes)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
