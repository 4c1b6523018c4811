"""The real-data loaders of synth.bench.realdata: each installed set gives the same fixed-seed sample
twice, at least 6 labels (TREC's coarse types) and no empty text; a set whose package is missing is skipped with the reason
(`make bench-data` installs them all)."""

from __future__ import annotations

import pytest

from synth.bench import realdata


@pytest.mark.parametrize("name", sorted(realdata.SETS))
def test_loader_is_fixed_and_labelled(name: str) -> None:
    loader, _, _ = realdata.SETS[name]
    try:
        texts, labels = loader(500, seed=3)
    except realdata.MissingData as e:
        pytest.skip(str(e))
    assert (texts, labels) == loader(500, seed=3)
    assert 0 < len(texts) <= 500 and len(texts) == len(labels)
    assert all(t.strip() for t in texts)
    assert all(len(t.split()) <= realdata.MAX_WORDS for t in texts)
    assert len(set(labels)) >= 6, f"{name}: {len(set(labels))} labels"
    assert loader(500, seed=4) != (texts, labels)


def test_missing_package_names_what_to_install() -> None:
    with pytest.raises(realdata.MissingData, match="no-such-package"):
        realdata._package_dir("no_such_module_for_synth", "no-such-package")


def test_clean_cuts_long_texts_at_a_sentence_end() -> None:
    long = "One two three four five. " * 20
    out = realdata.clean(long, max_words=12)
    assert out == "One two three four five. One two three four five."
    assert realdata.clean("a &amp; b\n\n c") == "a & b c"
