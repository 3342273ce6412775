"""The pricing table of a proposal: line items, totals and money formatting.

Amounts are `Decimal` throughout and rounded to cents with ROUND_HALF_UP, the way an invoice is
rounded by hand. Stored in a JSONB column as strings, never as floats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from crmapp.services.platform.errors import ValidationError

CENT = Decimal("0.01")
MAX_ITEMS = 100
MAX_DESCRIPTION = 500
# Beyond this a figure is a typo, not a price; it also keeps Decimal arithmetic small.
MAX_AMOUNT = Decimal("1000000000000")
_FIELDS = ("description", "quantity", "unit_price")


def to_cents(amount: Decimal) -> Decimal:
    """`amount` rounded to cents, halves away from zero."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineItem:
    """One row of the pricing table."""

    description: str
    quantity: Decimal
    unit_price: Decimal

    @property
    def total(self) -> Decimal:
        """Quantity times unit price, rounded to cents."""
        return to_cents(self.quantity * self.unit_price)


@dataclass(frozen=True)
class Totals:
    """The bottom of the pricing table; every figure is rounded to cents."""

    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal


def totals(
    items: Iterable[LineItem],
    discount_pct: Decimal = Decimal(0),
    tax_pct: Decimal = Decimal(0),
) -> Totals:
    """Adds up the line items, takes off the discount, then adds tax on what remains.

    Args:
        items: The line items; each contributes its rounded `total`.
        discount_pct: Discount in percent (10 means 10 %), between 0 and 100.
        tax_pct: Tax in percent, 0 or more, applied after the discount.

    Returns:
        Subtotal, discount, tax and total, each rounded to cents.

    Raises:
        ValidationError: A percentage is out of range.
    """
    discount_pct = Decimal(discount_pct)
    tax_pct = Decimal(tax_pct)
    problems: dict[str, str] = {}
    if not discount_pct.is_finite() or not 0 <= discount_pct <= 100:
        problems["discount_pct"] = "Discount must be between 0 and 100 %."
    if not tax_pct.is_finite() or not 0 <= tax_pct <= 100:
        problems["tax_pct"] = "Tax must be between 0 and 100 %."
    if problems:
        raise ValidationError(problems)
    subtotal = to_cents(sum((item.total for item in items), Decimal(0)))
    discount = to_cents(subtotal * discount_pct / 100)
    tax = to_cents((subtotal - discount) * tax_pct / 100)
    return Totals(subtotal=subtotal, discount=discount, tax=tax, total=subtotal - discount + tax)


_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d*)?")


def _number(text: str) -> Decimal | None:
    """A user-typed number ("1,200.50", " 3 ") as a Decimal, or None when it is not one.

    Commas are accepted only as thousands separators, so "1,2" is refused rather than read as 12.
    """
    cleaned = (text or "").strip()
    if not cleaned or not _NUMBER.fullmatch(cleaned) or not any(c.isdigit() for c in cleaned):
        return None
    try:
        return Decimal(cleaned.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return None


def _parse_row(row: Mapping[str, str]) -> tuple[LineItem | None, list[str]]:
    description = " ".join((row.get("description") or "").split())
    quantity = _number(row.get("quantity") or "")
    unit_price = _number(row.get("unit_price") or "")
    problems: list[str] = []
    if not description:
        problems.append("description is empty")
    elif len(description) > MAX_DESCRIPTION:
        problems.append(f"description is longer than {MAX_DESCRIPTION} characters")
    if quantity is None:
        problems.append("quantity must be a number")
    elif quantity < 0:
        problems.append("quantity cannot be negative")
    elif quantity > MAX_AMOUNT:
        problems.append("quantity is too large")
    if unit_price is None:
        problems.append("unit price must be a number")
    elif unit_price < 0:
        problems.append("unit price cannot be negative (use the discount instead)")
    elif unit_price > MAX_AMOUNT:
        problems.append("unit price is too large")
    if problems or quantity is None or unit_price is None:
        return None, problems
    return LineItem(description, quantity, unit_price), []


def parse_items(rows: Sequence[Mapping[str, str]]) -> list[LineItem]:
    """Turns the rows of the pricing editor into line items.

    Numbers may carry thousands separators and surrounding spaces ("1,200.50", " 3 "). Rows whose
    three fields are all empty are skipped; rows are numbered from 1 as the user sees them,
    blank ones included.

    Args:
        rows: Dicts with the keys "description", "quantity" and "unit_price" as typed.

    Returns:
        The line items, in order.

    Raises:
        ValidationError: Keyed "row N" with a message such as "Row 2: quantity must be a
            number" for every faulty row, or keyed "items" when there are more than 100 rows.
    """
    filled = [
        (number, row)
        for number, row in enumerate(rows, start=1)
        if any((row.get(key) or "").strip() for key in _FIELDS)
    ]
    if len(filled) > MAX_ITEMS:
        raise ValidationError(
            {"items": f"A proposal can have at most {MAX_ITEMS} line items ({len(filled)} given)."}
        )
    items: list[LineItem] = []
    errors: dict[str, str] = {}
    for number, row in filled:
        item, problems = _parse_row(row)
        if problems:
            errors[f"row {number}"] = f"Row {number}: " + ", ".join(problems)
        elif item is not None:
            items.append(item)
    if errors:
        raise ValidationError(errors)
    return items


def to_json(items: Iterable[LineItem]) -> list[dict[str, str]]:
    """Line items as JSON-ready dicts, numbers as strings so that no precision is lost."""
    return [
        {
            "description": item.description,
            "quantity": str(item.quantity),
            "unit_price": str(item.unit_price),
        }
        for item in items
    ]


def from_json(data: Iterable[Mapping[str, str]] | None) -> list[LineItem]:
    """Line items back from what `to_json` stored.

    Raises:
        ValueError: A stored number is not a decimal (the column was written by something else).
    """
    items: list[LineItem] = []
    for entry in data or []:
        try:
            quantity = Decimal(str(entry["quantity"]))
            unit_price = Decimal(str(entry["unit_price"]))
        except (KeyError, InvalidOperation) as exc:
            raise ValueError(f"malformed line item: {entry!r}") from exc
        items.append(LineItem(str(entry.get("description", "")), quantity, unit_price))
    return items


def format_money(amount: Decimal, currency: str) -> str:
    """`Decimal("12500")`, "usd" -> "12,500.00 USD"."""
    return f"{to_cents(Decimal(amount)):,.2f} {currency.strip().upper()}".rstrip()
