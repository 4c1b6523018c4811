"""Text from notes inside Markdown, rendered as the literal text.

Streamlit renders Markdown in `st.markdown`, captions, headers, alerts, widget labels and
help; a brief is Markdown too. A note (and every string derived from one: statements,
quotes, theme labels, region and office names, file names, column headers) is data, never
markup: `plain` backslash-escapes every ASCII punctuation character, which CommonMark
promises to show as itself. That disarms links and images (`[`, `!`), emphasis, headings,
lists, tables, code, HTML and entities (`<`, `&`), LaTeX (`$`) and Streamlit's directives
(`:red[...]`).

Escapes are not enough for what is found in text after parsing: GFM's bare autolinks
(`http://...`, `www.`, `name@host`), emoji shortcodes (`:smile:`) and Streamlit's icons
(`:material/...:`). For those an invisible WORD JOINER (U+2060) goes after every `:` and `@`
and between `www` and its dot, so that none of them matches; the text looks the same.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
# Inside a line a brief has already started (a table cell, after "# " or "- "), no block
# construct can begin, so only what acts inline needs a backslash: code, emphasis, links and
# images, HTML and autolinks (`<`), table cells, strikethrough, LaTeX, entities (`&` + name + `;`).
# A heading's closing "#"s are dropped, so a "#" that ends the text is escaped too.
_INLINE = re.compile(r"([\\`*_\[\]<|~$]|&(?=#?[0-9A-Za-z]+;)|#(?=#*$))")
# ...and a first character that could open a block (heading, quote, list, setext line, rule,
# code fence), so the text is safe at the start of a line too.
_LEADING = re.compile(r"^(\d{1,9})?((?(1)[.)]|[#>+\-=]))")
_JOINER = "\u2060"
_WWW = re.compile(r"(?i)(www)(?=\.)")


def _joined(text: object) -> str:
    text = " ".join(str(text).split())
    return _WWW.sub(r"\1" + _JOINER, text.replace(":", ":" + _JOINER).replace("@", "@" + _JOINER))


def plain(text: object) -> str:
    """`text` as Markdown that renders as its characters (plus invisible word joiners;
    whitespace runs, line breaks included, become one space: these strings are shown inline)."""
    return _PUNCTUATION.sub(r"\\\1", _joined(text))


def inline(text: object) -> str:
    """`plain` for text placed inside a line already begun (a table cell, a heading or list
    item after its marker): it renders as its characters too, but ordinary punctuation keeps no
    backslash, so a downloaded brief reads as written ("can't", "50%", "(again)", "-")."""
    return _LEADING.sub(r"\1\\\2", _INLINE.sub(r"\\\1", _joined(text)), count=1)
