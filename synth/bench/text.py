"""spaCy stage throughput and quality (issue: text pipeline).

    .venv/bin/python -m synth.bench.text [N]     (default 10,000 notes)

Prints notes/s for redaction + segmentation + classification + keyphrases, then, on the
bundled sample's held-out phrasings, issue-detection precision/recall and the share of
planted names, e-mails and phones redacted."""

from __future__ import annotations

import sys

from synth import evaluate, ingest, pipeline, sample, text
from synth.bench.common import scratch, timed
from synth.config import PROJECT_ROOT
from synth.store import open_store


def main(n: int = 10_000) -> None:
    folder, settings = scratch("text")
    export, _ = sample.write(folder, n_notes=n, seed=8, name="notes")
    _, parsed = ingest.parse_file(export, settings.max_upload_bytes)
    nlp = text.load_nlp()
    with timed(f"spaCy stage on {n:,} notes (2 processes)", n, "notes"):
        text.process_notes(parsed.notes, nlp=nlp, n_process=2)
    with timed("spaCy stage on 2,000 notes (1 process)", 2000, "notes"):
        text.process_notes(parsed.notes[:2000], nlp=nlp, n_process=1)

    store = open_store(settings)
    pipeline.import_file(store, settings, PROJECT_ROOT / "data" / "sample_notes.csv", assign=False)
    truth = sample.load_truth(PROJECT_ROOT / "data" / "sample_notes.truth.jsonl")
    for split in ("holdout", "dev"):
        r = evaluate.issue_detection(store, truth, split)
        print(f"issue detection ({split} phrasings): precision {r['precision']:.3f}, recall {r['recall']:.3f} "
              f"over {r['true_issues']:,} true issue sentences")
    r = evaluate.planted_redaction(store, truth)
    print(f"redaction: {r['redacted']:.4%} of {sum(r['planted'].values()):,} planted items "
          f"(planted {r['planted']}, leaked {r['leaked']})")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
