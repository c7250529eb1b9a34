"""Tests that kill the proration mutants of billing/engine.py that survived the mutation run.

They pin the part-year scaling of annual tier thresholds (rules.md §2: thresholds × months in
service / 12) where the older tests only used factors that reduce to 1/n, and how quantities are
shared over the pieces of a period (scripts/mutation, benchmarks/README.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs

from powerretail.billing.bill import LineItem
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import price_bill, split_by_days
from powerretail.timeframe import DateRange

from .builders import annual, one_version

JULY = DateRange.month(2025, 7)


def kwh(total: int) -> Determinants:
    return Determinants(energy_kwh={"total": str(total)})


def tier_lines(lines: Sequence[LineItem]) -> list[tuple[str, Decimal]]:
    return [(line.code, line.quantity) for line in lines]


class TestPartYearThresholds:
    def test_scale_by_five_twelfths_for_an_account_opened_in_august(self) -> None:
        # In service August-December: 5 billing months, tier 1 ends at 2760 × 5/12 = 1150 kWh.
        account = AccountFacts(opened_on="2025-08-10")

        bill = price_bill(
            one_version(annual()), kwh(1200), DateRange("2025-08-10", "2025-09-01"), account
        )

        assert tier_lines(bill.lines) == [
            ("tier.tier1", Decimal(1150)),
            ("tier.tier2", Decimal(50)),
        ]
        assert "5/12" in bill.lines[0].note

    def test_count_the_month_of_a_move_out_on_its_second_day(self) -> None:
        # Closed on 2 April: the last day in service is 1 April, so January-April is 4 months and
        # tier 1 ends at 2760 × 4/12 = 920 kWh.
        account = AccountFacts(opened_on="2025-01-01", closed_on="2025-04-02")

        bill = price_bill(
            one_version(annual()), kwh(1000), DateRange("2025-01-01", "2025-04-02"), account
        )

        assert tier_lines(bill.lines) == [("tier.tier1", Decimal(920)), ("tier.tier2", Decimal(80))]
        assert "4/12" in bill.lines[0].note

    def test_count_months_across_new_year_in_a_tier_year_from_july(self) -> None:
        # Tier year July 2025-June 2026, opened 10 November: November-June is 8 months, so tier 1
        # ends at 2760 × 8/12 = 1840 kWh.
        charge = attrs.evolve(annual(), cycle_start_month=7)
        account = AccountFacts(opened_on="2025-11-10")

        bill = price_bill(one_version(charge), kwh(2000), DateRange.month(2026, 2), account)

        assert tier_lines(bill.lines) == [
            ("tier.tier1", Decimal(1840)),
            ("tier.tier2", Decimal(160)),
        ]
        assert "8/12" in bill.lines[0].note

    def test_leave_the_thresholds_alone_for_an_account_in_service_all_tier_year(self) -> None:
        opened_long_ago = AccountFacts(opened_on="2024-06-01", ytd_kwh=2700)
        no_dates = AccountFacts(ytd_kwh=2700)

        bill = price_bill(one_version(annual()), kwh(100), JULY, opened_long_ago)

        assert bill.lines == price_bill(one_version(annual()), kwh(100), JULY, no_dates).lines
        assert "/12" not in bill.lines[0].note


class TestSplitByDays:
    def test_gives_everything_to_the_first_piece_when_no_piece_has_days(self) -> None:
        assert split_by_days(Decimal("5.5"), [0, 0, 0]) == (Decimal("5.5"), 0, 0)

    def test_shares_a_quantity_in_exponent_notation_like_the_same_number_written_out(
        self,
    ) -> None:
        shares = split_by_days(Decimal("1E+2"), [10, 21])

        assert shares == (Decimal("32.258"), Decimal("67.742"))
        assert [share.as_tuple().exponent for share in shares] == [-3, -3]
