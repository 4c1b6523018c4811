"""What a theme fit on a sample costs (SYNTH_FIT_SAMPLE_ABOVE), on the public labelled text of
`synth.bench.realtext` (installed by `make bench-data`):

    .venv/bin/python -m synth.bench.fit_sample [N] [K,K,...] [SET ...]   (default: 4,000 texts; samples of 1,000 and 2,000)

Per set, synth's `ThemeClusterer` with its defaults fitted on every text, then on a sample of K
texts with the rest joining the nearest theme (`ThemeClusterer.predict`): NMI over all texts
(unthemed texts as one group, as in realtext) and what the sample costs against the full fit.
"""

from __future__ import annotations

import sys
import time

from synth.bench import realdata
from synth.bench.realtext import _scores
from synth.embed import MiniLMEmbedder
from synth.themes import ThemeClusterer


def main(n: int = 4000, sizes: tuple[int, ...] = (1000, 2000), names: list[str] | None = None) -> dict:
    """What fitting on a sample costs (SYNTH_FIT_SAMPLE_ABOVE): per set, synth's NMI when every
    text is clustered, and when a random sample of each size is (these texts have no partners or
    places to stratify by) and the rest join the nearest theme (`ThemeClusterer.predict`)."""
    from synth.themes.fit import stratified_sample

    installed = realdata.available()
    emb = MiniLMEmbedder()
    out = {}
    print("| set | texts | fitted on | themes | unthemed | NMI | NMI themed | cost in NMI | s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in names or list(realdata.SETS):
        if not installed.get(name):
            print(f"| {name} | not installed: run `make bench-data` | | | | | | | |")
            continue
        texts, gold = realdata.SETS[name][0](n)
        vectors = emb.embed(texts)
        full_nmi = None
        for size in (len(texts), *sizes):
            t = time.perf_counter()
            if size >= len(texts):
                labels = ThemeClusterer().fit(vectors).labels_
            else:
                picked = stratified_sample([0] * len(texts), size, seed=42)
                fitted = ThemeClusterer().fit(vectors[picked])
                labels = fitted.predict(vectors)
                labels[picked] = fitted.labels_
            seconds = time.perf_counter() - t
            themes_n, unthemed, nmi, _, nmi_t = _scores(gold, labels)
            full_nmi = nmi if full_nmi is None else full_nmi
            out[(name, size)] = dict(nmi=nmi, cost=full_nmi - nmi)
            print(f"| {name} | {len(texts):,} | {min(size, len(texts)):,} | {themes_n} | {unthemed:.1%} | {nmi:.3f} | "
                  f"{nmi_t:.3f} | {full_nmi - nmi:+.3f} | {seconds:.1f} |", flush=True)
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 4000, tuple(int(k) for k in args[1].split(",")) if len(args) > 1 else (1000, 2000),
         args[2:] or None)
