"""Every figure in a draft traced to a fact: extraction and matching, pure (no database).

`figures(text)` finds the money amounts, percentages, dates, durations and proper names a text
states, each with the value it means: "1,200", "1.200" and "1200.00" are the same amount (a
grouping separator followed by three digits may also be a decimal one, so both readings are
kept); "€", "EUR" and "euro" are one currency; "15%" and "15 percent" one percentage; "6 weeks",
"six weeks" and "42 days" one duration; "2027-03-12", "12 March 2027" and "March 12, 2027" one
date ("12/03/2027" is read both ways); names match without regard to case or accents.

`Known(texts)` is what a draft may state (the client-visible facts of the context graph, the
passages used and the pricing table); `untraced(text, known)` lists the figures of `text` that
none of them states. A money amount matches a known amount of the same value whose currency is the
same or not stated; a month ("March 2027") matches any date in it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation


def wordlist(words: str) -> list[str]:
    """The words of a space-separated list."""
    return words.split()


CURRENCIES = {
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "£": "GBP",
    "gbp": "GBP",
    "chf": "CHF",
    "ca$": "CAD",
    "cad": "CAD",
    "a$": "AUD",
    "aud": "AUD",
    "sek": "SEK",
    "dkk": "DKK",
    "nok": "NOK",
    "jpy": "JPY",
    "¥": "JPY",
}
WORDS = {
    w: i
    for i, w in enumerate(
        wordlist(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen"
            " fourteen fifteen sixteen seventeen eighteen nineteen twenty"
        )
    )
}
WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90})
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        wordlist(
            "january february march april may june july august september october november december"
        )
    )
}
MONTHS.update({m[:3]: n for m, n in list(MONTHS.items())})
MONTHS["sept"] = 9
UNITS = {"hour": ("hour", 1), "day": ("day", 1), "week": ("day", 7), "month": ("month", 1)}
UNITS["year"] = ("month", 12)
# Capitalised words that are not names (sentence openers, days, units, document words).
NOT_NAMES = set(
    wordlist(
        "i we our us you your the a an this that these those it its he she they their there here"
        " what when where which who how why if then and or but for with from to of in on at by as"
        " all any each every no not yes please dear kind regards best thanks thank hello hi"
        " monday tuesday wednesday thursday friday saturday sunday phase step stage week day month"
        " year total subtotal tax discount price pricing investment scope timeline overview summary"
        " introduction deliverables deliverable acceptance terms payment schedule next steps"
        " appendix option package plan tier support service services team project proposal"
        " client ltd llc inc gmbh ag sa bv plc co limited corp pdf faq kpi kpis roi ui ux api seo"
        " crm it hr"
        " q1 q2 q3 q4 ok tbd vat n/a"
    )
) | set(MONTHS)

_NUM = r"\d{1,3}(?:[ ,.\u00a0\u202f']\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_SYM = r"(?:US\$|CA\$|A\$|[€$£¥])"
_CODE = r"(?:EUR|USD|GBP|CHF|CAD|AUD|SEK|DKK|NOK|JPY|euros?|dollars?)"
_MONEY = re.compile(
    rf"(?P<pre>{_SYM}|\b{_CODE}\b)\s?(?P<a>{_NUM})(?P<k>\s?[kKmM]\b)?"
    rf"|(?P<b>{_NUM})(?P<k2>\s?[kKmM]\b)?\s?(?P<post>{_SYM}|\b{_CODE}\b)",
    re.IGNORECASE,
)
_GROUPED = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[,.\u00a0\u202f']\d{3})+(?:[.,]\d{2})?|\d+[.,]\d{2})(?![\w%])"
)
_BARE = re.compile(rf"(?<![\w.,])(?:{_NUM})(?![\w%])")
_NUMWORD = r"\d+(?:[.,]\d+)?|" + "|".join(sorted(WORDS, key=len, reverse=True))
_PERCENT = re.compile(rf"(?P<n>{_NUMWORD})\s?(?:%|per\s?cent\b|percent\b)", re.IGNORECASE)
_DURATION = re.compile(
    rf"\b(?P<n>{_NUMWORD})(?:\s?(?:-|–|to)\s?(?P<m>\d+))?[\s-]?"
    r"(?:(?:working|business|calendar)\s)?(?P<u>hour|day|week|month|year)s?\b",
    re.IGNORECASE,
)
_MON = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DATES = (
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(
        rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s(?:of\s)?(?P<mn>{_MON})(?:,?\s(?P<y>\d{{4}}))?\b",
        re.I,
    ),
    re.compile(
        rf"\b(?P<mn>{_MON})\s(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s(?P<y>\d{{4}}))?\b", re.I
    ),
    re.compile(r"\b(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4})\b"),
    re.compile(rf"\b(?P<mn>{_MON})\s(?P<y>\d{{4}})\b", re.I),
)
_NAME = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)


@dataclass(frozen=True)
class Figure:
    """One figure a text states: its kind, as written, and the values it may mean."""

    kind: str  # money | percent | date | duration | name
    text: str
    values: frozenset[tuple[object, ...]]
    start: int = 0


def fold(text: str) -> str:
    """Casefolded, without accents ("Zoë" → "zoe"), for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


def amounts(number: str) -> set[Decimal]:
    """Every value a written number may mean: "1.200" is 1200 or 1.2; "1,200.50" is 1200.5."""
    raw = number.replace("\u00a0", " ").replace("\u202f", " ").replace("'", " ").strip()
    readings = set()
    for decimal_mark in (".", ","):
        group = "," if decimal_mark == "." else "."
        text = raw.replace(" ", "")
        if text.count(decimal_mark) > 1:
            continue
        head, _, tail = text.partition(decimal_mark)
        if group in head and not re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", head):
            continue
        try:
            readings.add(Decimal(head.replace(group, "") + (f".{tail}" if tail else "")))
        except InvalidOperation:
            continue
    return {r.normalize() for r in readings}


def _number(word: str) -> Decimal | None:
    word = word.lower()
    if word in WORDS:
        return Decimal(WORDS[word])
    found = amounts(word)
    return min(found) if len(found) == 1 else (next(iter(found)) if found else None)


def _money(match: re.Match[str]) -> Figure:
    currency = CURRENCIES.get((match.group("pre") or match.group("post") or "").lower(), "")
    number = match.group("a") or match.group("b")
    scale = (match.group("k") or match.group("k2") or "").strip().lower()
    factor = Decimal(1000) if scale == "k" else Decimal(1_000_000) if scale == "m" else Decimal(1)
    values = frozenset((currency, (a * factor).normalize()) for a in amounts(number))
    return Figure("money", match.group(0).strip(), values, match.start())


def _date(match: re.Match[str]) -> set[tuple[object, ...]]:
    parts = match.groupdict()
    year = int(parts["y"]) if parts.get("y") else 0
    if parts.get("mn"):
        month = MONTHS[parts["mn"].rstrip(".").lower()]
        return {(year, month, int(parts["d"]) if parts.get("d") else 0)}
    if parts.get("a"):  # 12/03/2027: day first or month first
        a, b = int(parts["a"]), int(parts["b"])
        return {(year, m, d) for d, m in ((a, b), (b, a)) if 1 <= m <= 12 and 1 <= d <= 31}
    month, day = int(parts["m"]), int(parts["d"])
    return {(year, month, day)} if 1 <= month <= 12 and 1 <= day <= 31 else set()


def _names(text: str, taken: list[tuple[int, int]]) -> list[Figure]:
    """Runs of capitalised words (not inside another figure, not common words); a lone one
    opening a sentence ("Design and build.") is not taken for a name."""
    found: list[Figure] = []
    run: list[re.Match[str]] = []

    def close() -> None:
        words = [m.group(0) for m in run if fold(m.group(0)).strip("'-") not in NOT_NAMES]
        opener = _opens_sentence(text, run[0].start()) if run else False
        if words and (len(run) > 1 or not opener):
            phrase = text[run[0].start() : run[-1].end()]
            values = frozenset(("word", fold(w).strip("'-")) for w in words)
            found.append(Figure("name", phrase, values, run[0].start()))
        run.clear()

    for match in _NAME.finditer(text):
        word = match.group(0)
        inside = any(a <= match.start() < b for a, b in taken)
        if run and text[run[-1].end() : match.start()] not in (" ", "-", "\u00a0"):
            close()
        if word[0].isupper() and not inside:
            run.append(match)
        else:
            close()
    close()
    return found


def _opens_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(' \t*_>#"“(')
    return not before or before[-1] in ".!?:\n•-–—" or bool(re.search(r"\n\s*\d+[.)]$", before))


def figures(text: str) -> list[Figure]:
    """The money amounts, percentages, dates, durations and names `text` states, in order."""
    found: list[Figure] = []
    taken: list[tuple[int, int]] = []

    def free(match: re.Match[str]) -> bool:
        return not any(a < match.end() and match.start() < b for a, b in taken)

    for match in _MONEY.finditer(text):
        found.append(_money(match))
        taken.append(match.span())
    for match in _PERCENT.finditer(text):
        if free(match) and (number := _number(match.group("n"))) is not None:
            found.append(Figure("percent", match.group(0), frozenset({(number,)}), match.start()))
            taken.append(match.span())
    for pattern in _DATES:
        for match in pattern.finditer(text):
            if free(match) and (values := _date(match)):
                found.append(Figure("date", match.group(0), frozenset(values), match.start()))
                taken.append(match.span())
    for match in _DURATION.finditer(text):
        number = _number(match.group("n"))
        if free(match) and number is not None:
            unit, factor = UNITS[match.group("u").lower()]
            spans = {(unit, (number * factor).normalize())}
            if match.group("m"):
                spans.add((unit, (Decimal(match.group("m")) * factor).normalize()))
            found.append(Figure("duration", match.group(0), frozenset(spans), match.start()))
            taken.append(match.span())
    for match in _GROUPED.finditer(text):
        if free(match):  # "63,600.00" without a currency: an amount all the same
            bare = frozenset(("", a) for a in amounts(match.group(1)))
            found.append(Figure("money", match.group(1), bare, match.start()))
            taken.append(match.span())
    found += _names(text, taken)
    return sorted(found, key=lambda f: f.start)


@dataclass
class Known:
    """What a draft may state: the figures and words of the texts it was written from."""

    texts: list[str] = field(default_factory=list)
    money: set[tuple[str, Decimal]] = field(default_factory=set)
    other: set[tuple[str, tuple[object, ...]]] = field(default_factory=set)
    words: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for text in self.texts:
            self.add(text)

    def add(self, text: str, currency: str = "") -> None:
        """Take in one more text; bare amounts in it are in `currency` when one is given."""
        found = figures(text)
        spans = [(f.start, f.start + len(f.text)) for f in found if f.kind != "name"]
        for figure in found:
            for value in figure.values:
                if figure.kind == "money":
                    cur, amount = value
                    self.money.add((str(cur or currency), Decimal(str(amount))))
                elif figure.kind != "name":
                    self.other.add((figure.kind, value))
        for match in _BARE.finditer(text):  # "950 per month": maybe a price, currency unsaid
            if not any(a <= match.start() < b for a, b in spans):
                self.money |= {("", amount) for amount in amounts(match.group(0))}
        self.words |= {fold(w).strip("'-") for w in _NAME.findall(text)}

    def traces(self, figure: Figure) -> bool:
        """Whether the figure is stated by a known text."""
        if figure.kind == "name":
            return all(value[1] in self.words for value in figure.values)
        if figure.kind == "money":
            return any(
                (cur, amount) in self.money or (not cur and any(a == amount for _, a in self.money))
                for cur, amount in figure.values  # type: ignore[misc]
            ) or any(("", amount) in self.money for _, amount in figure.values)  # type: ignore[misc]
        if figure.kind == "date":
            return any(self._date(value) for value in figure.values)
        return any((figure.kind, value) in self.other for value in figure.values)

    def _date(self, value: tuple[object, ...]) -> bool:
        year, month, day = value
        for kind, known in self.other:
            if kind != "date":
                continue
            k_year, k_month, k_day = known
            if (
                month == k_month
                and (not year or not k_year or year == k_year)
                and (not day or not k_day or day == k_day)
            ):
                return True
        return False


def untraced(text: str, known: Known) -> list[Figure]:
    """The figures of `text` that no known text states (each written form once)."""
    seen: set[str] = set()
    result = []
    for figure in figures(text):
        if not known.traces(figure) and figure.text not in seen:
            seen.add(figure.text)
            result.append(figure)
    return result
