"""Bills and lines: total, explanation, structured form, content hash."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest

from powerretail.billing._text import display_width
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
        assert "× 22/30" in english  # 22 days of service of a 30-day month, not 11/15
        assert "charge (tier 2)" in english
        assert "合计" in chinese
        assert "电费（第2档）" in chinese
        assert str(bill.total.amount) in chinese
        with pytest.raises(InvalidInput, match="language"):
            bill.explain("fr")

    def test_shows_findings_when_held(self) -> None:
        bill = attrs.evolve(a_bill(), findings=("too big",))

        assert "held: too big" in bill.explain()
        assert "暂缓出账：too big" in bill.explain("zh")

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


def a_text_bill(*lines: LineItem) -> Bill:
    return Bill(bill_id="B-9", account_id="A-9", period=JULY, tariff_code="T", lines=lines)


def amount_column_ends(text: str) -> set[int]:
    """The display column each money row ends at (wide characters count two)."""
    return {
        display_width(row.removesuffix(" CNY"))
        for row in text.splitlines()
        if row.removesuffix(" CNY").endswith((".00", ".29", ".13"))
    }


class TestExplainLayout:
    def test_amounts_end_in_one_column_however_long_the_name(self) -> None:
        long_name = a_line(description_en="energy (purchase price, time of use) (critical peak)")
        chinese = a_line(description_zh="购电电费（分时）（尖峰）", amount=Money("5.00"))

        for text in (
            a_text_bill(long_name, a_line()).explain(),
            a_text_bill(chinese).explain("zh"),
        ):
            assert amount_column_ends(text) == {80}

    def test_a_long_name_stands_on_its_own_row_above_its_sums(self) -> None:
        rows = (
            a_text_bill(
                a_line(description_en="energy (purchase price, time of use) (critical peak)")
            )
            .explain()
            .splitlines()
        )

        assert rows[2] == "  energy (purchase price, time of use) (critical peak)"
        assert rows[3].startswith("    10 kWh × 0.5 元/kWh ")

    def test_rates_lose_meaningless_trailing_zeros_only(self) -> None:
        text = a_text_bill(
            a_line(rate="0.68000", quantity="10", amount=Money("6.80")),
            a_line(code="b", rate="0.5583", quantity="100", amount=Money("55.83")),
        ).explain()

        assert "10 kWh × 0.68 元/kWh" in text
        assert "100 kWh × 0.5583 元/kWh" in text

    def test_a_percentage_line_reads_as_base_times_percent(self) -> None:
        pf = a_line(
            code="pf", quantity="8035.65", unit="元", rate="-0.008", rate_unit="×",
            amount=Money("-64.29"),
        )  # fmt: skip

        assert "base 8035.65 元 × −0.80 %" in a_text_bill(pf).explain()
        assert "基数 8035.65 元 × −0.80 %" in a_text_bill(pf).explain("zh")

    def test_a_zero_priced_tier_is_a_note_on_the_next_tier_not_a_charge(self) -> None:
        tier1 = a_line(
            code="tier.tier1", description_en="surcharge (tier 1)", quantity="260", rate="0",
            amount=Money(0), note="tier 1 up to 2760 kWh; position 2500 → 2962.6 kWh",
        )  # fmt: skip
        tier2 = a_line(
            code="tier.tier2", description_en="surcharge (tier 2)", quantity="202.6",
            rate="0.05", amount=Money("10.13"), note="tier 2 up to 4800 kWh",
        )  # fmt: skip

        rows = a_text_bill(tier1, tier2).explain().splitlines()

        assert not any(row.startswith("  surcharge (tier 1)") for row in rows)
        assert rows[2].startswith("  surcharge (tier 2)")
        assert rows[2].endswith("10.13")
        assert rows[3] == "      surcharge (tier 1): 260 kWh, no charge (tier 1 up to 2760 kWh)"
        assert rows[4] == "      tier 2 up to 4800 kWh"

    def test_a_zero_priced_tier_alone_shows_where_the_customer_is_without_an_amount(self) -> None:
        tier1 = a_line(
            code="tier.tier1", description_zh="阶梯加价（第1档）", quantity="260", rate="0",
            amount=Money(0), note="tier 1 up to 2760 kWh",
        )  # fmt: skip

        rows = a_text_bill(tier1).explain("zh").splitlines()

        assert rows[2].split() == ["阶梯加价（第1档）", "260", "千瓦时，不计费"]
        assert rows[3] == "      第1档上限 2760 千瓦时"

    def test_long_rules_wrap_within_the_width_keeping_numbers_with_their_units(self) -> None:
        source = (
            "苏发改价格发〔2025〕426号 (rules.md §11.2): "
            "peak +70 %, valley −65 %, deep valley −20 %"
        )

        rows = a_text_bill(a_line(source=source)).explain().splitlines()

        assert all(display_width(row) <= 80 for row in rows[:-1])  # the total adds " CNY"
        assert rows[3].startswith("      rule: 苏发改价格发")
        assert rows[4].startswith("        ")
        assert not any(row.strip().startswith("%") for row in rows)

    def test_a_zero_priced_line_of_another_family_is_not_folded_into_it(self) -> None:
        free = a_line(code="credit", rate="0", amount=Money(0), note="waived")
        first = a_line(code="a.one", rate="0", amount=Money(0))
        other = a_line(code="b.two", description_en="other")

        rows = a_text_bill(free, first, other).explain().splitlines()

        assert rows[2].rstrip().endswith("10 kWh, no charge")
        assert rows[3] == "      waived"
        assert sum(row.rstrip().endswith("no charge") for row in rows) == 2

    def test_two_zero_tiers_both_fold_into_the_first_priced_tier(self) -> None:
        tiers = [
            a_line(code=f"t.tier{n}", description_en=f"tier {n}", rate="0", amount=Money(0))
            for n in (1, 2)
        ]
        priced = a_line(code="t.tier3", description_en="tier 3")

        rows = a_text_bill(*tiers, priced).explain().splitlines()

        assert rows[2].startswith("  tier 3")
        assert rows[3:5] == ["      tier 1: 10 kWh, no charge", "      tier 2: 10 kWh, no charge"]
