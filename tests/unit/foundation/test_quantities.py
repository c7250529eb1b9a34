from __future__ import annotations

import decimal
from decimal import Decimal

import pytest

from powerretail.errors import FloatNotAllowed, InvalidInput, UnitMismatch
from powerretail.quantities import (
    FEN,
    ApparentPower,
    CapacityPrice,
    DemandPrice,
    Energy,
    EnergyPrice,
    Money,
    Power,
    ReactiveEnergy,
    ReactiveEnergyPrice,
    Rounding,
    allocate,
    exact_decimal,
    minor_unit_exponent,
    sum_money,
)


class TestExactDecimal:
    @pytest.mark.parametrize(
        ("given", "expected"),
        [(Decimal("1.10"), Decimal("1.10")), (3, Decimal(3)), (" 0.5283 ", Decimal("0.5283"))],
    )
    def test_accepts_decimals_ints_and_numeric_text(self, given: object, expected: Decimal) -> None:
        assert exact_decimal(given) == expected

    def test_accepts_underscores_as_digit_separators(self) -> None:
        assert exact_decimal("240_000") == Decimal(240000)

    def test_refuses_a_float_naming_the_field(self) -> None:
        with pytest.raises(FloatNotAllowed) as caught:
            exact_decimal(0.1, "rate")

        assert caught.value.field == "rate"

    @pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", True, None, [1]])
    def test_refuses_what_is_not_a_finite_number(self, bad: object) -> None:
        with pytest.raises(InvalidInput):
            exact_decimal(bad)

    def test_refuses_a_decimal_nan(self) -> None:
        with pytest.raises(InvalidInput):
            exact_decimal(Decimal("NaN"))


class TestMoney:
    def test_normalises_to_two_decimals(self) -> None:
        assert str(Money("12.5")) == "12.50 CNY"
        assert Money(3).amount == Decimal("3.00")

    def test_from_quantized_equals_the_checked_constructor(self) -> None:
        rounded = Decimal("-12.345").quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")

        trusted = Money.from_quantized(rounded)

        assert trusted == Money("-12.35")
        assert hash(trusted) == hash(Money("-12.35"))
        assert str(Money.from_quantized(Decimal(5).quantize(Decimal(1)), "JPY")) == "5 JPY"

    def test_refuses_fractions_of_a_fen(self) -> None:
        with pytest.raises(InvalidInput, match="whole fen"):
            Money("0.125")

    def test_refuses_floats(self) -> None:
        with pytest.raises(TypeError):
            Money(1.5)  # type: ignore[arg-type]

    def test_refuses_unknown_currencies(self) -> None:
        with pytest.raises(InvalidInput, match="currency"):
            Money("1", "XXX")

    def test_yen_has_no_minor_units(self) -> None:
        assert Money("5", "JPY").minor_units == 5
        with pytest.raises(InvalidInput, match="minor units"):
            Money("5.5", "JPY")

    def test_adds_subtracts_and_negates(self) -> None:
        assert Money("1.10") + Money("2.25") == Money("3.35")
        assert Money("1.10") - Money("2.25") == Money("-1.15")
        assert -Money("1.10") == Money("-1.10")
        assert +Money("1.10") == Money("1.10")
        assert abs(Money("-1.10")) == Money("1.10")

    def test_sums_with_the_builtin_sum(self) -> None:
        assert sum([Money("1.01"), Money("2.02")]) == Money("3.03")

    def test_refuses_adding_an_int_other_than_the_zero_sum_starts_from(self) -> None:
        with pytest.raises(UnitMismatch):
            5 + Money("1")  # type: ignore[operator]

    def test_refuses_mixing_currencies(self) -> None:
        with pytest.raises(UnitMismatch, match="currencies differ"):
            Money("1") + Money("1", "USD")

    def test_refuses_adding_a_bare_number(self) -> None:
        with pytest.raises(UnitMismatch):
            Money("1") + Decimal(1)  # type: ignore[operator]

    def test_multiplies_by_whole_numbers_only(self) -> None:
        assert Money("1.25") * 3 == Money("3.75")
        assert 3 * Money("1.25") == Money("3.75")
        with pytest.raises(UnitMismatch, match="scaled"):
            Money("1.25") * Decimal("1.5")  # type: ignore[operator]

    def test_scaled_gives_an_unrounded_amount(self) -> None:
        assert Money("100.00").scaled("0.015") == Decimal("1.50000")

    def test_divides_into_a_ratio(self) -> None:
        assert Money("3.00") / Money("1.50") == Decimal(2)

    def test_compares_within_a_currency(self) -> None:
        assert Money("1") < Money("2") <= Money("2")
        assert Money("3") > Money("2") >= Money("2")
        with pytest.raises(UnitMismatch):
            assert Money("1") < Money("1", "USD")

    def test_converts_to_and_from_minor_units(self) -> None:
        assert Money.from_minor_units(-12345) == Money("-123.45")
        assert Money("-123.45").minor_units == -12345
        with pytest.raises(InvalidInput):
            Money.from_minor_units(True)

    def test_zero_is_zero(self) -> None:
        assert Money.zero().is_zero()
        assert not Money("0.01").is_zero()

    def test_sum_money_of_nothing_is_zero_in_the_currency(self) -> None:
        assert sum_money([], "USD") == Money.zero("USD")
        assert sum_money([Money("1"), Money("2")]) == Money("3")

    def test_minor_unit_exponent_refuses_unknown_codes(self) -> None:
        assert minor_unit_exponent("CNY") == 2
        with pytest.raises(InvalidInput):
            minor_unit_exponent("ABC")


class TestQuantities:
    def test_energy_times_price_is_unrounded_yuan(self) -> None:
        assert Energy("312.4") * EnergyPrice("0.5283") == Decimal("165.04092")
        assert EnergyPrice("0.5283") * Energy("312.4") == Decimal("165.04092")
        assert EnergyPrice("0.5").cost_of(Energy("3")) == Decimal("1.5")

    @pytest.mark.parametrize(
        ("quantity", "price", "expected"),
        [
            (Power("660"), DemandPrice("38"), Decimal("25080")),
            (ApparentPower("1000"), CapacityPrice("26"), Decimal("26000")),
            (ReactiveEnergy("10"), ReactiveEnergyPrice("0.1"), Decimal("1.0")),
        ],
    )
    def test_demand_capacity_and_reactive_prices_make_monthly_yuan(
        self, quantity: object, price: object, expected: Decimal
    ) -> None:
        assert quantity * price == expected  # type: ignore[operator]

    def test_nonsense_products_raise_unit_mismatch(self) -> None:
        with pytest.raises(UnitMismatch):
            Energy("1") * DemandPrice("1")
        with pytest.raises(UnitMismatch):
            EnergyPrice("1").cost_of(Power("1"))  # type: ignore[arg-type]

    def test_adds_only_the_same_unit(self) -> None:
        assert Energy("1.5") + Energy("2") == Energy("3.5")
        assert Energy("2") - Energy("0.5") == Energy("1.5")
        with pytest.raises(UnitMismatch):
            Energy("1") + Power("1")  # type: ignore[operator]

    def test_sums_scales_and_divides(self) -> None:
        assert sum([Energy("1"), Energy("2")]) == Energy("3")
        assert Energy("236.8") * 40 == Energy("9472.0")
        assert 2 * Energy("1.5") == Energy("3.0")
        assert Energy("3") / 2 == Energy("1.5")
        assert Energy("3") / Energy("2") == Decimal("1.5")
        assert Energy("3").ratio_to(Energy("4")) == Decimal("0.75")
        assert Energy("3").scaled("0.5") == Energy("1.5")

    def test_negates_and_takes_absolute_values(self) -> None:
        assert -Energy("1") == Energy("-1")
        assert abs(Energy("-1")) == Energy("1")

    def test_compares_only_the_same_unit(self) -> None:
        assert Energy("1") < Energy("2") <= Energy("2")
        assert Energy("3") > Energy("2") >= Energy("2")
        with pytest.raises(UnitMismatch):
            assert Energy("1") < Power("2")  # type: ignore[operator]

    def test_refuses_adding_a_non_zero_int(self) -> None:
        with pytest.raises(UnitMismatch):
            1 + Energy("1")  # type: ignore[operator]

    def test_named_accessors_and_units(self) -> None:
        assert Energy("1").kwh == Decimal(1)
        assert ReactiveEnergy("2").kvarh == Decimal(2)
        assert Power("3").kw == Decimal(3)
        assert ApparentPower("4").kva == Decimal(4)
        assert EnergyPrice("5").yuan_per_kwh == Decimal(5)
        assert ReactiveEnergyPrice("6").yuan_per_kvarh == Decimal(6)
        assert DemandPrice("7").yuan_per_kw_month == Decimal(7)
        assert CapacityPrice("8").yuan_per_kva_month == Decimal(8)
        assert str(Energy("9.5")) == "9.5 kWh"
        assert str(CapacityPrice("26")) == "26 元/kVA·月"

    def test_refuses_floats(self) -> None:
        with pytest.raises(FloatNotAllowed):
            Energy(1.0)  # type: ignore[arg-type]


class TestRounding:
    def test_rounds_half_up_to_the_fen_by_default(self) -> None:
        assert Rounding().to_money(Decimal("0.125")) == Money("0.13")
        assert Rounding().to_money(Decimal("-0.125")) == Money("-0.13")

    def test_other_modes_and_steps(self) -> None:
        assert Rounding(mode=decimal.ROUND_HALF_EVEN).round(Decimal("0.125")) == Decimal("0.12")
        assert Rounding(step="1").to_money(Decimal("2.5")) == Money("3")
        assert Rounding(step=Decimal("0.0001")).round(Decimal("0.12345")) == Decimal("0.1235")

    def test_refuses_a_step_finer_than_the_currency(self) -> None:
        with pytest.raises(InvalidInput, match="no finer"):
            Rounding(step=Decimal("0.001")).to_money(Decimal("1"))

    @pytest.mark.parametrize("bad", ["0", "-0.01", "0.02", "3"])
    def test_refuses_steps_that_are_not_powers_of_ten(self, bad: str) -> None:
        with pytest.raises(InvalidInput):
            Rounding(step=bad)

    def test_refuses_unknown_modes(self) -> None:
        with pytest.raises(InvalidInput):
            Rounding(mode="ROUND_SOMETIMES")

    def test_fen_is_a_hundredth(self) -> None:
        assert Decimal("0.01") == FEN


class TestAllocate:
    def test_gives_the_left_over_fen_to_the_largest_remainders(self) -> None:
        assert allocate(Money("100.00"), [1, 1, 1]) == (
            Money("33.34"),
            Money("33.33"),
            Money("33.33"),
        )

    def test_breaks_ties_toward_the_larger_weight(self) -> None:
        # Shares 0.0025 and 0.0075 fen of 0.01: remainders 0.25 and 0.75 fen.
        assert allocate(Money("0.01"), [1, 3]) == (Money("0.00"), Money("0.01"))
        # Equal remainders (0.5 fen each): the larger weight wins, not the position.
        assert allocate(Money("0.03"), [1, 5]) == (Money("0.00"), Money("0.03"))

    def test_splits_a_credit_as_the_mirror_of_its_charge(self) -> None:
        assert allocate(Money("-0.05"), [1, 1]) == (Money("-0.03"), Money("-0.02"))

    def test_zero_weights_get_nothing(self) -> None:
        assert allocate(Money("10.00"), [0, 1]) == (Money("0.00"), Money("10.00"))

    @pytest.mark.parametrize("bad", [[], [0, 0], [-1, 2]])
    def test_refuses_unusable_weights(self, bad: list[int]) -> None:
        with pytest.raises(InvalidInput):
            allocate(Money("1.00"), bad)


class TestNoStrayDecimalErrors:
    """Only powerretail.errors leave the quantities: no decimal traps, no exotic digits (R16)."""

    @pytest.mark.parametrize("text", ["１２", "٣", "۳", "_1", "1_", "1__0", "1._5", "²", "1e"])
    def test_refuses_text_that_is_not_plain_ascii_decimal(self, text: str) -> None:
        with pytest.raises(InvalidInput) as caught:
            Money(text)

        assert caught.value.expected == "a decimal number"

    @pytest.mark.parametrize("text", ["-0", "-0.00", "+0", "-0E+5"])
    def test_a_zero_has_no_sign(self, text: str) -> None:
        assert str(Money(text)) == "0.00 CNY"
        assert not Energy(text).value.is_signed()

    @pytest.mark.parametrize("text", ["1e1000000", "1e31", "1e-31", "9" * 40])
    def test_refuses_numbers_beyond_ten_to_the_thirty(self, text: str) -> None:
        with pytest.raises(InvalidInput, match="10\\^"):
            Energy(text)

    def test_refuses_a_huge_int(self) -> None:
        with pytest.raises(InvalidInput):
            Money(10**200)

    def test_the_largest_sane_numbers_still_multiply(self) -> None:
        assert Energy("1e30") * EnergyPrice("1e30") == Decimal("1e60")

    def test_dividing_by_zero_money_or_quantity_is_invalid_input(self) -> None:
        with pytest.raises(InvalidInput, match="divisor"):
            Money(1) / Money(0)
        with pytest.raises(InvalidInput, match="divisor"):
            Energy(1) / 0
        with pytest.raises(InvalidInput, match="divisor"):
            Energy(0) / Energy(0)
        with pytest.raises(InvalidInput, match="divisor"):
            Energy(1).ratio_to(Energy(0))

    def test_from_quantized_refuses_a_float_or_an_unknown_currency(self) -> None:
        with pytest.raises(FloatNotAllowed):
            Money.from_quantized(0.1)  # type: ignore[arg-type]
        with pytest.raises(InvalidInput):
            Money.from_quantized(1)  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="currency"):
            Money.from_quantized(Decimal("1.00"), "XXX")

    def test_a_step_of_100_rounds_to_hundreds_and_0_010_to_the_fen(self) -> None:
        assert Rounding(step="100").to_money(Decimal("1250")) == Money("1300")
        assert Rounding(step="0.010").round(Decimal("1.2345")) == Decimal("1.23")
        assert Rounding(step="0.010").step == FEN
