"""A bill a clerk can read: the Chinese text complete, numbers in one style, no blank ids."""

from __future__ import annotations

import re
from decimal import Decimal

import attrs
import pytest

from powerretail.billing._i18n import NOTES, note_text, phrase
from powerretail.billing.bill import Bill, LineItem, explained_lines, factor_text
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import price_bill
from powerretail.cli.demo import bill_customers, load_demo_customers
from powerretail.errors import InvalidInput
from powerretail.quantities import Money
from powerretail.timeframe import DateRange

from .builders import basic, energy, monthly, one_version

JULY = DateRange.month(2025, 7)
_LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture(scope="module")
def demo_bills() -> tuple[Bill, ...]:
    return bill_customers(load_demo_customers())


class TestChineseBill:
    def test_every_name_sum_and_note_of_the_demo_bills_is_chinese(
        self, demo_bills: tuple[Bill, ...]
    ) -> None:
        for bill in demo_bills:
            for entry in explained_lines(bill.lines, "zh"):
                for text in (entry.name, entry.sums, *entry.notes):
                    assert not _LATIN.search(text), text

    def test_headings_total_and_currency_are_chinese(self, demo_bills: tuple[Bill, ...]) -> None:
        for bill in demo_bills:
            text = bill.explain("zh")
            rows = text.splitlines()
            assert rows[0].startswith(f"电费账单 {bill.bill_id}  户号 {bill.account_id}  ")
            assert rows[-1].split() == ["合计", str(bill.total.amount), "元"]
            assert "CNY" not in text
            flat = " ".join(text.split())
            for entry in explained_lines(bill.lines, "zh"):  # rule texts cite their documents
                flat = flat.replace(" ".join(entry.rule.split()), "")
            assert "kWh" not in flat
            assert "版本 " in text
            assert "依据：" in text

    def test_held_findings_are_translated(self, demo_bills: tuple[Bill, ...]) -> None:
        bill = attrs.evolve(
            demo_bills[0],
            findings=("total 900.00 CNY > ceiling 500.00 CNY", "negative consumption peak: -3 kWh"),
        )

        held = bill.explain("zh").splitlines()[-1]

        assert held == "暂缓出账：合计 900.00 元 超过上限 500.00 元；用电量为负（peak）：-3 千瓦时"
        assert bill.explain().splitlines()[-1] == (
            "held: total 900.00 CNY > ceiling 500.00 CNY; negative consumption peak: -3 kWh"
        )

    def test_every_note_template_reads_back_in_both_languages(self) -> None:
        for key, (english, _) in NOTES.items():
            values = {
                name: f"{index + 1}7"
                for index, name in enumerate(re.findall(r"\{(\w+)\}", english))
            }
            stored = phrase(key, "en", **values)
            assert note_text(stored, "en") == stored or key == "pf_adjustment", key
            assert not _LATIN.search(note_text(stored, "zh").replace("7", "")), key

    def test_an_unknown_note_is_shown_as_stored(self) -> None:
        assert note_text("meter exchanged on 7 July", "zh") == "meter exchanged on 7 July"


class TestNumbers:
    def test_percentages_in_notes_look_like_those_in_the_sums(
        self, demo_bills: tuple[Bill, ...]
    ) -> None:
        text = " ".join(demo_bills[1].explain().split())  # wrapped rows joined

        assert "base 8035.65 元 × −0.80 %" in text
        assert "standard 0.85: −0.80 % of the base" in text
        assert "-0.80%" not in text

    def test_a_demand_threshold_has_the_places_of_the_demand(
        self, demo_bills: tuple[Bill, ...]
    ) -> None:
        text = " ".join(demo_bills[2].explain().split())

        assert "660.000 kW > 630.000 kW" in text
        assert "630.00 kW" not in text

    def test_a_part_month_is_days_of_service_over_days_of_the_month(self) -> None:
        bill = price_bill(
            one_version(basic(), energy()),
            Determinants(energy_kwh={"total": "100"}, max_demand_kw="50"),
            JULY,
            AccountFacts(opened_on="2025-07-10", capacity_kva=100),
        )

        text = bill.explain()

        assert "× 22/30" in text
        assert "11/15" not in text

    def test_a_scaled_tier_bound_is_rounded_to_a_watt_hour_and_shown_exactly(self) -> None:
        """200 kWh × 22/30 = 146.666… kWh: the bound is 146.667 kWh, half-up to 0.001 kWh."""
        bill = price_bill(
            one_version(monthly()),
            Determinants(energy_kwh={"total": "300"}),
            JULY,
            AccountFacts(opened_on="2025-07-10"),  # tier 1's 200 kWh × 22/30
        )

        rows = bill.explain().splitlines()

        assert rows[2].split()[:6] == ["charge", "(tier", "1)", "146.667", "kWh", "×"]
        assert rows[2].endswith("73.33")  # 146.667 × 0.5 = 73.3335
        assert rows[3] == "      tier 1 up to 146.667 kWh; position 0 → 300 kWh"
        assert bill.lines[0].quantity == Decimal("146.667")
        assert "6666" not in bill.explain("zh")


class TestHeadings:
    def test_a_bill_without_ids_shows_no_blank_ones(self) -> None:
        bill = price_bill(one_version(energy()), Determinants(energy_kwh={"total": "10"}), JULY)

        assert bill.explain().splitlines()[0] == "Bill  2025-07-01 to 2025-07-31"
        assert bill.explain("zh").splitlines()[0] == "电费账单  2025-07-01～2025-07-31"

    def test_json_and_text_agree_on_the_last_day(self, demo_bills: tuple[Bill, ...]) -> None:
        bill = demo_bills[1]
        period = bill.to_dict()["period"]

        assert period == {"start": "2025-07-10", "last_day": "2025-07-31", "end": "2025-08-01"}
        assert f"{period['start']} to {period['last_day']}" in bill.explain()


class TestOddValues:
    def test_a_note_value_that_is_not_a_number_is_kept(self) -> None:
        assert note_text("standard 0.90: lots of the base", "en") == (
            "standard 0.90: lots of the base"
        )
        assert note_text("x kW > y kW: x + excess 1 × 1 more = 2 kW", "zh") == (
            "最大需量 x 千瓦 > y 千瓦：x + 超出部分 1 × 1 = 2 千瓦"
        )

    def test_a_month_and_some_days_are_days_over_the_month_too(self) -> None:
        bill = price_bill(
            one_version(basic(), energy()),
            Determinants(energy_kwh={"total": "100"}, max_demand_kw="50"),
            DateRange("2025-06-25", "2025-08-01"),
            AccountFacts(capacity_kva=100),
        )

        (basic_line,) = [line for line in bill.lines if line.code == "basic"]
        assert factor_text(basic_line) == "37/30"  # 37 days at 1/30 of a month a day

    def test_a_factor_that_is_not_days_of_one_month_shows_as_a_fraction(self) -> None:
        line = LineItem(
            code="fixed", description_zh="固定费", description_en="fixed", quantity="1",
            unit="月", rate="30", rate_unit="元/月", factor="1/2", amount=Money("15.00"),
            tariff_code="T", tariff_version="1", source="s", period=JULY,
        )  # fmt: skip

        assert factor_text(line) == "1/2"

    def test_explained_lines_refuse_another_language(self) -> None:
        with pytest.raises(InvalidInput, match="language"):
            explained_lines((), "fr")
