"""Redaction: which parts of a note are a person or their details, as labelled spans on the Doc.

The `synth_redactor` component runs after the NER and writes `doc.spans["redact"]`:
- contact details and identifiers found by patterns: e-mails (also written out, "john dot doe
  at acme dot com"), user handles, phone numbers (North American, international "+44 ...",
  national "07700 ...", short "555-1234"), SSNs, card numbers that pass the Luhn check, dates
  following a birth keyword, IP addresses, and ID-like tokens (long digit runs, "E-48213",
  numbers after "emp id", "MRN", "badge no.");
- people: the NER's PERSON entities, kept when they look like names, and names the NER misses
  in the places notes put them: after a title or a role ("mr. jones", "patient raj"), after a
  verb of meeting or asking ("spoke with maria gonzalez", "heard from ..."), and before a verb
  of saying ("nguyen thi mai said"). A `Matcher` finds those places.

A word is "English" here when the pipeline's own lemmatizer tables (WordNet's word lists) or
its stop words know it: a lower-case word in a name's place that English does not know is
taken for a name; one it knows ("spoke with pharmacy staff") needs the tagger to call it a
proper noun. The names an export's own columns list are added per import by synth.text.
"""

import re
from typing import Iterable

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

SPANS_KEY = "redact"
PLACEHOLDERS = {"PERSON": "[PERSON]", "EMAIL": "[EMAIL]", "PHONE": "[PHONE]", "ID": "[ID]", "CARD": "[CARD_NO]",
                "DOB": "[DOB]", "IP": "[IP_ADDR]", "HANDLE": "[USER_HANDLE]"}

# ---- contact details and identifiers ---------------------------------------------------------
EMAIL_RE = re.compile(r"\b[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\b")
_AT = r"(?:\s*[(\[{<]\s*at\s*[)\]}>]\s*|\s+at\s+)"
_DOT = r"(?:\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+|\.)"
_JOIN = r"(?:\s+(?:underscore|dash|hyphen)\s+)"
_TLD = r"(?:com|org|net|edu|gov|mil|int|info|biz|io|co|me|app|dev|health|[a-z]{2})"
OBFUSCATED_EMAIL_RE = re.compile(
    rf"(?<![\w.@-])[a-z0-9][\w.+'-]*(?:(?:{_DOT}|{_JOIN})[\w+'-]+)*{_AT}[a-z0-9-]+(?:{_DOT}[a-z0-9-]+)*{_DOT}{_TLD}(?![\w@])", re.I)
HANDLE_RE = re.compile(r"(?<![\w@.+-])@[A-Za-z0-9_](?:[\w.-]*\w)?")
NANP_PHONE_RE = re.compile(r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w-])")
INTL_PHONE_RE = re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s.-]?\(0?\d{1,4}\))?(?:[\s.-]?\d{1,5}){2,6}(?![\w-])")
TRUNK_PHONE_RE = re.compile(r"(?<![\w.-])(?:\(0\d{1,4}\)|0\d{1,4})[\s.-]?\d{2,4}[\s.-]?\d{3,4}(?![\w-])")
SHORT_PHONE_RE = re.compile(r"(?<![\w.-])\d{3}[-.]\d{4}(?![\w-]|\.\d)")
# "555 0123" only where the sentence says it is a number to call.
KEYED_PHONE_RE = re.compile(r"\b(?:phone|number|no\.|call|ring|text|mobile|cell|tel|line|fax|dial|whatsapp|contact)\b"
                            r"[^.\n]{0,25}?(?P<v>(?<![\d-])\d{3}\s\d{4})(?![\w-])", re.I)
SSN_RE = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])")
CARD_RE = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
IPV4_RE = re.compile(r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w]|\.\d)")
IPV6_RE = re.compile(r"(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])", re.I)
# Long digit runs, digit groups joined by dashes, tagged numbers ("#558213"), letter prefixes
# ("E1234567", "E-48213", "EMP-00417").
ID_RE = re.compile(r"(?<![\w-])(?:\d{4,}(?:-\d{3,})+|\d{6,}|#\d{4,}|[A-Z]{1,3}\d{5,}|[A-Z]{1,4}-\d{4,}(?:-\d+)*)(?![\w-])")
# A number after a word that says it identifies someone ("emp id 4821", "MRN: 00123", "badge no. B7734").
_ID_STRONG = (r"emp(?:loyee)?|staff|badge|member(?:ship)?|mrn|nhs|ni|ssn|ss|social\s+security|passport|payroll|"
              r"personnel|student|patient|pt|npi|ein|tin|id|i\.d\.")
_ID_WEAK = r"account|acct|policy|claim|(?:medical\s+)?record|licen[cs]e|customer|client|case|ref(?:erence)?|ticket|file"
_ID_SUFFIX = r"(?:\s*(?:id|i\.d\.|no\.?|num(?:ber)?|#|code))"
KEYED_ID_RE = re.compile(
    rf"\b(?:(?:{_ID_STRONG}){_ID_SUFFIX}*|(?:{_ID_WEAK}){_ID_SUFFIX}+)\s*(?:is|was|:|#|-)?\s*"
    r"(?P<v>(?=[a-z-]*\d)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*(?:\s\d{3,})?)", re.I)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (rf"\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})|\d{{4}}[/.-]\d{{1,2}}[/.-]\d{{1,2}}"
         rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
         rf"|{_MONTH}\s+\d{{4}}")
DOB_RE = re.compile(
    rf"\b(?:dob|d\.o\.b\.?|date\s+of\s+birth|birth\s*date|birthday|born(?:\s+on|\s+in)?)\s*[,:(–-]?\s*(?:is|was|as|of)?\s*[,:(–-]?\s*"
    rf"(?P<v>{_DATE}|(?<=born in )(?:19|20)\d\d)", re.I)

PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("EMAIL", EMAIL_RE), ("EMAIL", OBFUSCATED_EMAIL_RE), ("HANDLE", HANDLE_RE), ("DOB", DOB_RE),
    ("IP", IPV4_RE), ("IP", IPV6_RE), ("ID", SSN_RE), ("CARD", CARD_RE), ("PHONE", NANP_PHONE_RE),
    ("PHONE", INTL_PHONE_RE), ("PHONE", TRUNK_PHONE_RE), ("PHONE", SHORT_PHONE_RE), ("PHONE", KEYED_PHONE_RE), ("ID", KEYED_ID_RE),
    ("ID", ID_RE),
)


KEY_PATTERNS = (EMAIL_RE, OBFUSCATED_EMAIL_RE, HANDLE_RE, NANP_PHONE_RE, INTL_PHONE_RE, TRUNK_PHONE_RE, SSN_RE,
                IPV4_RE, DOB_RE)


def key_has_personal_details(value: str, names: Iterable[str] = ()) -> bool:
    """Does an id-like field ("note id") carry an e-mail, handle, phone, SSN, IP, birth date or
    one of `names` (casefolded words, as synth.text.Context holds them)? ID-like tokens do not
    count: they are what such a field is for."""
    if not value:
        return False
    if any(rx.search(value) for rx in KEY_PATTERNS):
        return True
    words = {w for w in re.split(r"[^\w]+|_", value.casefold()) if len(w) > 2}
    return bool(words & set(names))


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _valid(label: str, rx: re.Pattern, value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    if rx is CARD_RE:
        return luhn_ok(digits)
    if rx is INTL_PHONE_RE:
        return 8 <= len(digits) <= 15
    if rx is TRUNK_PHONE_RE:
        return 9 <= len(digits) <= 11
    if rx is IPV6_RE:
        return ("::" in value or value.count(":") == 7) and len(re.sub(r"[^0-9a-fA-F]", "", value)) >= 4
    if rx is KEYED_ID_RE:
        return len(digits) >= 3
    if rx is ID_RE and re.fullmatch(r"(?:19|20)\d\d-(?:19|20)?\d\d", value):
        return False  # "2024-2025": a span of years
    return True


def pattern_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of every contact detail and identifier the patterns find."""
    out = []
    for label, rx in PATTERNS:
        for m in rx.finditer(text):
            a, b = m.span("v") if "v" in rx.groupindex else m.span()
            if _valid(label, rx, m.group()):
                out.append((a, b, label))
    return out


# ---- people ----------------------------------------------------------------------------------
# Abbreviated titles: the next word is a name whatever it is ("mr. long", "Dr Will Hope").
HONORIFICS = frozenset("mr mrs ms mx dr prof sr sra srta mme mlle".split())
# Titles that are also words ("miss appointments"): capitalised, and the next word must look like a name.
TITLE_WORDS = frozenset("Miss Mister Doctor Professor Sir Dame Madam Herr Frau Rev Fr Father Sister".split())
ROLES = frozenset("""patient patients nurse client customer pharmacist doc colleague coworker co-worker manager supervisor
rep driver intern resident member caller technician tech agent cashier clerk courier mentee carer caregiver
therapist consultant surgeon midwife porter cleaner receptionist tenant student teacher coach physio
officer coordinator assistant director lead associate""".split())
CONTACT_VERBS = frozenset("""speak spoke spoken talk talked chat chatted meet met sit sat catch caught catching check
checked hear heard call called phone phoned email emailed text texted ping pinged message messaged visit visited
shadow shadowed""".split())
CONTACT_NOUNS = frozenset("chat call meeting session catch-up 1:1 check-in note notes message email".split())
SINGLE_CONTACT = frozenset("""cc cc'd ccd asked ask told tell thanked thank thanks emailed texted pinged ping per met
reminded introduced""".split())
REPORT_VERBS = frozenset("""said says say told tells mentioned mentions noted notes asked asks thinks thought reported
reports complained complains explained explains wants wanted suggested suggests agreed agrees raised raises flagged
flags feels felt believes believed worries worried added adds shared shares confirmed confirms pointed points warned
warns admitted admits claims claimed insists insisted argued argues replied replies reckons reckoned described
describes stressed stresses""".split())
SKIPPABLE_BEFORE_VERB = frozenset({"both", "all", "also", "then", "later", "again", "just", "already", "and", ","})
PARTICLES = frozenset("""bin binti bint ibn al el van von der den de del della la le da di dos das du ter ten st
mac ap y""".split())
NOT_NAME_ENTS = frozenset({"GPE", "LOC", "FAC", "NORP", "DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "ORDINAL",
                           "CARDINAL", "LANGUAGE", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"})
# Short forms note-takers use that no word list has: never a name.
SHORTHAND = frozenset("""ok okay pt pts rx hr hrs eod eow asap tbd fyi btw wrt re pls plz thx mgr mgmt dept
approx etc ie eg vs aka info admin ops comms docs app apps wifi covid abt appt appts ppl cust custs mo mos wk wks
yr yrs mtg mtgs thru tmrw tho govt req reqs meds hosp approv b w""".split())
ORG_WORDS = frozenset("""inc ltd llc plc co corp corporation company group holdings bank hospital clinic health
healthcare university college school academy institute foundation trust council ministry department agency
street st road rd avenue ave lane boulevard centre center market mall store stores pharmacy foods motors airlines
airways alliance partners services systems solutions technologies labs laboratories media network networks
county city park river lake valley bay beach hotel restaurant cafe club church""".split())
ENGLISH_PREFIXES = ("tele", "e-", "re", "pre", "co", "un", "non", "over", "under", "micro", "multi", "self", "cyber",
                    "auto", "inter", "sub", "super", "mis", "out", "up", "on", "off")
NAME_TOKEN_RE = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’.-](?=[^\W\d_]))*\.?$")


class Redactor:
    """Finds what to redact in a Doc and writes it to `doc.spans[spans_key]`."""

    def __init__(self, nlp: Language, spans_key: str = SPANS_KEY) -> None:
        self.spans_key = spans_key
        self.english = english_words(nlp)
        self.ordinary = english_words(nlp, parts_of_speech=("verb", "adj", "adv"))
        self._typos: dict[str, bool] = {}
        self.matcher = Matcher(nlp.vocab)
        self.matcher.add("TITLE", [[{"LOWER": {"IN": sorted(HONORIFICS | {h + "." for h in HONORIFICS})}},
                                    {"ORTH": ".", "OP": "?"}]])
        self.matcher.add("ROLE", [[{"LOWER": {"IN": sorted(ROLES)}}], [{"ORTH": {"IN": sorted(TITLE_WORDS)}},
                                                                        {"ORTH": ".", "OP": "?"}]])
        self.matcher.add("CONTACT", [
            [{"LOWER": {"IN": sorted(CONTACT_VERBS | CONTACT_NOUNS)}}, {"LOWER": {"IN": ["with", "to", "from", "for"]}}],
            [{"LOWER": {"IN": ["catching", "caught", "catch", "checked", "check", "sat", "sit"]}},
             {"LOWER": {"IN": ["up", "in", "down"]}}, {"LOWER": {"IN": ["with", "to"]}}],
            [{"LOWER": "according"}, {"LOWER": "to"}],
            [{"LOWER": {"IN": sorted(SINGLE_CONTACT)}}],
        ])
        self.matcher.add("SAYS", [[{"LOWER": {"IN": sorted(REPORT_VERBS)}}], [{"ORTH": {"IN": ["'s", "’s"]}}]])
        # "coffee with Saoirse", "went over the backlog with esperanza villanueva": only names
        # English does not know, or the tagger's proper nouns, after a bare preposition.
        self.matcher.add("WITH", [[{"LOWER": {"IN": ["with", "by", "for", "from"]}}]])
        # "the new hire (mateus) still ...": a name in brackets after a noun
        self.matcher.add("PAREN", [[{"TAG": {"IN": ["NN", "NNS"]}}, {"ORTH": "("}]])

    def __call__(self, doc: Doc) -> Doc:
        spans = [doc.char_span(a, b, label=label, alignment_mode="expand") for a, b, label in pattern_spans(doc.text)]
        spans += [Span(doc, a, b, label="PERSON") for a, b in self.person_spans(doc)]
        doc.spans[self.spans_key] = [s for s in spans if s is not None and len(s)]
        return doc

    # -- is this token a word or a name? --
    def known(self, tok: Token, typos: bool = False) -> bool:
        """Does English know this word? With `typos`, also a word one slip from an English word,
        where a wrong guess costs little (a name is also sought in other ways)."""
        low = tok.lower_.rstrip(".")
        if len(low) >= 3 and low.isalpha() and not re.search(r"[aeiouy]", low):
            return True  # "ppl", "mgmt": shorthand, not a name
        return (low in self.english or tok.is_stop or low in SHORTHAND or tok.lemma_.lower() in self.english
                or "-" in low and all(p in self.english for p in low.split("-"))
                or typos and (self.typo(low) or self.english_like(low)))

    def typo(self, word: str) -> bool:
        """One slip from an English word ("Aegnda", "cmpared", "nevver"): not a name. Short
        words are left alone: "Sofia" is one letter from "sofa"."""
        hit = self._typos.get(word)
        if hit is None:
            n = len(word)

            def english(w: str) -> bool:
                return w in self.english or any(w.endswith(x) and w[:-len(x)] + y in self.english
                                                for x, y in (("s", ""), ("es", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
                                                             ("ing", "e"), ("ied", "y"), ("ies", "y")))

            hit = n >= 5 and word.isalpha() and (
                any(english(word[:i] + word[i + 1] + word[i] + word[i + 2:]) for i in range(1, n - 1))
                or (n >= 7 and any(english(word[:i] + word[i + 1:]) for i in range(1, n)))
                or (n >= 6 and any(english(word[:i] + c + word[i:]) for i in range(1, n)
                                   for c in "abcdefghijklmnopqrstuvwxyz")))
            self._typos[word] = hit
        return hit

    def name_like(self, tok: Token, strong: bool) -> bool:
        """Could this token be part of a name, where a name is expected (`strong`: after a
        title, a role or a verb of meeting; otherwise before a verb of saying)?"""
        if not NAME_TOKEN_RE.match(tok.text) or tok.is_stop:
            return False
        if tok.ent_type_ in NOT_NAME_ENTS and not (
                (strong and tok.ent_type_ in {"GPE", "NORP", "LOC"} and single_token_ent(tok) and not self.known(tok))
                or (tok.text[:1].islower() and tok.ent_type_ in {"GPE", "NORP", "LOC", "PRODUCT", "WORK_OF_ART"}
                    and not self.known(tok, typos=True))):
            return False  # "according to Ifeoma": the NER calls many unfamiliar names places
        if tok.lower_ in SHORTHAND or (tok.text.isupper() and len(tok.text) <= 4 and len(tok.text) > 1):
            return False  # "HR", "VPN", "ICU"
        if tok.text[:1].islower() and tok.i > 0 and tok.nbor(-1).tag_ in {"DT", "PRP$"}:
            return False  # "the hotline's hours": a lower-case word after a determiner is not a name
        if not self.known(tok, typos=not strong):
            return True
        if tok.ent_type_ == "PERSON":
            return True
        if tok.ent_type_ == "ORG":
            return False
        if tok.tag_ not in {"NNP", "NNPS"} or (tok.i > 0 and tok.nbor(-1).tag_ in {"DT", "PRP$"}):
            return False  # "the portal says": a known word after a determiner is that word
        # The tagger calls a lower-case word a proper noun only with reason; a capitalised one
        # opening a sentence it often does without.
        return tok.text[:1].islower() or not tok.is_sent_start

    def run_from(self, doc: Doc, i: int, strong: bool, first_free: bool = False) -> int:
        """End of the name that starts at token i (i when none does)."""
        end, j = i, i
        while j < len(doc) and j - i < 7:
            tok = doc[j]
            if j == i and first_free:
                ok = NAME_TOKEN_RE.match(tok.text) is not None and not tok.is_stop and tok.ent_type_ not in NOT_NAME_ENTS
            else:
                ok = self.name_like(tok, strong)
            if ok:
                end = j = j + 1
                continue
            if end > i and j + 1 < len(doc) and (
                    (tok.lower_ in PARTICLES and self.name_like(doc[j + 1], strong))
                    or (tok.text in {"-", "'"} and not doc[j - 1].whitespace_ and not tok.whitespace_)):
                j += 1
                continue
            if end > i and self.surname_like(tok) and any(not self.known(t) for t in doc[i:end]):
                end = j + 1  # "cc ravi shankar on ...": a word after an unfamiliar first name is its surname
            break
        if (end < len(doc) - 1 and doc[end].text == "-" and not doc[end - 1].whitespace_
                and doc[end + 1].text[:1].islower()):
            return i  # "for Somali-speaking families": the first half of a compound word
        return end

    def english_like(self, word: str) -> bool:
        """Made of English parts: "salesforce", "onboarding", "telemedicine"."""
        e = self.english
        if any(word[:i] in e and word[i:] in e for i in range(4, len(word) - 3)):
            return True
        for suffix in ("ing", "ed", "tion", "ment", "ness", "ity", "ship", "ware", "able", "er", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 4 and word[:-len(suffix)] in e:
                return True
        return any(word.startswith(p) and word[len(p):] in e for p in ENGLISH_PREFIXES if len(word) - len(p) >= 4)

    def surname_like(self, tok: Token) -> bool:
        """A known noun that can end a name whose other parts are unfamiliar ("ji-hoon park"),
        when it does not go on into a noun phrase ("kofi team leads")."""
        if (not NAME_TOKEN_RE.match(tok.text) or tok.is_stop or tok.tag_ not in {"NN", "NNP"}
                or tok.ent_type_ in NOT_NAME_ENTS or tok.lower_ in SHORTHAND):
            return False
        nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
        return nxt is None or nxt.tag_ not in {"NN", "NNS", "NNP", "NNPS", "JJ", "CD", "POS", "HYPH"}

    def run_before(self, doc: Doc, verb: int) -> tuple[int, int]:
        j = skip_parenthesis_back(doc, verb - 1)
        while j >= 0 and doc[j].lower_ in SKIPPABLE_BEFORE_VERB and verb - j <= 3:
            j -= 1
        end = j + 1
        start = end
        if j > 0 and self.surname_like(doc[j]) and not self.name_like(doc[j], False):
            k = j - 2 if doc[j - 1].text == "-" and j > 1 else j - 1
            if NAME_TOKEN_RE.match(doc[k].text) and not self.known(doc[k]) and doc[k].ent_type_ not in NOT_NAME_ENTS:
                start = j  # "ji-hoon park said": the known last word of an unfamiliar name
                j -= 1
        while j >= 0 and end - j <= 7:
            tok = doc[j]
            if self.name_like(tok, False) or (tok.is_sent_start and not self.known(tok, typos=True)
                                              and NAME_TOKEN_RE.match(tok.text)):
                start = j
            elif not (start < end and j > 0 and (tok.lower_ in PARTICLES or tok.text in {"-", "'"})):
                break
            j -= 1
        while start < end and doc[start].lower_ in PARTICLES:
            start += 1
        return start, end

    def person_spans(self, doc: Doc) -> list[tuple[int, int]]:
        """Token spans (start, end) of people."""
        out: list[tuple[int, int]] = []
        for ent in doc.ents:
            if (ent.label_ == "PERSON" and self.ner_person_ok(ent)) or self.misread_name(ent):
                words = [t for t in ent if NAME_TOKEN_RE.match(t.text)]
                if words:
                    out.append((words[0].i, words[-1].i + 1))
        for match_id, a, b in self.matcher(doc):
            kind = doc.vocab.strings[match_id]
            if kind == "SAYS":
                s, e = self.run_before(doc, a)
                if e > s:
                    out.append((s, e))
                continue
            if b >= len(doc):
                continue
            if kind == "TITLE":
                if b + 1 < len(doc) and doc[b].lower_ in {"and", "&"} and doc[b + 1].lower_.rstrip(".") in HONORIFICS:
                    c = b + 2 if b + 2 < len(doc) and doc[b + 2].text == "." else b + 1 + 1
                    e = self.run_from(doc, c, strong=True, first_free=True)
                    if e > c:
                        out.append((a, e))  # "Mr. and Mrs. Delacroix"
                    continue
                e = self.run_from(doc, b, strong=True, first_free=True)
                if e > b:
                    out.append((a, e))
            elif kind == "PAREN":
                e = self.run_from(doc, b, strong=False)
                if e > b and e < len(doc) and doc[e].text == ")":
                    out.append((b, e))
            elif kind == "WITH":
                e = self.run_from(doc, b, strong=False)
                if e > b:
                    out.append((b, e))
            else:
                if kind == "CONTACT" and doc[b].lower_ in ROLES:
                    continue  # "met patient Ahmed": the role's own match covers it
                e = self.run_from(doc, b, strong=True)
                if e > b:
                    out.append((b, e))
        for tok in doc:
            # "Fernanda gave her DOB ...": an unfamiliar capitalised word opening a sentence,
            # followed by a verb, is the sentence's subject and, almost always, a person.
            if (tok.text[:1].isupper() and not tok.text.isupper() and not self.known(tok, typos=True) and line_start(tok)
                    and NAME_TOKEN_RE.match(tok.text) and tok.ent_type_ not in NOT_NAME_ENTS
                    and not self.english_like(tok.lower_)):
                e = self.run_from(doc, tok.i, strong=False)
                v = skip_parenthesis(doc, e)
                verbs = {"VBD", "VBZ", "MD"}
                if v + 2 < len(doc) and doc[v].lower_ in {"and", "&"} and doc[v + 1].lower_ in {"i", "we"}:
                    v, verbs = v + 2, {"VBD", "VBP", "MD"}  # "Aleksander and I walked the floor"
                if e > tok.i and v < len(doc) and doc[v].tag_ in verbs:
                    out.append((tok.i, e))
        return self.coordinated(doc, out)

    def coordinated(self, doc: Doc, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Add names listed with a name ("Aisha and Omar Farouk", "Kofi Boateng, Ama Owusu and
        ..."), which the NER often labels as places or organisations."""
        out = list(spans)
        covered = {i for a, b in spans for i in range(a, b)}
        todo = list(spans)
        while todo:
            a, b = todo.pop()
            for step, edge in ((1, b), (-1, a - 1)):
                j = edge
                if not (0 <= j < len(doc)) or doc[j].lower_ not in {"and", ",", "&", "or"}:
                    continue
                j += step
                if 0 <= j < len(doc) and doc[j].lower_ in {"and", "&"}:  # ", and"
                    j += step
                run = []
                while 0 <= j < len(doc) and j not in covered and len(run) < 4 and self.listed_name(doc[j]):
                    run.append(j)
                    j += step
                if run:
                    s, e = min(run), max(run) + 1
                    out.append((s, e))
                    covered.update(range(s, e))
                    todo.append((s, e))
        return out

    def listed_name(self, tok: Token) -> bool:
        if not NAME_TOKEN_RE.match(tok.text) or tok.is_stop or tok.lower_ in SHORTHAND:
            return False
        if tok.ent_type_ in NOT_NAME_ENTS - {"GPE", "NORP", "LOC"}:
            return False
        return not self.known(tok) or (tok.ent_type_ == "PERSON" or tok.tag_ == "NNP") and tok.text[:1].isupper()

    def misread_name(self, ent: Span) -> bool:
        """A full name the NER calls an organisation or a nationality ("Tupac Quispe",
        "Anneliese Brandt-Nilsson", "Olusegun Adeyemi"): two or more capitalised words, the first
        one English does not know, and no word that names organisations ("Group", "Bank")."""
        if ent.label_ not in {"ORG", "NORP"}:
            return False
        if any(t.text in {"&", "and"} for t in ent):
            return False  # "Baylor Scott & White": firms are named after people joined by "&"
        words = [t for t in ent if t.text != "-"]
        if len(words) < 2 or len(words) > 5 or not all(NAME_TOKEN_RE.match(t.text) and t.text[:1].isupper()
                                                        and not t.text.isupper() for t in words):
            return False
        if any(t.lower_.rstrip(".") in ORG_WORDS for t in words):
            return False
        return not self.known(words[0], typos=True)

    def ner_person_ok(self, ent: Span) -> bool:
        words = [t for t in ent if t.is_alpha]
        if not words or all(t.tag_ in {"NNS", "NNPS"} for t in words):
            return False  # "• Samples run out": list heads misread; names are not plural
        unknown = [t for t in words if not self.known(t)]
        if any(t.text[:1].islower() for t in words):
            # "quick intro round": lower-case names are taken only when English does not know them
            return any(not self.known(t, typos=True) for t in words) and not any(t.is_stop for t in words)
        if len(words) == 1 and not unknown and (line_start(words[0]) or words[0].lower_ in self.ordinary):
            # "Agenda:", "Swapped shifts": a known word opening a line is a name only before a verb of saying
            nxt = words[0].nbor(1) if words[0].i + 1 < len(ent.doc) else None
            return nxt is not None and (nxt.lower_ in REPORT_VERBS or nxt.text in {"'s", "’s"})
        return True


def skip_parenthesis(doc: Doc, i: int) -> int:
    """The index after a parenthesis that opens at i ("Beatriz (emp id 7712) asked"), else i."""
    if i < len(doc) and doc[i].text == "(":
        for j in range(i + 1, min(len(doc), i + 25)):
            if doc[j].text == ")":
                return j + 1
    return i


def skip_parenthesis_back(doc: Doc, i: int) -> int:
    """The index before a parenthesis that closes at i, else i."""
    if i >= 0 and doc[i].text == ")":
        for j in range(i - 1, max(-1, i - 25), -1):
            if doc[j].text == "(":
                return j - 1
    return i


def single_token_ent(tok: Token) -> bool:
    return tok.ent_iob_ == "B" and (tok.i + 1 == len(tok.doc) or tok.doc[tok.i + 1].ent_iob_ != "I")


def line_start(tok: Token) -> bool:
    """Does the token open its sentence, line or list item ("6) Agenda was sent")?"""
    if tok.is_sent_start:
        return True
    j = tok.i - 1
    while j >= 0 and not tok.doc[j].is_sent_start and (tok.doc[j].is_punct or tok.doc[j].like_num or tok.doc[j].is_space):
        if "\n" in tok.doc[j].text or tok.doc[j].text == ";":
            return True
        j -= 1
    return j < 0 or tok.doc[j].is_sent_start and (j == tok.i or tok.doc[j].is_punct or tok.doc[j].like_num
                                                   or tok.doc[j].is_space)


def english_words(nlp: Language, parts_of_speech: tuple[str, ...] = ("noun", "verb", "adj", "adv")) -> frozenset[str]:
    """Lower-case English words: the lemmatizer's word lists (WordNet's) plus the stop words.

    WordNet's noun list has many proper names ("maria", "raj", "jones"); its verb, adjective
    and adverb lists have few, and so say which names are also ordinary words ("long", "price")."""
    from spacy.strings import get_string_id

    words: set[str] = set(nlp.Defaults.stop_words)
    if "lemmatizer" in nlp.pipe_names:
        lookups = nlp.get_pipe("lemmatizer").lookups
        if lookups.has_table("lemma_index"):
            table = lookups.get_table("lemma_index")
            for pos in parts_of_speech:
                words.update(w for w in table.get(get_string_id(pos), ()) if "_" not in w)
        if lookups.has_table("lemma_exc"):  # irregular forms: "went", "better"
            table = lookups.get_table("lemma_exc")
            for pos in parts_of_speech:
                words.update(table.get(get_string_id(pos), ()))
    return frozenset(words)


@Language.factory("synth_redactor", assigns=["doc.spans"], requires=["token.tag", "token.lemma", "doc.ents"],
                  default_config={"spans_key": SPANS_KEY})
def make_redactor(nlp: Language, name: str, spans_key: str) -> Redactor:
    return Redactor(nlp, spans_key)


def char_spans(doc: Doc, spans_key: str = SPANS_KEY) -> Iterable[tuple[int, int, str]]:
    return ((s.start_char, s.end_char, s.label_) for s in doc.spans.get(spans_key, ()))
