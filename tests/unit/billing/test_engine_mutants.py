"""Tests that kill the proration mutants of billing/engine.py that survived the mutation run.

They pin the tier year, the part-year scaling of annual tier thresholds (thresholds × billing
months in service / 12) where the older tests only used factors that reduce to 1/n, part months
of monthly tiers and of the basic charge, and how quantities are shared over the pieces of a
period (scripts/mutation; scores in benchmarks/README.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

import attrs

from powerretail.billing.bill import Bill, LineItem
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import BillingEngine, price_bill, split_by_days
from powerretail.quantities import Money
from powerretail.tariffs.model import PartialYear
from powerretail.timeframe import DateRange

from .builders import annual, basic, monthly, one_version

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

    def test_a_reused_engine_scales_each_account_by_its_own_months(self) -> None:
        # The engine caches scales and tier tables; a cache keyed too loosely would bill the
        # second account with the first one's 5/12.
        engine = BillingEngine(one_version(annual()))
        rest_of_november = DateRange("2025-11-10", "2025-12-01")
        in_august, in_november = (
            AccountFacts(opened_on="2025-08-10"),
            AccountFacts(opened_on="2025-11-10"),
        )

        engine.bill(kwh(1200), rest_of_november, in_august)
        bill = engine.bill(kwh(1200), rest_of_november, in_november)

        # November-December: 2760 × 2/12 = 460 kWh in tier 1, 4800 × 2/12 = 800 up to tier 2.
        assert tier_lines(bill.lines) == [
            ("tier.tier1", Decimal(460)),
            ("tier.tier2", Decimal(340)),
            ("tier.tier3", Decimal(400)),
        ]
        assert (
            bill.lines
            == price_bill(one_version(annual()), kwh(1200), rest_of_november, in_november).lines
        )

    def test_leave_the_thresholds_alone_for_an_account_in_service_all_tier_year(self) -> None:
        opened_long_ago = AccountFacts(opened_on="2024-06-01", ytd_kwh=2700)
        no_dates = AccountFacts(ytd_kwh=2700)

        bill = price_bill(one_version(annual()), kwh(100), JULY, opened_long_ago)

        assert bill.lines == price_bill(one_version(annual()), kwh(100), JULY, no_dates).lines
        assert "/12" not in bill.lines[0].note


class TestPartMonths:
    # 1-16 July is 15 days: half a month at 1/30 per day, 15/31 at 1/31 per day.
    HALF_JULY = DateRange("2025-07-01", "2025-07-16")
    # 1 July-16 August is one month and 15 days: 3/2 months.
    MONTH_AND_A_HALF = DateRange("2025-07-01", "2025-08-16")

    def test_halve_monthly_tier_thresholds_in_half_a_month(self) -> None:
        bill = price_bill(one_version(monthly()), kwh(150), self.HALF_JULY)

        assert tier_lines(bill.lines) == [("m.tier1", Decimal(100)), ("m.tier2", Decimal(50))]

    def test_count_days_of_a_part_month_by_the_charges_own_month_length(self) -> None:
        # No kWh/kVA discount on this charge, though the account has a capacity.
        charge = basic(default_basis="demand", part_month_days=31, discount_kwh_per_kva=None)
        determinants = Determinants(energy_kwh={"total": "1000"}, max_demand_kw="600")
        account = AccountFacts(capacity_kva=1000)

        bill = price_bill(one_version(charge), determinants, self.HALF_JULY, account)

        # 600 kW × 38 元/kW·月 × 15/31 = 11 032.258… → 11 032.26
        assert (bill.lines[0].factor, bill.lines[0].amount) == (Fraction(15, 31), Money("11032.26"))

    def test_take_the_kwh_per_kva_discount_on_the_monthly_energy_of_a_longer_period(
        self,
    ) -> None:
        # 39 000 kWh over 3/2 months on 100 kVA is 260 kWh/kVA a month: the price is × 0.9.
        # 50 kW × 38 × 0.9 × 3/2 = 2565.00; without the discount 50 × 38 × 3/2 = 2850.00.
        charge = basic(default_basis="demand")
        account = AccountFacts(capacity_kva=100)

        def bill_for(total: str) -> Bill:
            determinants = Determinants(energy_kwh={"total": total}, max_demand_kw="50")
            return price_bill(one_version(charge), determinants, self.MONTH_AND_A_HALF, account)

        reached, just_below = bill_for("39000"), bill_for("38999")

        assert reached.lines[0].amount == Money("2565.00")
        assert "260 kWh/kVA ≥ 260: price × 0.9" in reached.lines[0].note
        assert just_below.lines[0].amount == Money("2850.00")
        assert "kWh/kVA" not in just_below.lines[0].note


class TestTierYear:
    def test_is_the_calendar_year_for_a_pro_rata_charge(self) -> None:
        engine = BillingEngine(one_version(annual()))

        year = engine.tier_year(AccountFacts(opened_on="2025-03-15"), date(2025, 7, 10))

        assert year == (DateRange.year(2025), "tier")

    def test_runs_from_the_move_in_when_part_years_settle_and_restart(self) -> None:
        engine = BillingEngine(one_version(annual(PartialYear.SETTLE_AND_RESTART)))

        year = engine.tier_year(AccountFacts(opened_on="2025-03-15"), date(2026, 3, 14))

        assert year == (DateRange("2025-03-15", "2026-03-15"), "tier")

    def test_starts_in_the_charges_cycle_month(self) -> None:
        engine = BillingEngine(one_version(attrs.evolve(annual(), cycle_start_month=7)))

        assert engine.tier_year(AccountFacts(), date(2026, 2, 1)) == (
            DateRange("2025-07-01", "2026-07-01"),
            "tier",
        )

    def test_is_none_without_annual_tiers(self) -> None:
        assert (
            BillingEngine(one_version(monthly())).tier_year(AccountFacts(), date(2025, 7, 1))
            is None
        )


class TestSplitByDays:
    def test_gives_everything_to_the_first_piece_when_no_piece_has_days(self) -> None:
        assert split_by_days(Decimal("5.5"), [0, 0, 0]) == (Decimal("5.5"), 0, 0)

    def test_shares_a_quantity_in_exponent_notation_like_the_same_number_written_out(
        self,
    ) -> None:
        shares = split_by_days(Decimal("1E+2"), [10, 21])

        assert shares == (Decimal("32.258"), Decimal("67.742"))
        assert [share.as_tuple().exponent for share in shares] == [-3, -3]
