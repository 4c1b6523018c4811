"""What a theme says: its label, keywords, representative quotes and broad area.

    keywords:  BERTopic's c-TF-IDF over the statements' lemmatised noun phrases (+ MMR)
    labels:    a short phrase per theme (2-7 words) taken from its own statements: the phrase that
               is used widely in the theme, rarely elsewhere, and whose embedding is nearer this
               theme's centre than any other's; spelled as most statements spell it; unique
    quotes:    statements central to the theme and different from each other (MMR)
    areas:     themes whose centroids are close share a broad area
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Sequence

import numpy as np

from synth.embed import Embedder
from synth.gist import REPORTING_LEMMAS
from synth.text import PLACEHOLDERS, PROGRAM_WORDS
from synth.themes.cluster import unit
from synth.themes.records import Theme, ThemeInput


def stop_words() -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    extra = {p.strip("[]").lower() for p in PLACEHOLDERS} | set(PROGRAM_WORDS)
    return sorted(set(ENGLISH_STOP_WORDS) | extra)


PHRASE_END = "|"


def _docs(items: Sequence[ThemeInput]) -> list[str]:
    # c-TF-IDF runs over lemmatised noun phrases, not raw text: filler verbs and names never
    # reach the keywords. Each phrase ends with a marker so that BERTopic's joining of a
    # theme's documents never glues two phrases into a false bigram ("visit new"). A statement
    # without keyphrases contributes its words, one by one: with none at all the vocabulary
    # would be empty and the fit would fail.
    return ["".join(k + PHRASE_END for k in (i.keyphrases or re.findall(r"[a-z][a-z-]+", i.text.lower())))
            for i in items]


def _vectorizer(analyzer):
    """c-TF-IDF's term counts over the themes' joined text, keeping terms seen at least twice in
    all (a typo seen once never becomes a keyword), or every term when that leaves fewer than
    two (BERTopic's c-TF-IDF fails on a one-term vocabulary, and on none). Not `min_df=2`: the
    documents here are whole themes, and a term only one theme uses is its best keyword."""
    from collections import Counter

    from sklearn.feature_extraction.text import CountVectorizer

    class Vectorizer(CountVectorizer):
        def fit_transform(self, raw_documents, y=None):
            raw_documents = list(raw_documents)
            counts = Counter(t for doc in raw_documents for t in analyzer(doc))
            seen_twice = {t for t, n in counts.items() if n >= 2}
            keep = seen_twice if len(seen_twice) >= 2 else set(counts)
            self.analyzer = lambda doc: [t for t in analyzer(doc) if t in keep]
            return super().fit_transform(raw_documents, y)

    return Vectorizer(analyzer=analyzer)


class PhraseAnalyzer:
    """CountVectorizer analyzer: each keyphrase, and its words, minus stop words."""

    def __init__(self, stop: set[str]):
        self.stop = stop

    def __call__(self, doc: str) -> list[str]:
        out = []
        for phrase in doc.split(PHRASE_END):
            words = [w for w in phrase.split() if w not in self.stop and len(w) > 1]
            if not words:
                continue
            out.extend(words)
            if len(words) > 1:
                out.append(" ".join(words))
        return out


def keywords(items: Sequence[ThemeInput], X: np.ndarray, topics: np.ndarray,
             embedder: Embedder | None, top_n: int = 10, places: set[str] = frozenset()) -> dict[int, list[str]]:
    """Each theme's c-TF-IDF keywords (MMR-diversified when an embedder is given), by BERTopic
    over the themes we found: its own dimensionality reduction and clustering are skipped."""
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from bertopic.representation import MaximalMarginalRelevance
    from bertopic.vectorizers import ClassTfidfTransformer

    if not (topics >= 0).any():
        return {}
    model = BERTopic(
        embedding_model=_Backend(embedder).model if embedder else None,
        umap_model=BaseDimensionalityReduction(), hdbscan_model=BaseCluster(),
        # Place names (and each of their words) never become keywords: "Salt Lake City" says where,
        # not what.
        vectorizer_model=_vectorizer(PhraseAnalyzer(set(stop_words()) | {w for p in places for w in p.split()})),
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        representation_model=MaximalMarginalRelevance(diversity=0.3) if embedder else None,
        top_n_words=top_n, calculate_probabilities=False,
    )
    model.fit(_docs(items), embeddings=X, y=topics.tolist())
    # BERTopic renumbers topics by size; map its ids back to ours through the documents.
    out: dict[int, list[str]] = {}
    for ours, theirs in zip(topics.tolist(), model.topics_):
        if ours >= 0 and ours not in out and theirs >= 0:
            out[ours] = [w for w, _ in (model.get_topic(theirs) or []) if w]
    return out


class _Backend:
    """BERTopic's embedder interface over ours (used for MMR keywords only)."""

    def __init__(self, embedder: Embedder):
        from bertopic.backend import BaseEmbedder

        class _B(BaseEmbedder):
            def embed(self_inner, documents, verbose=False):
                return embedder.embed(list(documents))

        self.model = _B()


LABEL_WORDS = (2, 7)  # a label is a phrase of this many words
# Words a label may neither start nor end with (articles, pronouns, prepositions...), minus the
# particles and negations that carry the issue ("logs us out", "no signal", "too long").
_KEEP_AT_EDGE = frozenset("no not never out up off down back over too again enough without".split())
# Parts of speech a label may not end with ("interpreter services take too", "offline mode for
# the app would save"): a phrase cut off before its point. Particles ("logs us out") may end it.
_BAD_LAST_POS = frozenset({"VERB", "AUX", "ADP", "DET", "PRON", "CCONJ", "SCONJ", "PART", "ADV", "NUM"})
_GOOD_LAST_WORDS = frozenset("out up off down back over again enough".split())
# A label stays inside one clause: punctuation, and the conjunctions that join two clauses, end
# it ("Supply deliveries arrive late and customers" was a label cut across "and").
_CLAUSE_BREAK = re.compile(r"[,.;:!?()&\"\u2014\u2013]|\b(?:and|but|or|so|because|while|whereas|although|though)\b",
                           re.I)
_WORD = re.compile(r"\[\w+\]|[A-Za-z0-9][\w'&/+-]*")  # a placeholder ("[PERSON]") is one word
MAX_CANDIDATES = 25  # shared phrases per theme that are embedded and compared with every centre
CENTRAL_STATEMENTS = 3  # ... plus the 3+ word phrases of this many of its most central statements


# Function words: articles, pronouns, prepositions, conjunctions, auxiliaries. (sklearn's stop
# list is no use here: it holds content words such as "full", "fire" and "system".)
_FUNCTION_WORDS = frozenset("""a an the this that these those my our your his her its their me us you him them it i we they
she he who whom whose which what when where why how of in on at to for from by with about as into onto upon than then
and or but nor so yet if because while although though since unless until whether is are was were be been being am
do does did doing have has had having will would shall should can could may might must just also very really quite
some any each every all both either neither such there here s t re ve ll d m""".split())


def _edge_words() -> frozenset[str]:
    return _FUNCTION_WORDS - _KEEP_AT_EDGE


def _spans(text: str, edge: frozenset[str], banned: frozenset[str]) -> set[tuple[str, str]]:
    """(lower-case key, surface form) of every 2-7 word span inside one clause of the text that
    neither starts nor ends with a function word and holds no placeholder or place word."""
    out: set[tuple[str, str]] = set()
    lo_n, hi_n = LABEL_WORDS
    for segment in _CLAUSE_BREAK.split(text):
        words = _WORD.findall(segment)
        lows = [w.lower() for w in words]
        for i in range(len(words)):
            if lows[i] in edge or words[i].startswith("["):
                continue
            for j in range(i + lo_n, min(i + hi_n, len(words)) + 1):
                last = lows[j - 1]
                if last in edge or words[j - 1].startswith("["):
                    continue
                part = lows[i:j]
                # "columbus's" names Columbus as much as "columbus" does
                if any(w.startswith("[") or w in banned or w.removesuffix("'s") in banned for w in part) \
                        or all(w.isdigit() for w in part):
                    continue
                out.add((" ".join(part), " ".join(words[i:j])))
    return out


def spacy_pos_tagger():
    """Parts of speech of short phrases, by the pinned spaCy model's tagger: the model
    `spacy_parser` loads, so labelling loads it once (the text stage's pipeline would also run
    the redactor on every phrase; the tags are the same, checked on 5,571 sample phrases)."""
    nlp = _parsing_nlp()
    return lambda phrases: [[t.pos_ for t in doc] for doc in nlp.pipe(phrases, disable=["parser"])]


@functools.lru_cache(maxsize=1)
def _parsing_nlp():
    from synth.text import load_spacy_model

    return load_spacy_model(exclude=["ner"])


def spacy_parser():
    """Dependency parses of statements, by the pinned en_core_web_sm with its parser (which the
    text stage leaves out): loaded once per process."""
    nlp = _parsing_nlp()
    return lambda texts: list(nlp.pipe(texts, batch_size=256))


EXAMPLES_PER_PHRASE = 3  # statements parsed to judge whether a phrase is a whole phrase in them


def _is_whole(span) -> bool:
    """A span of a parsed statement is a whole phrase when it hangs from one word (its root) and
    cuts no other word off from its own dependents: "login timeout on the new CRM" is whole in
    "there is a login timeout on the new CRM every morning"; "app has no offline" (cut before
    "mode") and "warehouse come with the wrong items half" (cut out of "orders from the
    warehouse" and "half the time") are not."""
    roots = [t for t in span if t.head.i < span.start or t.head.i >= span.end or t.head.i == t.i]
    if len(roots) != 1 or roots[0].lemma_.lower() in REPORTING_LEMMAS:
        return False
    root = roots[0].i
    if span[0].pos_ == "AUX":
        after = next((t for t in span[1:] if t.dep_ != "neg"), None)
        if after is None or after.pos_ not in ("VERB", "AUX", "ADV"):
            return False  # a question's inverted start ("can't the app queue orders"), not "can't log in"
    # a word of the span other than its root may lose only its article ("app" in "the app")
    return not any(t.head.i != root and span.start <= t.head.i < span.end and t.dep_ != "det"
                   for t in span.doc if not span.start <= t.i < span.end)


def _span_in(doc, key: str):
    """The tokens of `doc` that the phrase `key` (lower-case words) covers, or None."""
    words = [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(doc.text)]
    want = key.split()
    for i in range(len(words) - len(want) + 1):
        if [w for w, _, _ in words[i:i + len(want)]] == want:
            return doc.char_span(words[i][1], words[i + len(want) - 1][2], alignment_mode="expand")
    return None


def _whole_phrases(texts: Sequence[str], topics: np.ndarray, spans_of: list[set[tuple[str, str]]],
                   candidates: dict[int, list[str]], parser) -> dict[int, set[str]]:
    """Per theme, the candidates that are a whole phrase (`_is_whole`) in at least one of up to
    EXAMPLES_PER_PHRASE of the theme's statements that use them."""
    examples: dict[tuple[int, str], list[int]] = {}
    for t, ks in candidates.items():
        wanted = set(ks)
        for r in np.flatnonzero(topics == t).tolist():
            for k, _ in spans_of[r]:
                if k in wanted:
                    rows = examples.setdefault((t, k), [])
                    if len(rows) < EXAMPLES_PER_PHRASE:
                        rows.append(r)
    needed = sorted({r for rows in examples.values() for r in rows})
    docs = dict(zip(needed, parser([texts[r] for r in needed])))
    whole: dict[int, set[str]] = {t: set() for t in candidates}
    for (t, k), rows in examples.items():
        if any((span := _span_in(docs[r], k)) is not None and _is_whole(span) for r in rows):
            whole[t].add(k)
    return whole


def _complete(phrase: str, tags: list[str]) -> bool:
    last = phrase.split()[-1].lower()
    return bool(tags) and (tags[-1] not in _BAD_LAST_POS or last in _GOOD_LAST_WORDS)


def phrase_labels(texts: Sequence[str], topics: np.ndarray, centroids: np.ndarray, embedder: Embedder | None,
                  places: set[str] = frozenset(), fallback: dict[int, list[str]] | None = None,
                  tagger=None, vectors: np.ndarray | None = None, parser=None) -> dict[int, str]:
    """A readable label per theme, e.g. "logs us out in the middle of a visit": see the module
    docstring. Without an embedder, the most widely used distinctive phrase wins. `tagger`
    (phrases -> parts of speech per word) drops phrases cut off before their point. `vectors`
    (the texts' unit embeddings): phrases of the theme's most central statements are candidates
    too, for text where people share few exact phrases. `parser` (texts -> spaCy Docs with
    dependencies): only phrases that are whole in the statements they come from are labels
    where a theme has any."""
    edge = _edge_words()
    banned = frozenset(w for p in places for w in p.lower().split())
    theme_ids = list(range(len(centroids)))
    df_in: dict[int, Counter] = {t: Counter() for t in theme_ids}
    df_all: Counter = Counter()
    forms: dict[str, Counter] = {}
    spans_of: list[set[tuple[str, str]]] = []
    for text, t in zip(texts, topics.tolist()):
        spans = _spans(text, edge, banned)
        spans_of.append(spans)
        keys = {k for k, _ in spans}
        df_all.update(keys)
        if t >= 0:
            df_in[t].update(keys)
            for k, form in spans:
                forms.setdefault(k, Counter())[form] += 1
    sizes = np.bincount(topics[topics >= 0], minlength=len(theme_ids))
    word_df = Counter(w for spans in spans_of for w in {w for k, _ in spans for w in k.split()})
    candidates: dict[int, list[str]] = {}
    for t in theme_ids:
        floor = max(2, int(np.ceil(0.01 * sizes[t])))
        # Widely used in the theme x rarely used elsewhere, a little in favour of longer phrases
        # (they say more); a phrase that only one or two statements use, or a typo, never qualifies.
        scored = [(df / sizes[t] * df / df_all[k] * (1 + 0.15 * k.count(" ")), k)
                  for k, df in df_in[t].items() if df >= floor]
        candidates[t] = [k for _, k in sorted(scored, reverse=True)[:MAX_CANDIDATES]]
        if vectors is not None and sizes[t]:
            rows = np.flatnonzero(topics == t)
            for r in rows[np.argsort(-(vectors[rows] @ centroids[t]))[:CENTRAL_STATEMENTS]]:
                # A phrase of one statement may carry its writer's typo: every word of it must be
                # written the same way in at least one other statement.
                candidates[t] += [k for k, _ in spans_of[r] if k.count(" ") >= 2 and k not in candidates[t]
                                  and all(word_df[w] >= 2 for w in k.split())]
    surface = {k: _spelling(forms[k]) for ks in candidates.values() for k in ks}
    if tagger is not None and surface:
        keys = sorted(surface)
        complete = {k for k, tags in zip(keys, tagger([surface[k] for k in keys])) if _complete(surface[k], tags)}
        candidates = {t: [k for k in ks if k in complete] or ks for t, ks in candidates.items()}
    if parser is not None and surface:
        whole = _whole_phrases(texts, topics, spans_of, candidates, parser)
        candidates = {t: [k for k in ks if k in whole[t]] or ks for t, ks in candidates.items()}
    margin: dict[str, np.ndarray] = {}
    if embedder is not None and surface:
        keys = sorted(surface)
        sims = unit(embedder.embed([surface[k] for k in keys])) @ centroids.T
        margin = dict(zip(keys, sims))
    labels: dict[int, str] = {}
    used: set[str] = set()
    for t in sorted(theme_ids, key=lambda t: -sizes[t]):
        def score(k: str) -> tuple[bool, float]:
            coverage = df_in[t][k] / sizes[t]
            if k not in margin:
                return True, coverage
            others = np.delete(margin[k], t)
            lead = float(margin[k][t] - (others.max() if len(others) else 0.0))
            # A phrase nearer another theme's centre would mislabel this one: any phrase that
            # finds its own theme first beats every one that does not.
            return lead > 0, lead + 0.2 * coverage

        ranked = sorted((k for k in candidates[t] if k not in used), key=score, reverse=True)
        if ranked:
            key = ranked[0]
            label = surface[key]
        else:  # a theme whose statements share no phrase: its most used keyphrase
            key = next((k for k in (fallback or {}).get(t, []) if k not in used), f"theme {t}")
            label = key
        used.add(key)
        labels[t] = label[:1].upper() + label[1:]
    return labels


def _spelling(forms: Counter) -> str:
    """The way most statements write a phrase; on a tie, the one with more capitals (CRM, IT)."""
    return max(forms, key=lambda f: (forms[f], sum(c.isupper() for c in f[1:]), f))


def representative(vectors: np.ndarray, ids: list[int], texts: list[str], k: int, diversity: float = 0.3) -> list[int]:
    """Quotes that are central to the theme and different from each other (MMR)."""
    if not ids:
        return []
    centroid = unit(vectors.mean(axis=0))
    central = vectors @ centroid
    chosen: list[int] = []
    seen_text: set[str] = set()
    candidates = list(np.argsort(-central)[: max(50, k * 10)])
    while candidates and len(chosen) < k:
        def score(i: int) -> float:
            redundancy = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
            return (1 - diversity) * float(central[i]) - diversity * redundancy
        best = max(candidates, key=score)
        candidates.remove(best)
        if texts[best].casefold() in seen_text:
            continue
        seen_text.add(texts[best].casefold())
        chosen.append(best)
    return [ids[i] for i in chosen]


AREA_DISTANCE = 0.4  # cosine distance (average linkage) under which themes share an area


def _areas(themes: list[Theme]) -> None:
    """Two-level hierarchy: themes whose centroids are close (average cosine similarity of 0.6
    or more) form a broad area named after its biggest theme; a theme close to none is its own
    area. A fixed number of areas used to force unrelated themes together (the CRM theme
    under "Translation")."""
    if len(themes) < 2:
        for t in themes:
            t.area = t.label
        return
    from sklearn.cluster import AgglomerativeClustering

    cents = np.vstack([t.centroid for t in themes])
    groups = AgglomerativeClustering(n_clusters=None, distance_threshold=AREA_DISTANCE, linkage="average",
                                     metric="cosine").fit_predict(cents)
    for g in set(groups.tolist()):
        members = [t for t, gg in zip(themes, groups) if gg == g]
        name = max(members, key=lambda t: len(t.members)).label
        for t in members:
            t.area = name


