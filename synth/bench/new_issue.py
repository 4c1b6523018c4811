"""A new issue surfacing on its own (issue: a theme's life): the bundled sample imported and
fitted, then an import of notes where twelve partners in four regions raise an issue in words no
theme uses.

    .venv/bin/python -m synth.bench.new_issue [NOTES]     (default: the bundled sample, 3,200 notes)

Prints the share of the planted statements in one theme that did not exist before the import,
without a refit and after one, whether that theme is provisional and new, and how many existing
themes became surfacing with the import (should be none).
"""

from __future__ import annotations

import csv
import sys
import time

from synth import pipeline, sample, signals
from synth.bench.common import scratch
from synth.store import open_store

PLANTED = [  # one new issue, said by twelve partners in words no theme of the sample uses
    "The e-signature vendor rejects consent forms that were scanned in colour.",
    "Our e-signature tool bounces any consent PDF scanned from a phone.",
    "Docusign-style e-sign keeps refusing the scanned consent paperwork.",
    "Consent forms fail the e-signature check whenever they are scans.",
    "e-signature rejects scanned consents, so patients sign twice",
    "The electronic signature system will not accept scanned consent documents.",
    "Scanned consent forms get kicked back by the e-signature platform every time.",
    "The e-sign vendor says our scanned consent files are invalid.",
    "Every scanned consent form is rejected by e-signature validation.",
    "e-signature validation errors on all the consent forms we scan",
    "Patients' consent scans keep failing e-signature verification.",
    "The e-signature service refuses consent forms that come from the scanner.",
]

REGIONS = [("Southwest", "Plano"), ("Midwest", "Chicago"), ("West", "Denver"), ("Northeast", "Boston")]


def planted_rows(n: int = 24) -> list[list[str]]:
    return [[f"N{9000 + i}", f"2026-10-{1 + i % 28:02d}", *REGIONS[i % 4], f"Partner{i % 12} Planted", "Wei Zhang",
             PLANTED[i % len(PLANTED)]] for i in range(n)]


def _share(store) -> tuple[object, float, int]:
    frame = store.statements_frame()
    themed = frame[frame["text"].isin(PLANTED)]["theme_id"]
    counts = themed.value_counts(dropna=False)
    return counts.index[0], counts.iloc[0] / max(len(themed), 1), len(themed)


def main(n_notes: int = 3200) -> None:
    folder, settings = scratch("new-issue")
    export, _ = sample.write(folder, n_notes=n_notes, seed=7, name="notes")
    store = open_store(settings)
    t = time.perf_counter()
    pipeline.import_file(store, settings, export)
    pipeline.fit(store, settings)
    print(f"{n_notes:,} sample notes imported and fitted in {time.perf_counter() - t:.1f} s")
    before = set(store.themes_frame(include_hidden=True)["id"])
    surfacing = set(signals.ranked(store.tally()).query("surfacing")["theme_id"])
    path = folder / "planted.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([["Session ID", "Meeting Date", "Region", "Office", "Frontline Partner", "Executive",
                                   "Meeting Notes"], *planted_rows()])
    summary = pipeline.import_file(store, settings, path)
    top, share, n = _share(store)
    ranked = signals.ranked(store.tally()).set_index("theme_id")
    pushed = (set(ranked[ranked["surfacing"]].index) & before) - surfacing
    label = store.themes_frame().set_index("id")["label"].get(top, "(unthemed)")
    print(f"without a refit: {share:.0%} of {n} planted statements in theme #{top} \"{label}\" "
          f"({'new' if top not in before else 'an existing theme'}, provisional themes formed: {summary.new_themes}, "
          f"marked new: {bool(ranked['new'].get(top, False))}); existing themes pushed to surfacing: {len(pushed)}")
    provisional = store.themes_frame().query("provisional.astype('bool')", engine="python")
    print("provisional themes: " + "; ".join(f"#{r.id} \"{r.label}\"" for r in provisional.itertuples()))
    kept_id = top
    pipeline.fit(store, settings)
    top, share, n = _share(store)
    sizes = store.statements_frame()["theme_id"].value_counts()
    label = store.themes_frame().set_index("id")["label"].get(top, "(unthemed)")
    print(f"after a refit:   {share:.0%} of {n} planted statements in one theme (#{top} \"{label}\", "
          f"{int(sizes.get(top, 0))} statements; {'same id as the provisional theme' if top == kept_id else 'a new id'})")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
