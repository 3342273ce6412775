"""Audit events as people read them: who (by name), what, which record, and each change.

One service for the record timelines and the audit trail page. It turns stored changes such as
`{"owner_id": [id, id], "products": [None, ["Brand video", "Social cutdowns"]]}` into
"Owner: Ann Lee → Bob Ray" and "Products of interest: — → Brand video, Social cutdowns":
labels from the field tables, referenced records and people by name, states as labels, times in
the viewer's zone. Every name a page of events needs is looked up in one query per kind of
record (never one per event).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session

from crmapp.models.audit import AuditEvent
from crmapp.services.crm import custom_fields
from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.wording import humanise
from crmapp.services.social.base import NotSupported
from crmapp.services.social.registry import provider_class
from crmapp.services.tenancy import audit_labels
from crmapp.services.tenancy.audit_labels import HIDDEN
from crmapp.services.tenancy.audit_names import HREFS, LOOKUPS, RECORD_LOOKUP, Names, as_uuid

EMPTY = "—"
MAX_TEXT = 120
LIST_KINDS = {"list", "network"}


@dataclass(frozen=True)
class Change:
    """One changed (or recorded) field: its label, and the value before (None: no before)."""

    label: str
    after: str
    before: str | None = None

    def text(self) -> str:
        """`Owner: Ann → Bob`, or `Name: Acme` when there is no before."""
        if self.before is None:
            return f"{self.label}: {self.after}"
        return f"{self.label}: {self.before} → {self.after}"


@dataclass(frozen=True)
class EventView:
    """An audit event in words."""

    id: str
    when: datetime
    action: str
    title: str
    actor: str
    record_kind: str
    record: str
    href: str
    changes: list[Change] = field(default_factory=list)

    @property
    def detail(self) -> str:
        """Every change on one line."""
        return "; ".join(c.text() for c in self.changes)


def _is_pair(kind: str, value: Any) -> bool:
    if not isinstance(value, list) or len(value) != 2:
        return False
    if kind in LIST_KINDS:  # a list field's before/after are lists themselves
        return all(v is None or isinstance(v, list) for v in value)
    return kind not in ("per_network",) or all(v is None or isinstance(v, dict) for v in value)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _network(name: Any) -> str:
    try:
        return provider_class(str(name)).label
    except NotSupported:
        return humanise(str(name))


def state_label(value: Any) -> str:
    """A state, role or kind as a label: `pending_review` → `Pending review`."""
    text = str(value)
    return audit_labels.STATE_LABELS.get(text) or humanise(text)


def _size(value: Any) -> str:
    amount = _number(value)
    if amount is None:
        return str(value)
    for unit in ("bytes", "KB", "MB"):
        if amount < 1024 or unit == "MB":
            return f"{amount:,.0f} {unit}" if unit == "bytes" else f"{amount:,.1f} {unit}"
        amount /= 1024
    return str(value)  # pragma: no cover - the loop always returns


def _datetime(value: Any, tz: str) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        return moment.strftime(timefmt.DEFAULT_FORMAT)
    return timefmt.local(moment, tz)


def _auto(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(_auto(v) for v in value if not _blank(v)) or EMPTY
    if isinstance(value, dict):
        return "; ".join(f"{humanise(str(k))}: {_auto(v)}" for k, v in value.items())
    if isinstance(value, str) and as_uuid(value) is not None:
        return "a record"
    return _short(str(value))


class _Reader:
    """How one page of events reads, once `Names` has looked everything up."""

    def __init__(self, names: Names, tz: str) -> None:
        self.names, self.tz = names, tz

    def value(self, entity: str, key: str, kind: str, value: Any) -> str:
        if _blank(value):
            return EMPTY
        if kind in LOOKUPS or kind == "account":
            if isinstance(value, list):
                return ", ".join(self.names.name(kind, v) for v in value)
            return self.names.name(kind, value)
        simple: dict[str, Callable[[Any], str]] = {
            "text": lambda v: _short(str(v)),
            "state": state_label,
            "option": lambda v: audit_labels.option_label(entity, key, str(v)),
            "datetime": lambda v: _datetime(v, self.tz),
            "bool": lambda v: "Yes" if v else "No",
            "percent": lambda v: f"{v}%",
            "position": lambda v: str(int(v) + 1) if str(v).isdigit() else str(v),
            "bytes": _size,
            "entity": lambda v: audit_labels.ENTITY_PLURALS.get(str(v)) or humanise(str(v)),
        }
        if kind in simple:
            return simple[kind](value)
        if kind in ("money", "usd", "number"):
            amount = _number(value)
            if amount is None:
                return str(value)
            text = f"{amount:,.2f}" if kind != "number" else f"{amount:,}"
            return "$" + text if kind == "usd" else text
        if kind == "date":
            try:
                return date.fromisoformat(str(value)).strftime("%d %b %Y")
            except ValueError:
                return str(value)
        if kind == "network":
            items = value if isinstance(value, list) else [value]
            return ", ".join(_network(v) for v in items)
        if kind == "per_network" and isinstance(value, dict):
            return "; ".join(f"{_network(k)}: {_short(str(v))}" for k, v in value.items())
        return _auto(value)

    def custom(self, entity: str, key: str, value: Any) -> str:
        cf = self.names.custom.get((entity, key))
        if _blank(value):
            return EMPTY
        return _short(custom_fields.display(cf, value)) if cf else _auto(value)

    def changes(self, event: AuditEvent) -> list[Change]:
        entity = event.entity_type
        known = list(audit_labels.ENTITY_KEYS.get(entity, {})) + list(audit_labels.COMMON_KEYS)

        def order(key: str) -> tuple[int, str]:
            return (known.index(key) if key in known else len(known), key)

        out = []
        for key in sorted(event.changes, key=order):
            value = event.changes[key]
            if key.startswith("custom."):
                cf = self.names.custom.get((entity, key[7:]))
                label, kind = (cf.label if cf else humanise(key[7:])), "custom"
                pair = isinstance(value, list) and len(value) == 2
            else:
                label, kind = audit_labels.field_label(entity, key)
                if kind == HIDDEN:
                    continue
                pair = _is_pair(kind, value)
            if pair:
                before, after = (self.read(entity, key, kind, v) for v in value)
                out.append(Change(label, after, before))
            elif not _blank(value):
                out.append(Change(label, self.read(entity, key, kind, value)))
        return out

    def read(self, entity: str, key: str, kind: str, value: Any) -> str:
        """One value of `key` (a custom field's when `kind` is "custom")."""
        if kind == "custom":
            return self.custom(entity, key[7:], value)
        return self.value(entity, key, kind, value)


def _title(action: str) -> str:
    if action in audit_labels.ACTION_TITLES:
        return audit_labels.ACTION_TITLES[action]
    prefix, _, verb = action.partition(".")
    if prefix == "deal" and verb.startswith("proposal_"):  # a proposal's moves on its deal
        return "Proposal " + verb.removeprefix("proposal_").replace("_", " ")
    subject = audit_labels.ACTION_SUBJECTS.get(prefix) or humanise(prefix)
    return f"{subject} {verb.replace('_', ' ')}".strip()


def _collect(names: Names, events: Sequence[AuditEvent]) -> None:
    for event in events:
        if event.actor_user_id:
            names.want("user", event.actor_user_id)
        if event.entity_type == "membership":
            names.want("user", event.changes.get("user_id"))
        elif event.entity_type in RECORD_LOOKUP:
            names.want(RECORD_LOOKUP[event.entity_type], event.entity_id)
        for key, value in event.changes.items():
            if key.startswith("custom."):
                names.custom_wanted.add((event.entity_type, key[7:]))
                continue
            _label, kind = audit_labels.field_label(event.entity_type, key)
            if kind in LOOKUPS or kind == "account":
                names.want(kind, value[0] if _is_pair(kind, value) else value)
                if _is_pair(kind, value):
                    names.want(kind, value[1])


def _actor(names: Names, event: AuditEvent) -> str:
    user = event.actor_user_id
    name = names.names["user"].get(user) if user else None
    email = names.emails.get(user, "") if user else ""
    if name and (not event.actor_email or event.actor_email.casefold() == email.casefold()):
        return name
    return event.actor_email or "System"  # someone acting through a public link, or a job


def _record(names: Names, event: AuditEvent) -> tuple[str, str]:
    entity = event.entity_type
    if entity == "membership":
        ident = as_uuid(event.changes.get("user_id"))
    else:
        ident = as_uuid(event.entity_id)
    lookup = "user" if entity == "membership" else RECORD_LOOKUP.get(entity)
    name = names.names[lookup].get(ident, "") if lookup and ident else ""
    if not name:
        name = next(
            (
                str(event.changes[k])
                for k in audit_labels.NAME_KEYS
                if isinstance(event.changes.get(k), str) and event.changes[k]
            ),
            "",
        )
    alive = bool(ident and lookup and ident in names.names[lookup] and ident not in names.gone)
    href = HREFS[entity](event.entity_id) if entity in HREFS and alive else ""
    return _short(name), href


def describe(
    session: Session, actor: Actor, events: Sequence[AuditEvent], tz: str = "UTC"
) -> list[EventView]:
    """`events` (of the actor's organisation) in words, in the same order; times in `tz`."""
    names = Names()
    _collect(names, events)
    names.load(session, actor.org_id)
    reader = _Reader(names, tz)
    out = []
    for event in events:
        record, href = _record(names, event)
        out.append(
            EventView(
                id=str(event.id),
                when=event.created_at,
                action=event.action,
                title=_title(event.action),
                actor=_actor(names, event),
                record_kind=audit_labels.NOUNS.get(event.entity_type)
                or humanise(event.entity_type),
                record=record,
                href=href,
                changes=reader.changes(event),
            )
        )
    return out


def action_label(action: str) -> str:
    """What an action is called (the audit page's filter menu)."""
    return _title(action)
