"""`make bench`: every benchmark script, one after the other, at its default size. Importing
this module runs nothing; `python -m synth.bench.all` does."""

from synth.bench import distributed, fit_sample, ingest, new_issue, pages, realtext, redaction, text, themes, wordnet

BENCHMARKS = (("import", ingest), ("text", text), ("redaction", redaction), ("themes", themes), ("real text", realtext), ("new issue", new_issue),
              ("wordnet", wordnet), ("pages", pages), ("dask import", distributed), ("fit on a sample", fit_sample))


def main() -> None:
    for name, module in BENCHMARKS:
        print(f"\n== {name} ==", flush=True)
        module.main()


if __name__ == "__main__":
    main()
