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
_JOINER = "\u2060"
_WWW = re.compile(r"(?i)(www)(?=\.)")


def plain(text: object) -> str:
    """`text` as Markdown that renders as its characters (plus invisible word joiners;
    whitespace runs, line breaks included, become one space: these strings are shown inline)."""
    text = " ".join(str(text).split())
    text = _WWW.sub(r"\1" + _JOINER, text.replace(":", ":" + _JOINER).replace("@", "@" + _JOINER))
    return _PUNCTUATION.sub(r"\\\1", text)
