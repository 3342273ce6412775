"""Proposal section bodies: the sanitizer allowlist, Markdown, plain text and word diffs."""

import itertools
import random

import pytest

from crmapp.services.proposals import richtext


def test_sanitize_strips_scripts_handlers_and_javascript_links():
    dirty = (
        '<p onclick="steal()">Hi <script>alert(1)</script><b>there</b></p>'
        '<a href="javascript:alert(1)">bad</a> <a href="https://ex.com/x" target="_blank">ok</a>'
        '<style>p{color:red}</style><img src="x" onerror="alert(1)"><iframe src="x"></iframe>'
    )
    clean = richtext.sanitize(dirty)
    assert "<script" not in clean and "alert" not in clean
    assert "onclick" not in clean and "onerror" not in clean
    assert "javascript:" not in clean
    assert "<style" not in clean and "color:red" not in clean
    assert "<img" not in clean and "<iframe" not in clean
    assert "<b>there</b>" in clean
    assert '<a href="https://ex.com/x" rel="noopener noreferrer">ok</a>' in clean
    assert "target" not in clean


def test_sanitize_keeps_the_allowlist_and_mailto_links():
    html = (
        "<h2>A</h2><h3>B</h3><h4>C</h4><ul><li><em>x</em></li></ul><ol><li><u>y</u></li></ol>"
        "<blockquote><s>z</s></blockquote><pre><code>c</code></pre><hr>"
        "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody></table>"
        '<p><a href="mailto:a@b.c">mail</a><br><strong>s</strong><i>i</i></p>'
    )
    clean = richtext.sanitize(html)
    for tag in ("h2", "h3", "h4", "ul", "ol", "li", "blockquote", "pre", "code", "table", "td"):
        assert f"<{tag}>" in clean, tag
    assert 'href="mailto:a@b.c"' in clean
    assert richtext.sanitize(clean) == clean  # idempotent


def test_sanitize_drops_relative_and_data_links_and_foreign_attributes():
    clean = richtext.sanitize(
        '<a href="/admin">rel</a><a href="data:text/html,x">data</a><p class="x" style="y">t</p>'
    )
    assert "href" not in clean
    assert "class" not in clean and "style" not in clean


def test_markdown_becomes_sanitized_html():
    md = "## Scope\n\nWe will **deliver**:\n\n- design\n- build\n\n<script>x()</script>\n"
    html = richtext.markdown_to_html(md)
    assert "<h2>Scope</h2>" in html
    assert "<strong>deliver</strong>" in html
    assert "<ul>" in html and "<li>design</li>" in html
    assert "script" not in html


def test_markdown_tables():
    html = richtext.markdown_to_html("| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<table>" in html and "<th>a</th>" in html and "<td>2</td>" in html


def test_html_to_text_is_readable():
    html = (
        "<h2>Scope</h2><p>We will   <strong>deliver</strong>\n the site.</p>"
        "<ul><li>design</li><li>build</li></ul><p>Line one<br>Line two</p>"
        "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>"
    )
    assert richtext.html_to_text(html) == (
        "Scope\n\nWe will deliver the site.\n\n- design\n- build\n\n"
        "Line one\nLine two\n\na | b\n1 | 2"
    )
    assert richtext.html_to_text("") == ""
    assert richtext.html_to_text("<p>a &amp; b</p>") == "a & b"


def _check_round_trip(old: str, new: str) -> list[tuple[str, str]]:
    runs = richtext.word_diff(old, new)
    assert "".join(t for op, t in runs if op in ("equal", "delete")) == old
    assert "".join(t for op, t in runs if op in ("equal", "insert")) == new
    assert all(op in ("equal", "insert", "delete") and t for op, t in runs)
    assert all(a[0] != b[0] for a, b in itertools.pairwise(runs))  # merged
    return runs


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("", ""),
        ("", "new text"),
        ("old text", ""),
        ("the quick brown fox", "the quick red fox"),
        ("a  b\n\nc ", " a b\nc d"),
        ("same words here", "same words here"),
        ("one two three four", "zero one three four five"),
        ("Price: 1,200 USD\n\t- item", "Price: 1,500 USD\n- item\n- another"),
    ],
)
def test_word_diff_round_trips(old, new):
    _check_round_trip(old, new)


def test_word_diff_marks_changed_words():
    runs = _check_round_trip("the quick brown fox", "the quick red fox")
    assert ("delete", "brown") in runs and ("insert", "red") in runs
    assert runs[0] == ("equal", "the quick ")


def test_word_diff_round_trips_random_texts():
    rng = random.Random(7)
    vocab = ["a", "b", "cc", "ddd", " ", "  ", "\n", "\t", "é", "x."]
    for _ in range(300):
        old = "".join(rng.choice(vocab) for _ in range(rng.randint(0, 30)))
        new = "".join(rng.choice(vocab) for _ in range(rng.randint(0, 30)))
        _check_round_trip(old, new)
