"""The built-in fields of contacts, companies and deals: labels, kinds, and validation.

One table drives the record forms, inline edits in list views, list columns and CSV export, so a
rule (an email must look like one, a probability is 0-100) lives in one place.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from crmapp.models.crm import COMPANY_SIZES, LIFECYCLE_STAGES
from crmapp.services.tenancy.auth import EMAIL_RE

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](-*[a-z0-9])*)(\.[a-z0-9](-*[a-z0-9])*)+$")
PHONE_CHARS = set("0123456789+-() .")
MAX_TAGS = 20
LIFECYCLE_LABELS = tuple(stage.capitalize() for stage in LIFECYCLE_STAGES)


@dataclass(frozen=True)
class FieldDef:
    """One built-in field.

    `kind` is one of: text, longtext, email, emails, phone, phones, domain, tags, select, money,
    currency, percent, date, user, company, contact, stage.
    """

    key: str
    label: str
    kind: str = "text"
    required: bool = False
    max_len: int = 200
    options: tuple[str, ...] = ()
    in_list: bool = True  # offered as a list-view column
    inline: bool = True  # editable in a list cell
    labels: tuple[str, ...] = ()  # what people read for each of `options` (default: the option)

    def choices(self) -> list[tuple[str, str]]:
        """`(stored value, label)` for each option of a select."""
        return [
            (o, self.labels[i] if i < len(self.labels) else o) for i, o in enumerate(self.options)
        ]

    def option_label(self, value: str) -> str:
        """The label of a stored option (the value itself when it has none)."""
        return dict(self.choices()).get(value, value)


FIELDS: dict[str, tuple[FieldDef, ...]] = {
    "contact": (
        FieldDef("first_name", "First name", required=True, max_len=100),
        FieldDef("last_name", "Last name", max_len=100),
        FieldDef("email", "Email", "email", max_len=254),
        FieldDef("extra_emails", "Other emails", "emails", in_list=False),
        FieldDef("phone", "Phone", "phone", max_len=40),
        FieldDef("extra_phones", "Other phones", "phones", in_list=False),
        FieldDef("title", "Job title", max_len=120),
        FieldDef("company_id", "Company", "company", inline=False),
        FieldDef("owner_id", "Owner", "user"),
        FieldDef(
            "lifecycle_stage",
            "Lifecycle stage",
            "select",
            options=LIFECYCLE_STAGES,
            labels=LIFECYCLE_LABELS,
        ),
        FieldDef("source", "Source", max_len=60),
        FieldDef("tags", "Tags", "tags"),
        FieldDef("notes", "Notes", "longtext", max_len=10_000, in_list=False),
    ),
    "company": (
        FieldDef("name", "Name", required=True),
        FieldDef("domain", "Domain", "domain", max_len=253),
        FieldDef("industry", "Industry", max_len=80),
        FieldDef("size", "Size", "select", options=COMPANY_SIZES),
        FieldDef("phone", "Phone", "phone", max_len=40),
        FieldDef("address", "Address", "longtext", max_len=500, in_list=False),
        FieldDef("owner_id", "Owner", "user"),
        FieldDef("tags", "Tags", "tags"),
    ),
    "deal": (
        FieldDef("title", "Title", required=True),
        FieldDef("value", "Value", "money"),
        FieldDef("currency", "Currency", "currency", max_len=3),
        FieldDef("stage_id", "Stage", "stage"),
        FieldDef("expected_close_date", "Expected close", "date"),
        FieldDef("probability", "Probability %", "percent"),
        FieldDef("owner_id", "Owner", "user"),
        FieldDef("contact_id", "Primary contact", "contact", inline=False),
        FieldDef("company_id", "Company", "company", inline=False),
        FieldDef("products", "Products of interest", "tags"),
        FieldDef("lost_reason", "Lost reason", max_len=500),
        FieldDef("tags", "Tags", "tags"),
    ),
}


def field_def(entity: str, key: str) -> FieldDef | None:
    """The built-in field `key` of `entity`, if there is one."""
    return next((f for f in FIELDS.get(entity, ()) if f.key == key), None)


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,;\n]", text) if p.strip()]


def parse(field: FieldDef, raw: Any) -> Any:
    """The typed value of `raw` (a form string, or a list for list kinds) for `field`.

    Raises ValueError with a sentence the user can act on. References (user, company, contact,
    stage) come back as UUIDs or None; the caller checks they belong to the organisation.
    """
    if isinstance(raw, list | tuple):
        raw = ", ".join(str(x) for x in raw)
    text = "" if raw is None else str(raw).strip()
    kind = field.kind
    if field.required and not text:
        raise ValueError(f"{field.label} is required.")
    if kind in ("text", "longtext"):
        if len(text) > field.max_len:
            raise ValueError(f"{field.label} is at most {field.max_len:,} characters.")
        return text
    if kind == "email":
        text = text.lower()
        if text and not EMAIL_RE.match(text):
            raise ValueError(f"{field.label}: enter a valid email address.")
        if len(text) > field.max_len:
            raise ValueError(f"{field.label} is at most {field.max_len} characters.")
        return text
    if kind == "emails":
        items = [e.lower() for e in _split(text)]
        bad = [e for e in items if not EMAIL_RE.match(e)]
        if bad:
            raise ValueError(f"{field.label}: “{bad[0]}” is not a valid email address.")
        return list(dict.fromkeys(items))
    if kind in ("phone", "phones"):
        items = _split(text) if kind == "phones" else ([text] if text else [])
        for item in items:
            if not set(item) <= PHONE_CHARS or not any(c.isdigit() for c in item):
                raise ValueError(f"{field.label}: phone numbers use digits, spaces and + - ( ).")
            if len(item) > 40:
                raise ValueError(f"{field.label}: a phone number is at most 40 characters.")
        return list(dict.fromkeys(items)) if kind == "phones" else text
    if kind == "domain":
        text = re.sub(r"^https?://", "", text.lower()).removeprefix("www.").rstrip("/")
        if text and not DOMAIN_RE.match(text):
            raise ValueError(f"{field.label}: enter a domain such as example.com.")
        return text
    if kind == "tags":
        tags = list(dict.fromkeys(_split(text)))
        if len(tags) > MAX_TAGS:
            raise ValueError(f"{field.label}: at most {MAX_TAGS}.")
        if any(len(t) > 40 for t in tags):
            raise ValueError(f"{field.label}: each is at most 40 characters.")
        return tags
    if kind == "select":
        if not text:
            return text
        by_name = {k.casefold(): v for v, label in field.choices() for k in (v, label)}
        if text.casefold() not in by_name:
            shown = ", ".join(label for _v, label in field.choices())
            raise ValueError(f"{field.label} must be one of: {shown}.")
        return by_name[text.casefold()]
    if kind == "money":
        try:
            amount = Decimal(text.replace(",", "") or "0")
        except InvalidOperation:
            amount = Decimal(-1)
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
            raise ValueError(f"{field.label} must be a positive number, like 12500 or 12,500.00.")
        return amount.quantize(Decimal("0.01"))
    if kind == "currency":
        text = text.upper() or "USD"
        if len(text) != 3 or not text.isalpha():
            raise ValueError("Currency is a three-letter code such as USD or EUR.")
        return text
    if kind == "percent":
        if not text:
            return None
        if not text.rstrip("%").strip().isdigit() or not 0 <= int(text.rstrip("%")) <= 100:
            raise ValueError(f"{field.label} is a whole number from 0 to 100.")
        return int(text.rstrip("%"))
    if kind == "date":
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{field.label} must be a date as YYYY-MM-DD.") from None
    if kind in ("user", "company", "contact", "stage"):
        if not text:
            if kind == "stage":
                raise ValueError(f"{field.label} is required.")
            return None
        try:
            return uuid.UUID(text)
        except ValueError:
            raise ValueError(f"{field.label}: choose one from the list.") from None
    raise ValueError(f"Unknown field kind {kind}")


def clean(entity: str, raw: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Typed values of the built-in fields present in `raw`; when `creating`, required fields
    must be present too. Raises ValueError-collecting ValidationError (keyed by field)."""
    from crmapp.services.platform.errors import ValidationError

    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field in FIELDS[entity]:
        if field.key not in raw:
            if creating and field.required:
                problems[field.key] = f"{field.label} is required."
            continue
        try:
            values[field.key] = parse(field, raw[field.key])
        except ValueError as err:
            problems[field.key] = str(err)
    if problems:
        raise ValidationError(problems)
    return values


def display(field: FieldDef, value: Any) -> str:
    """A stored value as text (references are resolved by the caller)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if field.kind == "money" and isinstance(value, Decimal):
        return f"{value:,.2f}"
    if field.kind == "percent":
        return f"{value}%"
    if field.kind == "select":
        return field.option_label(str(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
