"""Bills and lines: total, explanation, structured form, content hash."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest

from powerretail.billing.bill import Bill, LineItem, line_amount
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import price_bill
from powerretail.errors import InvalidInput
from powerretail.quantities import Money, Rounding
from powerretail.timeframe import DateRange

from .builders import annual, energy, fixed, one_version, tou

JULY = DateRange.month(2025, 7)


def a_bill() -> Bill:
    return price_bill(
        one_version(tou(), annual(), fixed()),
        Determinants(energy_kwh={"peak": "1600", "valley": "1000"}),
        JULY,
        AccountFacts(opened_on="2025-07-10", residential=True),
        bill_id="B-1",
        account_id="A-1",
    )


def a_line(**fields: object) -> LineItem:
    values: dict[str, object] = {
        "code": "energy",
        "description_zh": "电度电费",
        "description_en": "energy",
        "quantity": "10",
        "unit": "kWh",
        "rate": "0.5",
        "rate_unit": "元/kWh",
        "amount": Money("5.00"),
        "tariff_code": "T",
        "tariff_version": "1",
        "source": "s",
        "period": JULY,
    }
    values.update(fields)
    return LineItem(**values)  # type: ignore[arg-type]


class TestLineItem:
    def test_converts_quantity_rate_and_factor(self) -> None:
        line = a_line(factor="22/30")

        assert line.quantity == Decimal(10)
        assert line.factor == Fraction(22, 30)
        assert a_line(factor=2).factor == Fraction(2)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("factor", "x"),
            ("factor", 0.5),
            ("amount", "5.00"),
            ("period", DateRange("2025-07-01")),
            ("quantity", 1.5),
        ],
    )
    def test_refuses_values_of_the_wrong_kind(self, field: str, value: object) -> None:
        with pytest.raises(InvalidInput, match=field):
            a_line(**{field: value})

    def test_a_negated_line_keeps_the_rate_and_flips_the_amount(self) -> None:
        line = a_line().negated()

        assert (line.quantity, line.amount) == (Decimal(-10), Money("-5.00"))

    def test_line_amount_rounds_once_after_the_factor(self) -> None:
        assert line_amount(Decimal(1000), Decimal(26), Fraction(15, 30), Rounding()) == Money(
            "13000.00"
        )
        assert line_amount(Decimal(1), Decimal("0.005"), Fraction(1), Rounding()) == Money("0.01")


class TestBill:
    def test_total_is_the_exact_sum_of_the_lines(self) -> None:
        bill = a_bill()

        assert bill.total == sum((line.amount for line in bill.lines), Money.zero())

    def test_explains_itself_in_english_and_chinese(self) -> None:
        bill = a_bill()

        english, chinese = bill.explain("en"), bill.explain("zh")

        assert "Bill B-1  account A-1  2025-07-10 to 2025-07-31" in english
        assert "× 11/15" in english
        assert "charge (tier 2)" in english
        assert "合计" in chinese
        assert "电费（第2档）" in chinese
        assert str(bill.total.amount) in chinese
        with pytest.raises(InvalidInput, match="language"):
            bill.explain("fr")

    def test_shows_findings_when_held(self) -> None:
        bill = attrs.evolve(a_bill(), findings=("too big",))

        assert "held: too big" in bill.explain()
        assert "暂缓出账: too big" in bill.explain("zh")

    def test_structured_form_is_json_with_money_as_strings(self) -> None:
        data = a_bill().to_dict()

        assert json.loads(json.dumps(data)) == data
        assert data["total"] == str(a_bill().total.amount)
        assert data["lines"][0]["amount"] == "893.28"
        assert data["state"] == "draft"

    def test_content_hash_changes_with_content_but_not_with_state(self) -> None:
        bill = a_bill()
        other = price_bill(
            one_version(energy()), Determinants(energy_kwh={"total": 1}), JULY, bill_id="B-1"
        )

        assert bill.content_hash_of() == a_bill().content_hash_of()
        assert bill.content_hash_of() != other.content_hash_of()
        assert len(bill.content_hash_of()) == 64

    def test_refuses_lines_that_are_not_lines(self) -> None:
        with pytest.raises(InvalidInput, match=r"lines\[0\]"):
            Bill(bill_id="b", account_id="a", period=JULY, tariff_code="T", lines=["x"])  # type: ignore[list-item]
