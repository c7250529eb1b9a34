"""The tier-year position of a household comes from its stored bills, credit notes and rebills."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from powerretail.access import SEED_POLICY
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.billing.bill import BillState
from powerretail.billing.lifecycle import PlausibilityBounds
from powerretail.ids import AccountId
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLING_PROFILES
from powerretail.workflows._common import TariffEngines, tier_year_position
from powerretail.workflows.corrections import correct_bill, release_held_bill
from tests.strategies.workflows import LATER, Household, month, surcharge, tier_kwh
from tests.unit.workflows.conftest import AUDITOR, JULY, open_account

D = Decimal
JAN, FEB, MAR, APR = (month(2025, n) for n in (1, 2, 3, 4))


@pytest.fixture
def household() -> Household:
    home = Household(MemoryStore().unit_of_work, FixedClock(LATER))
    home.open()
    return home


def correct(home: Household, bill_id: str) -> None:
    correct_bill(
        home.make_unit_of_work,
        clock=home.clock,
        key=f"fix/{bill_id}",
        bill_id=bill_id,
        on=date(2025, 5, 10),
        actor=AUDITOR,
        policy=SEED_POLICY,
        why="peak register misread",
    )


class TestCorrections:
    def test_a_corrected_earlier_month_moves_the_position_a_later_month_starts_from(
        self, household: Household
    ) -> None:
        for period in (JAN, FEB, MAR):
            household.use(period, "600", "400")
        household.bill(JAN)
        household.bill(FEB)
        household.fix_end_reads(JAN, "11100")  # January used 1100 peak, not 600

        correct(household, household.bill_id(JAN))
        march = household.bill(MAR)

        # 1500 (Jan rebill) + 1000 (Feb) = 2500 → 3500: 260 kWh tier 1, 740 kWh tier 2 × 0.05
        assert tier_kwh(march) == {"tier.tier1": D(260), "tier.tier2": D(740)}
        assert surcharge(march) == D("37.00")
        assert "position 2500 → 3500 kWh" in march.lines[-1].note

    def test_without_the_correction_the_same_month_is_priced_from_the_billed_energy(
        self, household: Household
    ) -> None:
        for period in (JAN, FEB, MAR):
            household.use(period, "600", "400")
        household.bill(JAN)
        household.bill(FEB)

        march = household.bill(MAR)

        assert tier_kwh(march) == {"tier.tier1": D(760), "tier.tier2": D(240)}
        assert surcharge(march) == D("12.00")

    def test_a_rebill_is_priced_after_the_corrected_months_before_it(
        self, household: Household
    ) -> None:
        for period in (JAN, FEB, MAR, APR):
            household.use(period, "600", "400")
        for period in (JAN, FEB, MAR):
            household.bill(period)
        household.fix_end_reads(JAN, "11100")
        correct(household, household.bill_id(JAN))

        correct(household, household.bill_id(FEB))  # February now 100 peak + 400 valley
        april = household.bill(APR)

        rebill = household.stored(f"{household.bill_id(FEB)}-R")
        assert tier_kwh(rebill) == {"tier.tier1": D(500)}
        assert "position 1500 → 2000 kWh" in rebill.lines[-1].note
        # 1500 + 500 + 1000 (March as billed) = 3000 → 4000, all tier 2
        assert tier_kwh(april) == {"tier.tier2": D(1000)}
        assert surcharge(april) == D("50.00")


class TestHeldBills:
    def test_count_only_once_released(self, household: Household) -> None:
        for period in (JAN, FEB, MAR):
            household.use(period, "600", "400")
        held = household.bill(JAN, bounds=PlausibilityBounds(max_total=Money("100.00")))
        february = household.bill(FEB)
        release_held_bill(
            household.make_unit_of_work,
            clock=household.clock,
            key="release/jan",
            bill_id=held.bill_id,
            on=date(2025, 2, 10),
            actor=AUDITOR,
            policy=SEED_POLICY,
            why="winter heating, checked",
        )

        march = household.bill(MAR)

        assert held.state is BillState.HELD
        assert "position 0 → 1000 kWh" in february.lines[-1].note
        assert "position 2000 → 3000 kWh" in march.lines[-1].note


class TestOrder:
    def test_a_month_billed_late_counts_only_the_months_before_it(
        self, household: Household
    ) -> None:
        for period in (JAN, FEB, MAR):
            household.use(period, "600", "400")
        household.bill(JAN)
        march = household.bill(MAR)  # February not billed yet

        february = household.bill(FEB)

        assert "position 1000 → 2000 kWh" in march.lines[-1].note
        assert "position 1000 → 2000 kWh" in february.lines[-1].note

    def test_correcting_the_month_billed_too_early_puts_it_after_the_late_one(
        self, household: Household
    ) -> None:
        for period in (JAN, FEB, MAR):
            household.use(period, "600", "400")
        household.bill(JAN)
        household.bill(MAR)
        household.bill(FEB)

        correct(household, household.bill_id(MAR))

        rebill = household.stored(f"{household.bill_id(MAR)}-R")
        assert tier_kwh(rebill) == {"tier.tier1": D(760), "tier.tier2": D(240)}

    def test_billing_a_month_again_returns_the_stored_bill(self, household: Household) -> None:
        household.use(JAN, "600", "400")
        first = household.bill(JAN)

        again = household.bill(JAN)

        assert again == first


class TestOpeningBalance:
    def test_counts_the_profiles_year_to_date_in_the_first_tier_year_only(self) -> None:
        home = Household(MemoryStore().unit_of_work, FixedClock(LATER))
        home.open(day=month(2025, 12).start, ytd_kwh="2500")
        home.use(month(2025, 12), "300", "200")
        home.use(month(2026, 1), "300", "200")

        december = home.bill(month(2025, 12))
        january = home.bill(month(2026, 1))

        assert tier_kwh(december) == {"tier.tier1": D(260), "tier.tier2": D(240)}
        assert tier_kwh(january) == {"tier.tier1": D(500)}

    def test_a_tariff_without_annual_tiers_gives_no_position(self) -> None:
        store = MemoryStore()
        open_account(store.unit_of_work, FixedClock(LATER))
        with store.unit_of_work() as uow:
            profile = uow.repository(BILLING_PROFILES).get(AccountId("A-1")).entity
            engines = TariffEngines()
            engine = engines.engine(engines.latest_of(uow, profile.tariff_code))
            position = tier_year_position(uow, profile=profile, engine=engine, before=JULY.start)
        assert position is None
