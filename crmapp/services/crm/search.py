"""Global search across contacts, companies and deals (the top bar's results as you type).

Each kind is searched in two tiers, up to `limit` hits in all:

1. **Exact**: the term occurs in the record's name, email, domain or title (case-insensitive
   substring), ranked: the whole field equals the term, then a word of it starts with the term,
   then the rest, newest first.
2. **Typo-tolerant**, when the exact tier leaves room: every word of the query (4+ letters: one
   edit; 3 letters: as typed or one letter short, "jon" finds John) has a near spelling in the
   record, so "jonh smtih" finds John Smith and "hoper" Grace Hopper. The last word of a longer
   query may also be a fragment still being typed ("grace hopp"). Ranked by how close the words
   are (the share of each word's one-deletion keys the record holds: 1 for the word itself, less
   for a swap, less again for a substitution), then by trigram similarity, then newest first.

pg_trgm is not in the embedded PostgreSQL, so both tiers use our own functions over stored
generated columns with GIN indexes (migrations 0005 and 0011). Row-level security keeps the
planner from using a GIN index in the app's own queries (no GIN operator is LEAKPROOF), so the
candidates come from SQL `tandem_search_ids()`, which returns only the ids of the current
tenant's matching live records; the rows are then read under row-level security as ever. Where
more than `POOL` records match a tier, the first `POOL` found are ranked. Phone-like terms match
contacts' and companies' phone numbers by their digits.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, literal, or_, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text
from sqlmodel import Session, col, select

from crmapp import routes
from crmapp.models.crm import Company, Contact, Deal
from crmapp.services.platform.actor import Actor
from crmapp.services.tenancy.permissions import Perm, require

PHONE_LIKE = re.compile(r"^[0-9+()\-. ]{4,}$")
MAX_TERM = 100
MAX_WORDS = 6
MAX_GRAMS = 32
POOL = 500  # matches ranked per tier and kind
TYPO_MIN_LENGTH = 4  # words this long tolerate one edit; tandem_typo_keys() has the same bounds
TYPO_MAX_LENGTH = 24
# A word as tandem_typo_keys() splits them: a run of letters or a run of digits.
WORD = re.compile(r"[^\W\d_]+|[0-9]+")


@dataclass(frozen=True)
class Hit:
    """One search result."""

    kind: str  # contact | company | deal
    title: str
    subtitle: str
    href: str


def words(term: str) -> list[str]:
    """The distinct lower-case words of `term`, in order (as `tandem_typo_keys` splits them)."""
    return list(dict.fromkeys(WORD.findall(term.lower())))


def typo_keys(word: str) -> list[str]:
    """`word` and, for 4 to 24 letters, each form of it with one character deleted: two words one
    edit apart share a key (the Python twin of SQL `tandem_typo_keys` for one word)."""
    keys = {word}
    if TYPO_MIN_LENGTH <= len(word) <= TYPO_MAX_LENGTH and not word[0].isdigit():
        keys |= {word[:i] + word[i + 1 :] for i in range(len(word))}
    return sorted(keys)


def trigrams(text: str) -> list[str]:
    """The distinct 3-character substrings of lower-case `text` (as SQL `tandem_trigrams`)."""
    text = text.lower()
    return sorted({text[i : i + 3] for i in range(len(text) - 2)})


@dataclass(frozen=True)
class _Kind:
    """How one record type is searched."""

    model: Any
    fields: Callable[[], list[Any]]  # exact tier: the term occurs in one of these
    text: Callable[[], Any]  # the searchable text the generated columns are computed from
    text_sql: str  # the same, as SQL
    hit: Callable[[Any], Hit]


def _contact_hit(c: Contact) -> Hit:
    name = f"{c.first_name} {c.last_name}".strip()
    return Hit("contact", name, c.email or c.phone, routes.contact(c.id))


def _company_hit(c: Company) -> Hit:
    return Hit("company", c.name, c.domain, routes.company(c.id))


def _deal_hit(d: Deal) -> Hit:
    return Hit("deal", d.title, f"{d.value:,.0f} {d.currency}", routes.deal(d.id))


KINDS = {
    "contact": _Kind(
        Contact,
        lambda: [
            func.trim(col(Contact.first_name) + " " + col(Contact.last_name)),
            col(Contact.email),
        ],
        lambda: col(Contact.first_name) + " " + col(Contact.last_name) + " " + col(Contact.email),
        "contact.first_name || ' ' || contact.last_name || ' ' || contact.email",
        _contact_hit,
    ),
    "company": _Kind(
        Company,
        lambda: [col(Company.name), col(Company.domain)],
        lambda: col(Company.name) + " " + col(Company.domain),
        "company.name || ' ' || company.domain",
        _company_hit,
    ),
    "deal": _Kind(
        Deal, lambda: [col(Deal.title)], lambda: col(Deal.title), "deal.title", _deal_hit
    ),
}


def _like(term: str) -> str:
    """`%term%` with LIKE's wildcards taken literally."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", term) + "%"


def _regex(term: str) -> str:
    """`term` as a literal in a PostgreSQL regular expression (a backslash before a character
    that is not a letter, digit or underscore always means that character)."""
    return re.sub(r"(\W)", r"\\\1", term)


def _live(kind: _Kind, actor: Actor) -> Any:
    model = kind.model
    return select(model).where(model.org_id == actor.org_id, col(model.deleted_at).is_(None))


def _probe(
    kind_name: str,
    *,
    typo_words: Sequence[str] = (),
    fragment: str | None = None,
    within: str | None = None,
) -> Any:
    """`id IN (...)` the ids SQL `tandem_search_ids` finds with the GIN indexes (row-level
    security keeps the planner from using them in this query itself; migration 0011)."""
    ids = func.tandem_search_ids(
        kind_name, literal(list(typo_words), ARRAY(Text)), fragment, within
    )
    return col(KINDS[kind_name].model.id).in_(select(ids))


def substring_candidates(kind_name: str, term: str) -> Any | None:
    """A condition every record of `kind_name` containing `term` meets, answered by the trigram
    index, for a query that rechecks with ILIKE; None when `term` is shorter than 3 characters."""
    return _probe(kind_name, within=term) if len(term) >= 3 else None


def _pooled(kind: _Kind, actor: Actor, conditions: list[Any]) -> Any:
    """Live records meeting `conditions`, at most `POOL` of them (the first found): ranking every
    match of a very common term would cost more than it tells."""
    model = kind.model
    pool = select(model.id).where(
        model.org_id == actor.org_id, col(model.deleted_at).is_(None), *conditions
    )
    return _live(kind, actor).where(col(model.id).in_(pool.limit(POOL)))


def exact_query(actor: Actor, kind_name: str, term: str, limit: int = 5) -> Any:
    """The exact tier's SELECT for one kind ("contact", "company" or "deal")."""
    kind = KINDS[kind_name]
    model, fields = kind.model, kind.fields()
    conditions = [or_(*(f.ilike(_like(term), escape="\\") for f in fields))]
    candidates = substring_candidates(kind_name, term)
    if candidates is not None:
        conditions.append(candidates)
    rank = case(
        (or_(*(func.lower(f) == func.lower(term) for f in fields)), 0),
        (or_(*(f.op("~*")(r"\m" + _regex(term)) for f in fields)), 1),
        else_=2,
    )
    return (
        _pooled(kind, actor, conditions)
        .order_by(rank, col(model.created_at).desc(), col(model.id))
        .limit(limit)
    )


def fuzzy_query(
    actor: Actor, kind_name: str, term: str, exclude: Collection[uuid.UUID] = (), limit: int = 5
) -> Any:
    """The typo-tolerant tier's SELECT for one kind, or None when no word of `term` can use an
    index (all shorter than three characters)."""
    kind = KINDS[kind_name]
    model, table = kind.model, kind.model.__tablename__
    found = words(term)[:MAX_WORDS]
    conditions: list[Any] = []
    # The ranking is plain SQL over bound values: as SQLAlchemy expressions, its dozens of
    # one-element `@>` tests cost more to build than to run.
    scores: list[str] = []
    params: dict[str, Any] = {}
    typo_words: list[str] = []  # each has a near spelling in the record
    fragment: str | None = None  # the last word of several, maybe still being typed
    for i, word in enumerate(found):
        keys = typo_keys(word) if len(word) >= 3 else []
        closeness = "0.0"
        if keys:  # the share of the word's keys the record holds: 1 for the word itself
            params.update({f"rank_k{i}_{j}": k for j, k in enumerate(keys)})
            held = " + ".join(
                f"({table}.search_keys @> ARRAY[CAST(:rank_k{i}_{j} AS text)])::int"
                for j in range(len(keys))
            )
            closeness = f"({held})::float / {len(keys)}"
        if not keys or (len(found) > 1 and i == len(found) - 1):
            # A short word, or the last one still being typed: it may occur as typed.
            typed = kind.text().ilike(_like(word), escape="\\")
            near = col(model.search_keys).op("&&")(func.tandem_typo_keys(word))
            conditions.append(or_(near, typed) if keys else typed)
            params[f"rank_t{i}"] = _like(word)
            scores.append(
                f"CASE WHEN ({kind.text_sql}) ILIKE :rank_t{i} ESCAPE '\\' THEN 1.0 "
                f"ELSE {closeness} END"
            )
            if keys:
                fragment = word
        else:  # the probe below finds only records where it has a near spelling
            typo_words.append(word)
            scores.append(closeness)
    if not typo_words and fragment is None:
        return None
    grams = trigrams(term)[:MAX_GRAMS]
    params.update({f"rank_g{j}": g for j, g in enumerate(grams)})
    shared = " + ".join(
        f"({table}.search_trigrams @> ARRAY[CAST(:rank_g{j} AS text)])::int"
        for j in range(len(grams))
    )
    # Dice (2 x shared / (all of A + all of B)) ranks as Jaccard (shared / all of A and B)
    # does, and counts the shared trigrams once.
    similarity = (
        f"({shared or '0'})::float / (cardinality({table}.search_trigrams) + {len(grams) + 1})"
    )
    ranking = text(f"{' + '.join(scores)} DESC, {similarity} DESC").bindparams(**params)
    conditions.append(_probe(kind_name, typo_words=typo_words, fragment=fragment))
    if exclude:
        conditions.append(col(model.id).notin_(list(exclude)))
    return (
        _pooled(kind, actor, conditions)
        .order_by(ranking, col(model.created_at).desc())
        .limit(limit)
    )


def _by_phone(session: Session, kind: _Kind, actor: Actor, digits: str, limit: int) -> list[Any]:
    phone = col(kind.model.phone)
    query = _live(kind, actor).where(func.regexp_replace(phone, r"\D", "", "g").contains(digits))
    return list(session.exec(query.order_by(col(kind.model.created_at).desc()).limit(limit)).all())


def search(session: Session, actor: Actor, term: str, *, limit: int = 5) -> list[Hit]:
    """Up to `limit` matches of each kind: contacts by name, email or phone; companies by name,
    domain or phone; deals by title. Exact matches first, then typo-tolerant ones."""
    require(actor.role, Perm.RECORD_READ)
    term = term.strip()[:MAX_TERM]
    if len(term) < 2:
        return []
    digits = re.sub(r"\D", "", term)
    phone = bool(PHONE_LIKE.match(term)) and len(digits) >= 4
    hits: list[Hit] = []
    for name, kind in KINDS.items():
        rows: list[Any] = []
        if phone and name != "deal":
            rows = _by_phone(session, kind, actor, digits, limit)
        if len(rows) < limit:
            seen = {r.id for r in rows}
            exact = session.exec(exact_query(actor, name, term, limit)).all()
            rows = (rows + [r for r in exact if r.id not in seen])[:limit]
        if not phone and len(rows) < limit:
            query = fuzzy_query(actor, name, term, {r.id for r in rows}, limit - len(rows))
            rows += session.exec(query).all() if query is not None else []
        hits += [kind.hit(r) for r in rows]
    return hits
