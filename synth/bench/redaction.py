"""Redaction recall and precision (issue 15, Deliver 3).

    .venv/bin/python -m synth.bench.redaction [--show-heldout] [--no-sample]

On the crafted cases (synth/bench/redaction_cases.py), per half:
- recall: share of the marked personal details wholly redacted (every letter and digit of the
  marked text inside a redacted span);
- precision: share of redacted spans that touch a marked detail (a span that touches none is
  over-redaction);
- kept: share of the words marked as must-survive that no span touches.
Misses and over-redactions are printed for the dev half only, unless --show-heldout.

On the bundled sample (data/sample_notes.csv), against the planted names, e-mails and phones
that data/sample_notes.truth.jsonl lists: recall as synth.evaluate counts it (the value is
absent from the note's redacted text), and precision as the share of redacted spans whose
original text is part of a planted value."""

from __future__ import annotations

import re
import sys
from collections import Counter
from datetime import date

from synth import evaluate, ingest, sample, text
from synth.bench.redaction_cases import CASES
from synth.config import PROJECT_ROOT
from synth.records import Note


def _note(body: str, roster: tuple[str, ...] = (), key: str = "c1") -> Note:
    partner, executive = (list(roster) + ["", ""])[:2]
    return Note(1, key, date(2026, 1, 1), "Southwest", "Plano", partner, executive, body)


def _covered(a: int, b: int, spans, body: str) -> bool:
    return all(any(x <= i < y for x, y, _ in spans) for i in range(a, b) if body[i].isalnum())


def _touched(a: int, b: int, spans, body: str) -> bool:
    return any(x < b and a < y for x, y, _ in spans if body[max(x, a):min(y, b)].strip(" .,;:()'-"))


def crafted(nlp=None) -> dict[str, dict]:
    nlp = nlp or text.load_nlp()
    out: dict[str, dict] = {}
    for case in CASES:
        r = out.setdefault(case.split, dict(secrets=0, caught=0, spans=0, true_spans=0, keeps=0, kept=0,
                                            by_kind=Counter(), missed_by_kind=Counter(), misses=[], over=[]))
        body = case.text
        ctx = text.Context.from_notes([_note(body, case.roster)])
        spans = text.redaction_spans(nlp(body), ctx)
        for a, b in case.secrets:
            r["secrets"] += 1
            r["by_kind"][case.kind] += 1
            if _covered(a, b, spans, body):
                r["caught"] += 1
            else:
                r["missed_by_kind"][case.kind] += 1
                r["misses"].append(f"{body[a:b]!r} in {body!r}")
        for x, y, tag in spans:
            r["spans"] += 1
            if any(x < b and a < y for a, b in case.secrets):
                r["true_spans"] += 1
            else:
                r["over"].append(f"{tag} {body[x:y]!r} in {body!r}")
        for a, b in case.keeps:
            r["keeps"] += 1
            if not _touched(a, b, spans, body):
                r["kept"] += 1
            else:
                r["over"].append(f"must survive {body[a:b]!r} in {body!r}")
    return out


def sample_figures(nlp=None) -> dict:
    """Recall and precision on the bundled sample's planted items."""
    nlp = nlp or text.load_nlp()
    truth = {t["note_id"]: t for t in sample.load_truth(PROJECT_ROOT / "data" / "sample_notes.truth.jsonl")}
    _, parsed = ingest.parse_file(PROJECT_ROOT / "data" / "sample_notes.csv", 2 ** 30)
    notes = [n for n in parsed.notes if n.note_key in truth]
    ctx = text.Context.from_notes(notes)
    done = text.process_notes(notes, ctx, nlp=nlp, n_process=1)
    planted = leaked = spans_n = true_spans = 0
    over: Counter = Counter()
    by_tag: dict[str, list[int]] = {}
    for note, p, doc in zip(notes, done, nlp.pipe(n.text for n in notes)):
        t = truth[note.note_key]
        values = [v for kind in ("names", "emails", "phones") for v in t["planted"][kind]]
        for kind in ("names", "emails", "phones"):
            for v in set(t["planted"][kind]):
                if evaluate._present(v, note.text, kind):
                    planted += 1
                    leaked += evaluate._present(v, p.redacted_text, kind)
        for a, b, tag in text.redaction_spans(doc, ctx):
            spans_n += 1
            piece = note.text[a:b]
            words = [w for w in re.findall(r"[\w@.+'-]+", piece) if w.strip(".'-")]
            tally = by_tag.setdefault(tag, [0, 0])
            tally[1] += 1
            if words and all(any(w.strip(".'-").casefold() in v.casefold() for v in values) for w in words):
                true_spans += 1
                tally[0] += 1
            else:
                over[f"{tag} {piece}"] += 1
    return dict(notes=len(notes), planted=planted, leaked=leaked, recall=1 - leaked / max(planted, 1),
                spans=spans_n, precision=true_spans / max(spans_n, 1), over=over, by_tag=by_tag)


def main(argv: list[str] | None = None) -> None:
    argv = argv or []
    nlp = text.load_nlp()
    for split, r in sorted(crafted(nlp).items()):
        print(f"crafted {split} half: recall {r['caught'] / r['secrets']:.3f} ({r['caught']}/{r['secrets']} details), "
              f"precision {r['true_spans'] / max(r['spans'], 1):.3f} ({r['true_spans']}/{r['spans']} spans), "
              f"must-survive words kept {r['kept']}/{r['keeps']}")
        print("  missed by kind: " + ", ".join(f"{k} {r['missed_by_kind'][k]}/{n}" for k, n in sorted(r["by_kind"].items())))
        if split == "dev" or "--show-heldout" in argv:
            for label in ("misses", "over"):
                for line in r[label]:
                    print(f"  {'missed' if label == 'misses' else 'over-redacted'}: {line}")
    if "--no-sample" not in argv:
        s = sample_figures(nlp)
        print(f"bundled sample ({s['notes']:,} notes): recall {s['recall']:.4f} "
              f"({s['planted'] - s['leaked']:,}/{s['planted']:,} planted names, e-mails, phones), "
              f"precision {s['precision']:.4f} of {s['spans']:,} redacted spans")
        print("  precision by placeholder (the sample plants no IDs: its meeting IDs count against [ID]): " + ", ".join(
            f"{tag} {ok / n:.3f} of {n:,}" for tag, (ok, n) in sorted(s["by_tag"].items())))
        for piece, n in s["over"].most_common(15):
            print(f"  over-redacted x{n}: {piece}")


if __name__ == "__main__":
    main(sys.argv[1:])
