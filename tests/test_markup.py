"""`markup.plain`: note-derived text inside Markdown renders as its own characters."""

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from synth import report
from synth.markup import inline, plain

HOSTILE = [
    "[click here to re-authenticate](http://evil.example/login)",
    "![beacon](http://127.0.0.1:9/beacon.png)",
    ":red[**URGENT**] and :blue-background[x]",
    "<img src=x onerror=alert(1)> &lt;b&gt;",
    "# heading", "- item", "1. item", "> quote", "| a | b |", "`code`", "```", "$x^2$", "***", "a_b_c *d*",
    "<http://evil.example>", "see http://evil.example and www.evil.example and evil@evil.example",
    ":material/warning: :smile:", "back\\slash\\", "[ref]: http://evil.example",
]
JOINER = "\u2060"


def rendered_text(markdown: str) -> str:
    """The text CommonMark shows for `markdown`, and fail if it made any element but a paragraph."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in (t.children or [])}
    assert kinds <= {"paragraph_open", "paragraph_close", "inline", "text"}, (markdown, kinds)
    return "".join(c.content for t in tokens for c in (t.children or []))


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_renders_as_the_literal_text(text):
    assert rendered_text(plain(text)).replace(JOINER, "") == " ".join(text.split())


@pytest.mark.parametrize("text", ["http://evil.example", "www.evil.example", "evil@evil.example", ":smile:", ":material/x:"])
def test_plain_breaks_what_renderers_find_in_text_after_parsing(text):
    # GFM autolinks, emoji shortcodes and icons match the parsed text: a word joiner breaks each match
    shown = rendered_text(plain(text))
    assert shown != text and shown.replace(JOINER, "") == text


def test_brief_markdown_shows_labels_places_and_quotes_as_text():
    top = pd.DataFrame([dict(theme_id=1, label="[evil](http://evil.example)", surfacing=True, new=False, rate_ratio=2.0,
                             ratio_low=1.2, recent=5, baseline=3, partners=4, offices=2, spread="local",
                             where="![o](http://evil.example/o.png)", score=1.0)])
    brief = report.brief_markdown(top, "# [Midwest](http://evil.example)", {1: ":red[**URGENT**] <b>x</b>"})
    html = MarkdownIt("commonmark").enable("table").render(brief)
    assert "<a " not in html and "<img" not in html and "<b>" not in html
    assert "[evil](http://evil.example)" in html.replace(JOINER, "")
    assert ":red[**URGENT**]" in html.replace(JOINER, "")


def _inline_children(markdown: str, kinds: set[str]) -> str:
    """The text of the inline content `markdown` renders to, failing on any inline element."""
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(markdown)
    assert {t.type for t in tokens} <= kinds | {"inline"}, (markdown, {t.type for t in tokens})
    inline_tokens = [t for t in tokens if t.type == "inline"]
    children = [c for t in inline_tokens for c in (t.children or [])]
    assert {c.type for c in children} <= {"text"}, (markdown, {c.type for c in children})
    return inline_tokens, children


TABLE = {"table_open", "thead_open", "tr_open", "th_open", "th_close", "tr_close", "thead_close", "tbody_open",
         "td_open", "td_close", "tbody_close", "table_close"}


@pytest.mark.parametrize("text", HOSTILE + ["Region #", "R&D &amp; &#60;b&#62;", "~~gone~~ and ~x~", "12) x", "+ x",
                                  "---", "===", "    indented"])
def test_inline_renders_as_the_literal_text_in_a_table_cell_a_heading_and_a_list_item(text):
    expected = " ".join(text.split())
    inline_tokens, _ = _inline_children(f"| h |\n|---|\n| {inline(text)} |", TABLE)
    assert inline_tokens[-1].children and "".join(c.content for c in inline_tokens[-1].children).replace(JOINER, "") \
        == expected.strip()
    for prefix, kinds in (("# Brief: ", {"heading_open", "heading_close"}),
                          ("- ", {"bullet_list_open", "list_item_open", "paragraph_open", "paragraph_close",
                                  "list_item_close", "bullet_list_close"})):
        _, children = _inline_children(prefix + inline(text), kinds)
        shown = "".join(c.content for c in children).replace(JOINER, "")
        assert shown == prefix.lstrip("#- ") + expected, (prefix, text, shown)


def test_inline_leaves_ordinary_punctuation_without_backslashes():
    text = "Staff can't reach the CRM (again) - 50% of visits, e.g. #4 & #5; \"why?\" 1. ok! a/b = c + d > e"
    assert inline(text).replace(JOINER, "") == text
