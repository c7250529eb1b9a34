"""The bill engine: lines, proration, tiers, basic charge, power factor, losses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest

from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import BillingEngine, months_in, price_bill, split_by_days
from powerretail.errors import InvalidInput, NotFound
from powerretail.quantities import Rounding
from powerretail.tariffs.losses import FixedPercent, LossBand, TableLookup, TransformerFormula
from powerretail.tariffs.model import Charge, ChargeCategory, PartialYear
from powerretail.timeframe import DateRange

from .builders import (
    annual,
    basic,
    energy,
    fixed,
    fund,
    monthly,
    one_version,
    power_factor,
    tariff,
    tou,
    version,
)

JULY = DateRange.month(2025, 7)


def kwh(**buckets: str | int) -> Determinants:
    return Determinants(energy_kwh={k: str(v) for k, v in buckets.items()})


class TestMonthsIn:
    def test_counts_whole_months_from_the_start_and_thirtieths_for_the_rest(self) -> None:
        assert months_in(DateRange("2025-01-31", "2025-02-28")) == 1
        assert months_in(DateRange("2025-07-01", "2026-01-01")) == 6
        assert months_in(DateRange("2025-07-25", "2025-08-26")) == 1 + Fraction(1, 30)
        assert months_in(DateRange("2025-07-10", "2025-08-01")) == Fraction(22, 30)

    def test_refuses_an_open_period(self) -> None:
        with pytest.raises(InvalidInput):
            months_in(DateRange("2025-07-01"))


class TestSplitByDays:
    def test_shares_add_up_exactly(self) -> None:
        shares = split_by_days(Decimal("100.5"), [1, 1, 1])

        assert sum(shares) == Decimal("100.5")
        assert shares == (Decimal("33.5000"), Decimal("33.5000"), Decimal("33.5000"))

    def test_a_negative_quantity_splits_as_its_mirror(self) -> None:
        assert split_by_days(Decimal("-100"), [10, 21]) == (Decimal("-32.258"), Decimal("-67.742"))


class TestFlatAndFixed:
    def test_prices_energy_and_a_fixed_charge_for_a_whole_month(self) -> None:
        bill = price_bill(one_version(energy(), fixed()), kwh(total="312.4"), JULY)

        assert [str(line.amount.amount) for line in bill.lines] == ["156.20", "30.00"]
        assert bill.total.amount == Decimal("186.20")

    def test_charges_a_part_month_one_thirtieth_per_day_after_a_move_in(self) -> None:
        account = AccountFacts(opened_on="2025-07-10")

        bill = price_bill(one_version(fixed()), kwh(total=0), JULY, account)

        assert bill.lines[0].factor == Fraction(22, 30)
        assert bill.lines[0].amount.amount == Decimal("22.00")
        assert bill.period == DateRange("2025-07-10", "2025-08-01")

    def test_a_coarser_rounding_step_still_gives_amounts_in_whole_fen(self) -> None:
        coarse = attrs.evolve(
            one_version(energy(), fixed("30.04")), rounding=Rounding(step=Decimal("0.1"))
        )

        bill = price_bill(coarse, kwh(total="312.4"), JULY)

        assert [str(line.amount) for line in bill.lines] == ["156.20 CNY", "30.00 CNY"]
        assert bill.to_dict()["lines"][0]["amount"] == "156.20"

    def test_bills_nothing_after_a_move_out(self) -> None:
        account = AccountFacts(closed_on="2025-07-01")

        with pytest.raises(InvalidInput, match="day of service"):
            price_bill(one_version(fixed()), kwh(total=0), JULY, account)

    def test_refuses_an_open_period(self) -> None:
        with pytest.raises(InvalidInput, match="closed"):
            price_bill(one_version(fixed()), kwh(total=0), DateRange("2025-07-01"))


class TestVersionChange:
    def test_prices_each_piece_with_its_version_and_conserves_energy(self) -> None:
        t = tariff(
            version(energy(price="0.5"), fixed(), label="old", end="2025-07-11"),
            version(energy(price="0.6"), fixed(), label="new", start="2025-07-11"),
        )

        bill = price_bill(t, kwh(total=310), JULY)

        energy_lines = [line for line in bill.lines if line.code == "energy"]
        assert [line.tariff_version for line in energy_lines] == ["old", "new"]
        assert [line.quantity for line in energy_lines] == [Decimal("100.000"), Decimal("210.000")]
        assert sum(line.amount.amount for line in bill.lines if line.code == "fixed") == 30

    def test_reports_days_without_a_version(self) -> None:
        t = tariff(version(energy(), start="2025-07-15"))

        with pytest.raises(NotFound, match="2025-07-01"):
            price_bill(t, kwh(total=1), JULY)


class TestTimeOfUse:
    def test_prices_each_bucket_in_bucket_order(self) -> None:
        bill = price_bill(one_version(tou()), kwh(valley=1000, peak=1600), JULY)

        assert [line.code for line in bill.lines] == ["tou.peak", "tou.valley"]
        assert bill.lines[0].description_en == "charge (peak)"
        assert bill.total.amount == Decimal("1251.58")

    def test_refuses_a_bucket_the_schedule_does_not_have(self) -> None:
        with pytest.raises(InvalidInput, match="schedule day_night"):
            price_bill(one_version(tou()), kwh(total=10), JULY)


class TestTiers:
    def test_monthly_tiers_split_at_the_bound(self) -> None:
        bill = price_bill(one_version(monthly()), kwh(total=250), JULY)

        assert [(line.quantity, line.amount.amount) for line in bill.lines] == [
            (Decimal(200), Decimal("100.00")),
            (Decimal(50), Decimal("40.00")),
        ]

    def test_annual_tiers_continue_from_the_year_to_date_position(self) -> None:
        account = AccountFacts(ytd_kwh=2700)

        bill = price_bill(one_version(annual()), kwh(total=100), JULY, account)

        assert [(line.code, line.quantity) for line in bill.lines] == [
            ("tier.tier1", Decimal(60)),
            ("tier.tier2", Decimal(40)),
        ]

    def test_a_new_tier_year_starts_from_zero_inside_the_period(self) -> None:
        account = AccountFacts(ytd_kwh=5000)

        bill = price_bill(
            one_version(annual()), kwh(total=310), DateRange("2025-12-17", "2026-01-17"), account
        )

        assert [(line.code, line.quantity) for line in bill.lines] == [
            ("tier.tier3", Decimal("150.000")),
            ("tier.tier1", Decimal("160.000")),
        ]

    def test_settle_and_restart_anchors_the_tier_year_on_the_opening_date(self) -> None:
        account = AccountFacts(opened_on="2025-03-15", ytd_kwh=2750)
        t = one_version(annual(PartialYear.SETTLE_AND_RESTART))

        bill = price_bill(t, kwh(total=100), DateRange("2026-03-01", "2026-04-01"), account)

        assert [line.code for line in bill.lines] == ["tier.tier1", "tier.tier2", "tier.tier1"]
        assert bill.lines[2].period.start == date(2026, 3, 15)

    def test_pro_rata_counts_months_until_a_move_out(self) -> None:
        account = AccountFacts(opened_on="2025-01-01", closed_on="2025-03-15")

        bill = price_bill(
            one_version(annual()), kwh(total=700), DateRange("2025-01-01", "2025-04-01"), account
        )

        assert bill.lines[0].quantity == Decimal(690)  # 2760 × 3/12
        assert "3/12" in bill.lines[0].note


class TestBasicCharge:
    def full(self, **facts: object) -> AccountFacts:
        fields: dict[str, object] = {"capacity_kva": 1000, "contract_demand_kw": 600}
        fields.update(facts)
        return AccountFacts(**fields)  # type: ignore[arg-type]

    def demand(self, kw: str, total: str = "1000") -> Determinants:
        return Determinants(energy_kwh={"total": total}, max_demand_kw=kw)

    def test_bills_the_contract_demand_up_to_105_percent(self) -> None:
        bill = price_bill(
            one_version(basic(default_basis="demand")), self.demand("630"), JULY, self.full()
        )

        assert bill.lines[0].quantity == 600
        assert bill.lines[0].amount.amount == Decimal("22800.00")

    def test_raises_a_low_contract_demand_to_the_40_percent_floor(self) -> None:
        account = self.full(contract_demand_kw=300, hv_motor_kw=100)

        bill = price_bill(
            one_version(basic(default_basis="demand")), self.demand("400"), JULY, account
        )

        assert bill.lines[0].quantity == 440
        assert "floor" in bill.lines[0].note

    def test_bills_measured_demand_without_a_contract_demand(self) -> None:
        account = self.full(contract_demand_kw=None, basic_charge_basis="demand")

        bill = price_bill(one_version(basic()), self.demand("512.5"), JULY, account)

        assert bill.lines[0].quantity == Decimal("512.5")

    def test_prorates_a_part_month(self) -> None:
        account = self.full(basic_charge_basis="capacity", opened_on="2025-07-17")

        bill = price_bill(one_version(basic()), self.demand("1"), JULY, account)

        assert bill.lines[0].amount.amount == Decimal("13000.00")  # 1000 × 26 × 15/30

    def test_needs_capacity_or_demand(self) -> None:
        t = one_version(basic())
        with pytest.raises(InvalidInput, match="capacity_kva"):
            price_bill(t, self.demand("1"), JULY, AccountFacts())
        with pytest.raises(InvalidInput, match="max_demand_kw"):
            price_bill(t, kwh(total=1), JULY, self.full(basic_charge_basis="demand"))

    def test_leaves_the_price_alone_below_260_kwh_per_kva(self) -> None:
        bill = price_bill(
            one_version(basic(default_basis="demand")),
            self.demand("600", "259999"),
            JULY,
            self.full(),
        )

        assert bill.lines[0].rate == 38


class TestPowerFactor:
    def determinants(self) -> Determinants:
        return Determinants(energy_kwh={"total": "240000"}, reactive_kvarh="130000")

    def test_uses_the_named_base_codes(self) -> None:
        t = one_version(energy(), fund(), power_factor(base_codes=("funds",)))

        bill = price_bill(t, self.determinants(), JULY, AccountFacts(pf_standard="0.90"))

        assert bill.lines[2].quantity == Decimal("6960.00")
        assert bill.lines[2].amount.amount == Decimal("69.60")

    def test_leaves_residential_and_unstandarded_accounts_alone(self) -> None:
        t = one_version(energy(), power_factor())

        assert (
            len(
                price_bill(
                    t, self.determinants(), JULY, AccountFacts(residential=True, pf_standard="0.9")
                ).lines
            )
            == 1
        )
        assert len(price_bill(t, self.determinants(), JULY).lines) == 1

    def test_uses_the_tariff_default_standard_and_rebates(self) -> None:
        t = one_version(energy(), power_factor(default_standard="0.85"))
        determinants = Determinants(energy_kwh={"total": "1000"}, reactive_kvarh="0")

        bill = price_bill(t, determinants, JULY)

        assert bill.lines[1].rate == Decimal("-0.011")
        assert bill.lines[1].amount.amount == Decimal("-5.50")

    def test_needs_reactive_energy(self) -> None:
        t = one_version(energy(), power_factor(default_standard="0.85"))

        with pytest.raises(InvalidInput, match="reactive_kvarh"):
            price_bill(t, kwh(total=1), JULY)

    def test_has_no_line_without_active_energy(self) -> None:
        t = one_version(energy(), power_factor(default_standard="0.85"))
        determinants = Determinants(energy_kwh={"total": "0"}, reactive_kvarh="5")

        assert [line.code for line in price_bill(t, determinants, JULY).lines] == ["energy"]


class TestLosses:
    def test_a_fixed_percentage_adds_to_energy_and_reactive_energy(self) -> None:
        account = AccountFacts(
            loss_model=FixedPercent(active_percent="2", reactive_percent="5"), pf_standard="0.90"
        )
        determinants = Determinants(
            energy_kwh={"peak": "1000", "valley": "500"}, reactive_kvarh="1000"
        )

        bill = price_bill(one_version(tou(), power_factor()), determinants, JULY, account)

        assert [line.quantity for line in bill.lines[:2]] == [
            Decimal("1020.000"),
            Decimal("510.000"),
        ]
        assert "1050" in bill.lines[2].note

    def test_a_transformer_formula_rounds_losses_to_whole_kwh(self) -> None:
        model = TransformerFormula(
            no_load_kw="1.2",
            load_loss_kw="10",
            rated_kva="1000",
            power_factor="0.9",
            no_load_current_percent="1",
            impedance_voltage_percent="4.5",
        )
        active, reactive = model.losses(Decimal("300000"), Decimal(0), 744)

        assert (active, reactive) == (Decimal(2386), Decimal(14160))
        with pytest.raises(InvalidInput):
            model.losses(Decimal(1), Decimal(1), 0)

    def test_a_loss_table_adds_its_band_s_losses(self) -> None:
        table = TableLookup(
            bands=(LossBand(1000, 30, 60), LossBand(5000, 80, 150), LossBand(None, 200, 400))
        )
        account = AccountFacts(loss_model=table)

        bill = price_bill(one_version(tou()), kwh(peak=2000, valley=1000), JULY, account)

        assert table.losses(Decimal(1000), Decimal(0), 744) == (Decimal(30), Decimal(60))
        assert [line.quantity for line in bill.lines] == [Decimal("2053.333"), Decimal("1026.667")]

    @pytest.mark.parametrize(
        "bands",
        [
            (),
            (LossBand(100, 1),),
            (LossBand(500, 1), LossBand(100, 2), LossBand(None, 3)),
        ],
    )
    def test_a_loss_table_needs_rising_bands_ending_open(self, bands: tuple[LossBand, ...]) -> None:
        with pytest.raises(InvalidInput, match="bands"):
            TableLookup(bands=bands)
        with pytest.raises(InvalidInput, match="upto_kwh"):
            LossBand(0, 1)

    def test_a_period_without_energy_gets_the_loss_in_its_first_bucket(self) -> None:
        account = AccountFacts(loss_model=FixedPercent(active_percent="2"))
        bill = price_bill(one_version(energy()), kwh(total=0), JULY, account)

        assert bill.lines[0].quantity == 0

    @pytest.mark.parametrize(
        "fields",
        [
            {"no_load_kw": 1, "load_loss_kw": 1, "rated_kva": 0, "power_factor": "0.9"},
            {"no_load_kw": 1, "load_loss_kw": 1, "rated_kva": 1, "power_factor": "1.1"},
            {"no_load_kw": -1, "load_loss_kw": 1, "rated_kva": 1, "power_factor": "0.9"},
        ],
    )
    def test_a_transformer_formula_refuses_impossible_ratings(
        self, fields: dict[str, object]
    ) -> None:
        with pytest.raises(InvalidInput):
            TransformerFormula(**fields)  # type: ignore[arg-type]


class TestAccountFacts:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("capacity_kva", "-1"),
            ("basic_charge_basis", "both"),
            ("loss_model", "none"),
            ("closed_on", "2020-01-01"),
        ],
    )
    def test_refuses_impossible_facts(self, field: str, value: object) -> None:
        with pytest.raises(InvalidInput, match=field):
            AccountFacts(opened_on="2021-01-01", **{field: value})  # type: ignore[arg-type]

    def test_determinants_need_named_buckets(self) -> None:
        with pytest.raises(InvalidInput, match="energy_kwh"):
            Determinants(energy_kwh={})
        with pytest.raises(InvalidInput, match="energy_kwh"):
            Determinants(energy_kwh={"": 1})


def test_an_engine_can_be_reused_for_many_bills() -> None:
    engine = BillingEngine(one_version(energy()))

    totals = [engine.bill(kwh(total=n), JULY).total.amount for n in (1, 2)]

    assert totals == [Decimal("0.50"), Decimal("1.00")]


@pytest.mark.parametrize("charge", [annual(), monthly()], ids=["annual", "monthly"])
def test_a_reused_engine_prices_every_bill_as_a_fresh_engine_does(
    charge: Charge, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Part years and part months scale the tier bounds; the engine keeps those per account and
    # empties its caches past a limit (made small here), which must never change an amount.
    monkeypatch.setattr("powerretail.billing.engine._CACHE_LIMIT", 3)
    t = one_version(charge, energy())
    engine = BillingEngine(t)
    accounts = [AccountFacts(opened_on=date(2025, 7, d), ytd_kwh=d * 150) for d in range(1, 9)]

    twice = [a for a in accounts for _ in range(2)] * 2

    reused = [engine.bill(kwh(total=420), JULY, a) for a in twice]
    fresh = [price_bill(t, kwh(total=420), JULY, a) for a in twice]

    assert reused == fresh
    assert any(len(bill.lines) == 3 for bill in reused)  # two tiers and the energy line


def test_categories_default_by_charge_type() -> None:
    assert fund().category is ChargeCategory.FUND
