from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest

from powerretail.billing.back_charges import (
    GYGZ1996,
    GYGZ2024,
    BackChargeKind,
    BackChargeLine,
    BackPeriodMethod,
    BreachItemNotInForce,
    EnergyCharge,
    LoadKind,
    back_period,
    breach_category_misuse,
    breach_extra_capacity,
    breach_meter_interference,
    breach_over_quota,
    breach_suspended_equipment,
    breach_unauthorised_source,
    capacity_by_rated_current,
    meter_error_refund,
    multiplier_error_correction,
    select_rule_set,
    theft_back_charge,
    voltage_drop_correction,
    wiring_error_correction,
)
from powerretail.errors import InvalidInput, NotFound
from powerretail.quantities import (
    ApparentPower,
    CapacityPrice,
    DemandPrice,
    Energy,
    EnergyPrice,
    Money,
    Power,
)

IN_1996 = date(2023, 8, 1)
IN_2024 = date(2025, 8, 1)
PRICE = EnergyPrice("0.5")


def amounts(lines: tuple[BackChargeLine, ...]) -> list[str]:
    return [str(line.amount.amount) for line in lines]


class TestSelectRuleSet:
    def test_switches_to_the_2024_rules_on_the_first_of_june_2024(self) -> None:
        assert select_rule_set(date(2024, 5, 31)) is GYGZ1996
        assert select_rule_set(date(2024, 6, 1)) is GYGZ2024

    def test_refuses_a_day_before_1996(self) -> None:
        with pytest.raises(NotFound, match="1990-01-01"):
            select_rule_set(date(1990, 1, 1))

    def test_cites_1996_articles_as_ancestors_under_the_2024_rules(self) -> None:
        assert GYGZ1996.cite("第80条") == "《供电营业规则》(1996, 电力工业部令第8号) 第80条"
        assert GYGZ2024.cite("第80条") == (
            "《供电营业规则》(2024), article not verified; as 1996 第80条"
        )

    def test_cites_a_rule_set_without_a_title_by_its_key(self) -> None:
        rules = attrs.evolve(GYGZ1996, key="JS-2026", title="")

        assert rules.cite("第80条") == "JS-2026 第80条"


class TestBackPeriod:
    def test_uses_the_whole_span_for_half_time_energy(self) -> None:
        span = back_period(date(2024, 1, 1), date(2024, 7, 1), BackPeriodMethod.HALF_TIME_ENERGY)

        assert span.days == 182

    def test_keeps_the_middle_day_in_the_later_half_of_an_odd_span(self) -> None:
        span = back_period(date(2024, 1, 1), date(2024, 1, 4), BackPeriodMethod.LAST_HALF_PERIOD)

        assert (span.start, span.days) == (date(2024, 1, 2), 2)

    def test_refuses_a_correction_day_not_after_the_last_test(self) -> None:
        with pytest.raises(InvalidInput, match="corrected_on"):
            back_period(date(2024, 1, 1), date(2024, 1, 1), BackPeriodMethod.LAST_HALF_PERIOD)


class TestMeterErrorRefund:
    def test_refunds_a_fast_meter_with_negative_lines(self) -> None:
        doc = meter_error_refund(
            relative_error="0.04",
            recorded_energy=Energy("18200"),
            since=date(2024, 1, 1),
            corrected_on=date(2024, 7, 1),
            price=PRICE,
        )

        assert doc.kind is BackChargeKind.METER_ERROR
        assert doc.energy == Energy("-350.00")
        assert doc.total == Money("-175.00")

    def test_charges_a_slow_meter_over_the_last_half_period(self) -> None:
        doc = meter_error_refund(
            relative_error="-0.02",
            recorded_energy=Energy("980"),
            since=date(2024, 1, 1),
            corrected_on=date(2024, 7, 1),
            price=PRICE,
            method=BackPeriodMethod.LAST_HALF_PERIOD,
        )

        assert doc.energy == Energy("20.00")
        assert doc.total == Money("10.00")
        assert doc.rule_set == "GYGZ2024"

    def test_prices_every_energy_component_on_its_own_line(self) -> None:
        charges = (
            EnergyCharge(
                code="energy", description_zh="电度电费", description_en="energy", price=PRICE
            ),
            EnergyCharge(
                code="funds",
                description_zh="政府性基金",
                description_en="funds",
                price=EnergyPrice("0.029"),
                source="rules.md §14",
            ),
        )

        doc = meter_error_refund(
            relative_error="0.04",
            recorded_energy=Energy("18200"),
            since=date(2024, 1, 1),
            corrected_on=date(2024, 7, 1),
            price=charges,
        )

        assert amounts(doc.lines) == ["-175.00", "-10.15"]
        assert doc.total == Money("-185.15")
        assert "price: rules.md §14" in doc.lines[1].rule_source

    def test_refuses_an_empty_list_of_charges(self) -> None:
        with pytest.raises(InvalidInput, match="charges"):
            meter_error_refund(
                relative_error="0.04",
                recorded_energy=Energy("1"),
                since=date(2024, 1, 1),
                corrected_on=date(2024, 7, 1),
                price=(),
            )

    def test_refuses_an_error_of_minus_one_hundred_percent(self) -> None:
        with pytest.raises(InvalidInput, match="relative_error"):
            meter_error_refund(
                relative_error="-1",
                recorded_energy=Energy("1"),
                since=date(2024, 1, 1),
                corrected_on=date(2024, 7, 1),
                price=PRICE,
            )

    def test_explains_its_facts_lines_and_total(self) -> None:
        doc = meter_error_refund(
            relative_error="0.04",
            recorded_energy=Energy("18200"),
            since=date(2024, 1, 1),
            corrected_on=date(2024, 7, 1),
            price=PRICE,
        )

        text = doc.explain()

        assert "zero-error reference" in text
        assert doc.as_dict()["total"] == "-175.00"
        assert doc.as_dict()["energy_kwh"] == "-350.00"
        assert doc.as_dict()["lines"] == [
            {
                "code": "meter_error.energy",
                "description_zh": "电度电费",
                "description_en": "energy charge",
                "quantity": "-350.00",
                "unit": "kWh",
                "rate": "0.5",
                "amount": "-175.00",
                "rule_source": doc.lines[0].rule_source,
                "rule_source_zh": doc.lines[0].rule_source_zh,
                "status": "confirmed",
            }
        ]
        assert "-350.00 kWh × 0.5 = -175.00" in text
        assert text.endswith("total 合计: -175.00 CNY")


class TestOtherMeterCorrections:
    def test_charges_a_voltage_drop_beyond_the_permitted_drop_over_the_full_period(self) -> None:
        doc = voltage_drop_correction(
            actual_error="-0.03",
            permitted_error="-0.01",
            recorded_energy=Energy("9700"),
            since=date(2023, 1, 1),
            corrected_on=date(2024, 1, 1),
            price=PRICE,
        )

        assert doc.energy == Energy("200.00")
        assert doc.total == Money("100.00")
        assert doc.rule_set == "GYGZ1996"

    def test_charges_a_wiring_error_by_the_correction_factor(self) -> None:
        doc = wiring_error_correction(
            recorded_energy=Energy("1000"),
            k_correct="1.732",
            since=date(2024, 1, 1),
            corrected_on=date(2024, 3, 1),
            price=PRICE,
        )

        assert doc.energy == Energy("732.00")
        assert doc.total == Money("366.00")

    def test_refuses_a_correction_factor_not_above_zero(self) -> None:
        with pytest.raises(InvalidInput, match="k_correct"):
            wiring_error_correction(
                recorded_energy=Energy("1"),
                k_correct="0",
                since=date(2024, 1, 1),
                corrected_on=date(2024, 3, 1),
                price=PRICE,
            )

    def test_refunds_a_multiplier_that_was_too_large(self) -> None:
        doc = multiplier_error_correction(
            register_delta="236.8",
            correct_multiplier="40",
            used_multiplier="60",
            corrected_on=IN_2024,
            price=PRICE,
        )

        assert doc.energy == Energy("-4736.00")
        assert doc.total == Money("-2368.00")

    def test_refuses_a_negative_register_advance(self) -> None:
        with pytest.raises(InvalidInput, match="register_delta"):
            multiplier_error_correction(
                register_delta="-1",
                correct_multiplier="40",
                used_multiplier="60",
                corrected_on=IN_2024,
                price=PRICE,
            )

    def test_refuses_a_multiplier_not_above_zero(self) -> None:
        with pytest.raises(InvalidInput, match="used_multiplier"):
            multiplier_error_correction(
                register_delta="1",
                correct_multiplier="40",
                used_multiplier="0",
                corrected_on=IN_2024,
                price=PRICE,
            )


class TestBreachCategoryMisuse:
    def test_charges_the_price_difference_and_twice_that(self) -> None:
        doc = breach_category_misuse(
            discovered_on=IN_1996, price_difference=EnergyPrice("0.2"), energy=Energy("1000")
        )

        assert amounts(doc.lines) == ["200.00", "400.00"]
        assert doc.kind is BackChargeKind.BREACH_OF_USE

    def test_estimates_three_months_of_lighting_when_the_duration_is_unknown(self) -> None:
        doc = breach_category_misuse(
            discovered_on=date(2023, 4, 1),
            price_difference=EnergyPrice("0.1"),
            capacity=ApparentPower("10"),
            load_kind=LoadKind.LIGHTING,
        )

        assert doc.energy == Energy(10 * 90 * 6)
        assert "[2023-01-01, 2023-04-01) = 90 d × 6 h (lighting)" in doc.facts[0]

    def test_refuses_an_unknown_duration_without_a_load_kind(self) -> None:
        with pytest.raises(InvalidInput, match="energy"):
            breach_category_misuse(
                discovered_on=IN_1996, price_difference=PRICE, capacity=Power("1")
            )


class TestBreachExtraCapacity:
    def test_charges_a_two_part_user_by_demand_when_given_kw(self) -> None:
        doc = breach_extra_capacity(
            discovered_on=IN_2024,
            extra_capacity=Power("100"),
            two_part=True,
            price=DemandPrice("38"),
            months=2,
        )

        assert amounts(doc.lines) == ["7600.00", "22800.00"]
        assert doc.lines[0].unit == "kW·月"

    def test_refuses_a_price_that_does_not_match_the_capacity(self) -> None:
        with pytest.raises(InvalidInput, match="CapacityPrice"):
            breach_extra_capacity(
                discovered_on=IN_2024,
                extra_capacity=Power("100"),
                two_part=True,
                price=CapacityPrice("26"),
            )

    def test_refuses_zero_months(self) -> None:
        with pytest.raises(InvalidInput, match="months"):
            breach_extra_capacity(
                discovered_on=IN_2024,
                extra_capacity=ApparentPower("100"),
                two_part=True,
                price=CapacityPrice("26"),
                months=0,
            )

    def test_refuses_a_capacity_that_is_not_power(self) -> None:
        with pytest.raises(InvalidInput, match="extra_capacity"):
            breach_extra_capacity(
                discovered_on=IN_2024,
                extra_capacity=Energy("1"),  # type: ignore[arg-type]
                two_part=False,
            )


class TestBreachOverQuota:
    def test_charges_per_kw_each_time_and_five_times_the_energy_charge_under_1996(self) -> None:
        doc = breach_over_quota(
            discovered_on=IN_1996,
            excess_peak=Power("50"),
            times=2,
            excess_energy_charge=Money("120.00"),
        )

        assert amounts(doc.lines) == ["100.00", "600.00"]

    def test_is_not_available_under_the_2024_rules(self) -> None:
        with pytest.raises(BreachItemNotInForce, match="not in GYGZ2024"):
            breach_over_quota(
                discovered_on=IN_2024,
                excess_peak=Power("50"),
                times=1,
                excess_energy_charge=Money("1.00"),
            )


class TestBreachSuspendedEquipment:
    def test_charges_a_two_part_user_the_basic_charge_and_twice_that(self) -> None:
        doc = breach_suspended_equipment(
            discovered_on=IN_2024,
            capacity=ApparentPower("315"),
            two_part=True,
            price=CapacityPrice("26"),
            months=1,
        )

        assert amounts(doc.lines) == ["8190.00", "16380.00"]

    def test_charges_other_users_thirty_yuan_per_kw_each_time(self) -> None:
        doc = breach_suspended_equipment(
            discovered_on=IN_2024, capacity=Power("40"), two_part=False, times=2
        )

        assert amounts(doc.lines) == ["2400.00"]


class TestBreachMeterInterferenceAndSources:
    @pytest.mark.parametrize(("residential", "total"), [(True, "1000.00"), (False, "10000.00")])
    def test_charges_per_time_by_kind_of_user(self, residential: bool, total: str) -> None:
        doc = breach_meter_interference(discovered_on=IN_2024, residential=residential, times=2)

        assert doc.total == Money(total)

    def test_refuses_zero_times(self) -> None:
        with pytest.raises(InvalidInput, match="times"):
            breach_meter_interference(discovered_on=IN_2024, residential=True, times=0)

    def test_marks_the_unauthorised_source_charge_uncertain(self) -> None:
        doc = breach_unauthorised_source(discovered_on=IN_2024, capacity=ApparentPower("10"))

        assert doc.total == Money("5000.00")
        assert doc.lines[0].status == "uncertain"
        assert doc.as_dict()["energy_kwh"] is None
        assert doc.lines[0].explain().endswith("[uncertain]")


class TestCapacityByRatedCurrent:
    def test_multiplies_three_phases(self) -> None:
        assert capacity_by_rated_current(voltage_v="220", rated_current_a="20", phases=3) == Power(
            "13.2"
        )

    def test_refuses_two_phases(self) -> None:
        with pytest.raises(InvalidInput, match="phases"):
            capacity_by_rated_current(voltage_v="220", rated_current_a="10", phases=2)

    def test_refuses_a_negative_current(self) -> None:
        with pytest.raises(InvalidInput, match="rated_current_a"):
            capacity_by_rated_current(voltage_v="220", rated_current_a="-1")


class TestTheftBackCharge:
    def test_uses_twelve_hours_a_day_for_power_users(self) -> None:
        doc = theft_back_charge(
            discovered_on=IN_1996, capacity=Power("10"), load_kind=LoadKind.POWER, price=PRICE
        )

        assert doc.energy == Energy(10 * 180 * 12)
        assert doc.kind is BackChargeKind.THEFT

    def test_takes_a_tapped_kva_as_kw_over_a_known_duration(self) -> None:
        doc = theft_back_charge(
            discovered_on=IN_1996, capacity=ApparentPower("5"), hours="100", price=PRICE
        )

        assert amounts(doc.lines) == ["250.00", "750.00"]

    def test_accepts_the_fixed_1996_multiple_when_restated(self) -> None:
        doc = theft_back_charge(
            discovered_on=IN_1996,
            capacity=Power("1"),
            hours="10",
            price=PRICE,
            liquidated_multiple="3",
        )

        assert doc.lines[1].rate == Decimal(3)

    def test_refuses_another_multiple_under_the_1996_rules(self) -> None:
        with pytest.raises(InvalidInput, match="fixes the multiple"):
            theft_back_charge(
                discovered_on=IN_1996,
                capacity=Power("1"),
                hours="10",
                price=PRICE,
                liquidated_multiple="2",
            )

    def test_needs_the_contract_multiple_under_the_2024_rules(self) -> None:
        with pytest.raises(InvalidInput, match="contract's multiple, up to 3"):
            theft_back_charge(discovered_on=IN_2024, capacity=Power("1"), hours="10", price=PRICE)

    def test_refuses_a_multiple_above_three_under_the_2024_rules(self) -> None:
        with pytest.raises(InvalidInput, match="from 0 to 3"):
            theft_back_charge(
                discovered_on=IN_2024,
                capacity=Power("1"),
                hours="10",
                price=PRICE,
                liquidated_multiple="4",
            )

    def test_marks_the_2024_multiple_uncertain(self) -> None:
        doc = theft_back_charge(
            discovered_on=IN_2024,
            capacity=Power("1"),
            hours="10",
            price=PRICE,
            liquidated_multiple="1.5",
        )

        assert amounts(doc.lines) == ["5.00", "7.50"]
        assert doc.lines[1].status == "uncertain"

    def test_refuses_an_unknown_duration_without_a_load_kind(self) -> None:
        with pytest.raises(InvalidInput, match="hours"):
            theft_back_charge(discovered_on=IN_1996, capacity=Power("1"), price=PRICE)

    def test_refuses_a_negative_duration(self) -> None:
        with pytest.raises(InvalidInput, match="hours"):
            theft_back_charge(discovered_on=IN_1996, capacity=Power("1"), hours="-1", price=PRICE)


class TestRuleSetBoundary:
    """R18: what changes on 1 June 2024, table-driven."""

    @pytest.mark.parametrize(
        ("discovered_on", "in_force"), [(date(2024, 5, 31), True), (date(2024, 6, 1), False)]
    )
    def test_over_quota_exists_only_before_the_2024_rules(
        self, discovered_on: date, in_force: bool
    ) -> None:
        def charge() -> object:
            return breach_over_quota(
                discovered_on=discovered_on,
                excess_peak=Power("1"),
                times=1,
                excess_energy_charge=Money("1.00"),
            )

        if in_force:
            assert charge() is not None
        else:
            with pytest.raises(BreachItemNotInForce):
                charge()

    @pytest.mark.parametrize(
        ("discovered_on", "multiple", "status"),
        [(date(2024, 5, 31), None, "confirmed"), (date(2024, 6, 1), "3", "uncertain")],
    )
    def test_theft_multiple_is_fixed_before_and_contractual_after(
        self, discovered_on: date, multiple: str | None, status: str
    ) -> None:
        doc = theft_back_charge(
            discovered_on=discovered_on,
            capacity=Power("1"),
            hours="10",
            price=PRICE,
            liquidated_multiple=multiple,
        )

        assert (str(doc.total.amount), doc.lines[1].status) == ("20.00", status)
