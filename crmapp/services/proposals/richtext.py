"""Section bodies of proposals are stored as sanitized HTML; this module makes and reads it.

Everything a user types (HTML from the editor, or Markdown) goes through `sanitize`, an allowlist:
whatever is not listed (script, style, event handlers, images, javascript: links) is removed.
"""

from __future__ import annotations

import difflib
import re
from html.parser import HTMLParser
from typing import Literal

import markdown as _markdown
import nh3

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "blockquote",
        "a",
        "code",
        "pre",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

# Built once: nh3 compiles the policy, and `sanitize` runs on every save and every render.
_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    # Relative links have no meaning inside a PDF or a client's inbox.
    url_relative="deny",
    link_rel="noopener noreferrer",
    strip_comments=True,
)

DiffOp = Literal["equal", "insert", "delete"]


def sanitize(html: str) -> str:
    """Reduces untrusted HTML to the proposal allowlist.

    Args:
        html: HTML from the editor, an import or a previous version.

    Returns:
        HTML containing only the allowed tags; links keep only an http, https or mailto `href`
        and get `rel="noopener noreferrer"`. Script and style elements are dropped with their
        content; any other unknown tag is dropped but its text kept.
    """
    return _CLEANER.clean(html or "")


def markdown_to_html(md: str) -> str:
    """Converts Markdown (with tables) to sanitized HTML.

    Args:
        md: Markdown source as the user typed it; raw HTML inside it is sanitized too.

    Returns:
        Sanitized HTML.
    """
    html = _markdown.markdown(md or "", extensions=["tables"], output_format="html")
    return sanitize(html)


_BLOCK_TAGS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "table"}
)
_LINE_TAGS = frozenset({"li", "tr", "thead", "tbody"})
_SKIP_TAGS = frozenset({"script", "style", "head", "title"})


class _TextExtractor(HTMLParser):
    """Collects text, turning block elements into line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._pre = 0
        self._skip = 0
        self._cells = 0

    def _flush(self, blank_after: bool = False) -> None:
        text = "".join(self._line)
        if not self._pre:
            text = re.sub(r"[ \t\r\n\f]+", " ", text).strip()
        self._line = []
        if text:
            self.lines.append(text)
        if blank_after and self.lines and self.lines[-1] != "":
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS or tag in _LINE_TAGS:
            self._flush()
            if tag == "li":
                self._line.append("- ")
            if tag == "pre":
                self._pre += 1
            if tag == "tr":
                self._cells = 0
        elif tag == "br":
            self._flush()
        elif tag == "hr":
            self._flush(blank_after=True)
        elif tag in ("td", "th"):
            if self._cells:
                self._line.append(" | ")
            self._cells += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            if tag == "pre":
                text = "".join(self._line).strip("\n")
                self._line = []
                self.lines.extend(text.split("\n") if text else [])
                self._pre = max(0, self._pre - 1)
            # Lists and tables are one block: their items are separated by single line breaks.
            self._flush(blank_after=True)
        elif tag in _LINE_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._line.append(data)

    def text(self) -> str:
        self._flush()
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines)


def html_to_text(html: str) -> str:
    """Renders HTML as readable plain text.

    Block elements (paragraphs, headings, lists, tables) are separated by a blank line, list items
    start with "- " on their own line, table cells are joined with " | ", and runs of whitespace
    outside `<pre>` collapse to one space.

    Args:
        html: An HTML fragment, normally a sanitized section body.

    Returns:
        Plain text without a trailing newline.
    """
    parser = _TextExtractor()
    parser.feed(html or "")
    parser.close()
    return parser.text()


_TOKEN = re.compile(r"\s+|\S+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level difference between two plain texts.

    Whitespace is kept as tokens of its own, so that joining the "equal" and "delete" runs gives
    `old` back and joining the "equal" and "insert" runs gives `new`. Adjacent runs of the same
    kind are merged; a replaced stretch comes out as a delete run followed by an insert run.

    Args:
        old: The earlier text.
        new: The later text.

    Returns:
        Runs as `(op, text)` with op one of "equal", "insert", "delete", in reading order.
    """
    a = _TOKEN.findall(old or "")
    b = _TOKEN.findall(new or "")
    runs: list[tuple[str, str]] = []

    def add(op: DiffOp, tokens: list[str]) -> None:
        if not tokens:
            return
        text = "".join(tokens)
        if runs and runs[-1][0] == op:
            runs[-1] = (op, runs[-1][1] + text)
        else:
            runs.append((op, text))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return runs
