"""`make bench`: every benchmark script, one after the other, at its default size."""

from synth.bench import ingest, pages, signals, text, themes

for name, module in (("import", ingest), ("text", text), ("themes", themes), ("signals", signals), ("pages", pages)):
    print(f"\n== {name} ==", flush=True)
    module.main()
