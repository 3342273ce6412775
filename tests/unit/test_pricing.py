"""The pricing table: totals and rounding, parsing what users type, storage and formatting."""

from decimal import Decimal as D

import pytest

from crmapp.services.platform.errors import ValidationError
from crmapp.services.proposals import pricing
from crmapp.services.proposals.pricing import LineItem


def test_line_total_rounds_half_up_to_cents():
    assert LineItem("x", D("3"), D("0.335")).total == D("1.01")  # 1.005 -> 1.01
    assert LineItem("x", D("1.5"), D("10")).total == D("15.00")
    assert LineItem("x", D("0"), D("99")).total == D("0.00")
    assert pricing.parse_items([{"description": "x", "quantity": "2.", "unit_price": ".5"}]) == [
        LineItem("x", D(2), D("0.5"))
    ]


def test_totals_apply_discount_before_tax():
    items = [LineItem("a", D(2), D("1500")), LineItem("b", D(1), D("9500"))]
    t = pricing.totals(items, discount_pct=D(10), tax_pct=D("8.25"))
    assert t.subtotal == D("12500.00")
    assert t.discount == D("1250.00")
    assert t.tax == D("928.13")  # 11250 * 8.25 % = 928.125 -> half up
    assert t.total == D("12178.13")
    assert all(x.as_tuple().exponent == -2 for x in (t.subtotal, t.discount, t.tax, t.total))


def test_totals_without_discount_or_tax_and_with_no_items():
    t = pricing.totals([LineItem("a", D(1), D("19.99"))])
    assert (t.subtotal, t.discount, t.tax, t.total) == (D("19.99"), 0, 0, D("19.99"))
    assert pricing.totals([]).total == D("0.00")


def test_totals_round_each_step():
    t = pricing.totals([LineItem("a", D(1), D("0.05"))], discount_pct=D(50), tax_pct=D(50))
    assert t.discount == D("0.03")  # 0.025 -> 0.03
    assert t.tax == D("0.01")  # 0.02 * 50 % = 0.01
    assert t.total == D("0.03")


def test_totals_refuse_percentages_out_of_range():
    with pytest.raises(ValidationError) as err:
        pricing.totals([], discount_pct=D(120), tax_pct=D(-1))
    assert set(err.value.fields) == {"discount_pct", "tax_pct"}


def test_parse_items_reads_what_users_type_and_skips_blank_rows():
    rows = [
        {"description": " Design  work ", "quantity": " 3 ", "unit_price": "1,200.50"},
        {"description": "", "quantity": "", "unit_price": ""},
        {"description": "Hosting", "quantity": "12", "unit_price": "49"},
        {"description": " ", "quantity": " ", "unit_price": ""},
    ]
    items = pricing.parse_items(rows)
    assert items == [
        LineItem("Design work", D(3), D("1200.50")),
        LineItem("Hosting", D(12), D(49)),
    ]


def test_parse_items_reports_each_row_in_words_a_user_can_act_on():
    rows = [
        {"description": "Fine", "quantity": "1", "unit_price": "10"},
        {"description": "Design", "quantity": "two", "unit_price": "10"},
        {"description": "", "quantity": "1", "unit_price": "10"},
        {"description": "Refund", "quantity": "-1", "unit_price": "10"},
        {"description": "Extra", "quantity": "1", "unit_price": "1.2.3"},
    ]
    with pytest.raises(ValidationError) as err:
        pricing.parse_items(rows)
    fields = err.value.fields
    assert fields == {
        "row 2": "Row 2: quantity must be a number",
        "row 3": "Row 3: description is empty",
        "row 4": "Row 4: quantity cannot be negative",
        "row 5": "Row 5: unit price must be a number",
    }
    assert "Row 2: quantity must be a number" in str(err.value)


def test_parse_items_refuses_more_than_100_rows():
    rows = [{"description": f"i{n}", "quantity": "1", "unit_price": "1"} for n in range(101)]
    with pytest.raises(ValidationError) as err:
        pricing.parse_items(rows)
    assert "at most 100" in err.value.fields["items"]
    assert len(pricing.parse_items(rows[:100])) == 100


@pytest.mark.parametrize(
    "bad", ["NaN", "Infinity", "1e5", "$10", "1,2", "12,34.5", ".", "+", "1.200,50"]
)
def test_parse_items_refuses_odd_numbers(bad):
    with pytest.raises(ValidationError):
        pricing.parse_items([{"description": "x", "quantity": bad, "unit_price": "1"}])


def test_json_round_trip_keeps_exact_decimals():
    items = [LineItem("a", D("1.5"), D("1200.50")), LineItem("b", D(3), D("0.333"))]
    data = pricing.to_json(items)
    assert data[0] == {"description": "a", "quantity": "1.5", "unit_price": "1200.50"}
    assert all(isinstance(v, str) for row in data for v in row.values())
    assert pricing.from_json(data) == items
    assert pricing.from_json(None) == []
    with pytest.raises(ValueError):
        pricing.from_json([{"description": "x", "quantity": "lots", "unit_price": "1"}])


def test_format_money():
    assert pricing.format_money(D("12500"), "USD") == "12,500.00 USD"
    assert pricing.format_money(D("0.005"), "eur") == "0.01 EUR"
    assert pricing.format_money(D("1234567.891"), "GBP") == "1,234,567.89 GBP"
