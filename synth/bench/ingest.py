"""Import speed (issue: foundation). Generates N notes (default 100,000) and prints notes/s for
(a) reading + validating the file, (b) writing validated notes to SQLite in one transaction
(without the spaCy stage), and (c) the full import, spaCy stage included, on a subset
(SYNTH_BENCH_FULL_NOTES, default 10,000) since the spaCy stage dominates.

    .venv/bin/python -m synth.bench.ingest [N]
"""

from __future__ import annotations

import sys

from synth import ingest, pipeline, sample
from synth.bench.common import scratch, timed
from synth.records import ProcessedNote
from synth.store import open_store


def main(n: int = 100_000, full: int = 10_000) -> None:
    folder, settings = scratch("ingest")
    with timed(f"generate {n:,} notes"):
        export, _ = sample.write(folder, n_notes=n, seed=5, name="big")
    print(f"file: {export.stat().st_size / 1e6:.0f} MB")
    with timed(f"read + validate {n:,} notes", n, "notes"):
        _, parsed = ingest.parse_file(export, settings.max_upload_bytes)
    store = open_store(settings)
    with timed(f"write {n:,} notes to SQLite (one transaction)", n, "notes"):
        store.write_import(file_name="big.csv", sha256="bench", who="bench", rows_total=n, rows_skipped=0,
                           processed=[ProcessedNote(p, p.text) for p in parsed.notes], store_raw_text=False)
    with timed(f"re-import the same {n:,} notes (all duplicates)", n, "notes"):
        s = store.write_import(file_name="big.csv", sha256="bench", who="bench", rows_total=n, rows_skipped=0,
                               processed=[ProcessedNote(p, p.text) for p in parsed.notes], store_raw_text=False)
    assert s.notes_added == 0
    store.close()
    _, settings2 = scratch("ingest-full")
    sub, _ = sample.write(folder, n_notes=full, seed=6, name="full")
    store2 = open_store(settings2)
    with timed(f"full import of {full:,} notes (read, spaCy, redact, store)", full, "notes"):
        pipeline.import_file(store2, settings2, sub, assign=False)
    store2.close()


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
