"""What a statement says, without who said it or how the note-taker framed it.

Notes report issues inside frames: "When we were talking about her new apartment she said she
is nervous walking out after close", "[PERSON] says nobody knows who owns the follow-up",
"She mentioned, between stories about her trip, that the field app is unusable". Embedded
whole, such statements sit near others with the same frame (small talk, a redacted name)
rather than near the same issue, and a theme forms around the frame. The gist keeps the
reported clause and turns placeholders into plain words, so statements are grouped by what
they report. The stored statement, its quotes and its labels are untouched: only what is
embedded changes (`GistEmbedder`).

The verbs are general English reporting verbs, not phrasings of the sample program.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

GIST_VERSION = 1  # part of the embedding model id: a change here re-embeds, never mixes

# The reporting verbs below as lemmas, for parsed text: a label rooted in one ("said she sees
# no future") is the frame, not the issue (synth/themes/describe.py). One place for both lists.
REPORTING_LEMMAS = frozenset("say tell mention note explain report raise flag complain admit warn add stress insist "
                             "claim think feel hear believe".split())
_REPORTING_VERB = (
    r"(?i:said|says|say|told|tells|tell|mention(?:ed|s)?|noted|explain(?:ed|s)?|point(?:ed|s) out|raised|reported|"
    r"flagged|complain(?:ed|s)?|admit(?:ted|s)?|warn(?:ed|s)?|added|stressed|insist(?:ed|s)?|claim(?:ed|s)?|"
    r"think|thinks|thought|feel|feels|felt|heard|hears|hear|believe[sd]?|brought (?:it|this|that) up|"
    r"asked(?= (?:why|whether|if|what|how|when|who|for)\b))"
)
# Who reports: a pronoun, a redacted name, a capitalised name, or a plural of people ("reps",
# "the physicians"). The frame may open with a few words of context ("After the small talk
# about her commute, she said ...") or with the verb itself ("Heard again that ...").
_SUBJECT = r"(?:(?i:i|we|he|she|they|you|someone|everyone|everybody|people|\w+s)|\[PERSON\]|[A-Z][a-z]+)"
_ADVERB = r"(?:\s+(?i:also|again|just|always|even|repeatedly|once more|too))?"
_OBJECT = r"(?:\s+(?:(?i:me|us|him|her|them|everyone|the team)|\[PERSON\]|[A-Z][a-z]+)(?=\s+that\b|:|,|\s))?"
_LEADING_FRAME = re.compile(
    rf"^(?:(?P<lead>(?:\S+\s+){{0,12}}?){_SUBJECT}{_ADVERB}\s+)?{_REPORTING_VERB}\b{_ADVERB}{_OBJECT}"
    rf"(?P<aside>,[^,:]{{0,80}},)?\s*(?:that\b|:|,)?\s*")
_COLON_FRAME = re.compile(r"^(?P<lead>(?:\S+\s+){0,7}\S+):\s+")
# "..., the physicians said." / "..., [PERSON] says" at the end.
_TRAILING_FRAME = re.compile(rf"[,;]\s+(?:\S+\s+){{0,3}}?{_REPORTING_VERB}\s*[.!]?\s*$")
# A question keeps its words ("What did Lincoln say about ..."); "When we were talking ..." is no question.
_QUESTION = re.compile(r"^\s*(?:what|who|whom|whose|which|did|do|does|can|could)\b", re.I)
_PLACEHOLDERS = ((re.compile(r"\[PERSON\]['’]s\b"), "their"), (re.compile(r"\[PERSON\]"), "someone"),
                 (re.compile(r"\[(?:EMAIL|PHONE|ID|CARD_NO|DOB|IP_ADDR|USER_HANDLE|OFFICE)\]"), ""))


def gist(text: str) -> str:
    """The reported clause of `text` when a reporting frame wraps it, with placeholders as
    plain words; `text` itself otherwise. A question, or a frame that would leave fewer than
    four words, is kept whole."""
    out = reported(text)
    for pattern, word in _PLACEHOLDERS:
        out = pattern.sub(word, out)
    out = " ".join(out.split())
    return out or text


def reported(text: str) -> str:
    """The reported clause of `text` as written (placeholders kept), or `text` itself: what a
    theme's label may be taken from, since the frame ("We were chatting about her son starting
    college when she said ...") is not what the statement is about."""
    out = text.strip()
    if not _QUESTION.match(out) and not out.endswith("?"):
        for frame in (_LEADING_FRAME, _COLON_FRAME):  # "X brought it up as an aside: ..." takes both
            m = frame.match(out)
            if m and len(out[m.end():].split()) >= 4:
                out = out[m.end():]
        m = _TRAILING_FRAME.search(out)
        if m and len(out[:m.start()].split()) >= 4:
            out = out[:m.start()]
    return out or text


class GistEmbedder:
    """An embedder that embeds each statement's gist. Its model id names the gist version, so
    the store caches its vectors apart from the plain model's."""

    def __init__(self, inner):
        self.inner = inner
        self.dim = inner.dim
        self.model_id = f"{inner.model_id}+gist{GIST_VERSION}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed([gist(t) for t in texts])
