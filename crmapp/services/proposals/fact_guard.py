"""Keeping internal facts out of a draft, pure (no database).

An internal fact (a deal's stage, probability, owner, value estimate; a note, task or call log)
is "distinctive" in a text through what the client-visible facts do not also say: its figures
(money, percentages, dates, durations), its names, and its phrases (runs of four words with at
least two content words). `Guard.leaks(text)` finds them in a text; `Guard.clean(markdown)`
drops every sentence (or list item) that has one, and says what it dropped and why, so a
writer's output never carries them into the editor. A stage name counts only next to the word
"stage" ("Lead" and "Proposal" are ordinary words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crmapp.services.proposals import figure_check
from crmapp.services.proposals.figure_check import Known, fold

SHINGLE = 4
STOP = set(
    figure_check.wordlist(
        "the a an and or but of to in on at by for with from as is are was were be been it its this"
        " that these those we our us you your they their them he she his her i me my not no so if"
        " then than can could would should will may might must do does did have has had about into"
        " over under also just very more most any some all each per via"
    )
)
_WORD = re.compile(r"[^\W_][\w'’-]*", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)")
_MARKER = re.compile(r"^\s*(?:[-*+>]|\d+[.)])\s+")


def _words(text: str) -> list[str]:
    return [fold(w).strip("'-") for w in _WORD.findall(text)]


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _words(text)
    grams = set()
    for i in range(len(words) - SHINGLE + 1):
        gram = tuple(words[i : i + SHINGLE])
        if sum(1 for w in gram if w not in STOP and len(w) >= 3) >= 2:
            grams.add(gram)
    return grams


@dataclass(frozen=True)
class Leak:
    """Internal text found in a draft: what was found, and the fact it belongs to."""

    text: str
    source: str


@dataclass
class Guard:
    """The internal facts (text, source label) against what the client may read (`visible`)."""

    internal: list[tuple[str, str]]
    visible: Known
    stages: list[str] = field(default_factory=list)
    _figures: list[tuple[figure_check.Figure, str]] = field(default_factory=list)
    _names: dict[str, str] = field(default_factory=dict)
    _phrases: dict[tuple[str, ...], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        shown = set()
        for text in self.visible.texts:
            shown |= _shingles(text)
        for text, source in self.internal:
            for figure in figure_check.figures(text):
                if not self.visible.traces(figure):
                    if figure.kind == "name":
                        for _, word in figure.values:
                            self._names.setdefault(str(word), source)
                    else:
                        self._figures.append((figure, source))
            for gram in _shingles(text) - shown:
                self._phrases.setdefault(gram, source)

    def leaks(self, text: str) -> list[Leak]:
        """The internal-only figures, names, phrases and stage names `text` states."""
        found: list[Leak] = []
        for figure in figure_check.figures(text):
            if self.visible.traces(figure):
                continue
            if figure.kind == "name":
                hit = next((self._names[w] for _, w in figure.values if w in self._names), "")
            else:
                hit = next(
                    (src for known, src in self._figures if _same(figure, known)),
                    "",
                )
            if hit:
                found.append(Leak(figure.text, hit))
        words = _words(text)
        for i in range(len(words) - SHINGLE + 1):
            gram = tuple(words[i : i + SHINGLE])
            if gram in self._phrases:
                found.append(Leak(" ".join(gram), self._phrases[gram]))
                break
        lower = fold(text)
        for stage in self.stages:
            name = re.escape(fold(stage))
            if re.search(
                rf"\b{name}\s+(?:stage|phase of our pipeline)\b|\bstage\W+{name}\b", lower
            ):
                found.append(Leak(stage, "deal stage"))
        return found

    def clean(self, markdown: str) -> tuple[str, list[Leak]]:
        """`markdown` without the sentences or list items that state internal facts, and what
        was removed (the sentence, and the fact's source)."""
        removed: list[Leak] = []
        lines = []
        for line in markdown.splitlines():
            marker = _MARKER.match(line)
            prefix = marker.group(0) if marker else ""
            if line.lstrip().startswith("#") or not line.strip():
                lines.append(line)
                continue
            sentences = _SENTENCE.split(line[len(prefix) :])
            kept = []
            for sentence in sentences:
                leaks = self.leaks(sentence)
                if leaks:
                    removed.append(Leak(sentence.strip(" *_")[:300], leaks[0].source))
                else:
                    kept.append(sentence)
            if len(kept) == len(sentences):
                lines.append(line)
            elif kept:
                lines.append(prefix + " ".join(kept))
        return "\n".join(lines), removed


def _same(figure: figure_check.Figure, known: figure_check.Figure) -> bool:
    if figure.kind != known.kind:
        return False
    if figure.kind == "money":
        return any(a == b for _, a in figure.values for _, b in known.values)  # type: ignore[misc]
    if figure.kind == "date":
        return bool(Known([known.text]).traces(figure))
    return bool(figure.values & known.values)
