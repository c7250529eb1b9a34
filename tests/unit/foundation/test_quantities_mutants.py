"""Tests that kill the mutants of quantities.py that survived the mutation run (scripts/mutation).

Each test pins a behaviour the older tests left loose: the currency that arithmetic keeps, the
strictness of comparisons, the decimal context that keeps 29+ digit amounts exact, the
largest-remainder rule of ``allocate``, and what every refusal names (field, value, expected).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from powerretail.errors import FloatNotAllowed, InvalidInput, UnitMismatch
from powerretail.quantities import (
    Energy,
    EnergyPrice,
    Money,
    Power,
    ReactiveEnergy,
    Rounding,
    allocate,
    exact_decimal,
    minor_unit_exponent,
)

# 30 significant digits: more than the default decimal context (28) holds, fewer than money's (50).
_WIDE = "1234567890123456789012345678.90"


class TestMoneyKeepsItsCurrency:
    @pytest.mark.parametrize(
        ("operation", "expected"),
        [
            (lambda m: m + Money("1.00", "USD"), Money("3.50", "USD")),
            (lambda m: m - Money("1.00", "USD"), Money("1.50", "USD")),
            (lambda m: -m, Money("-2.50", "USD")),
            (lambda m: abs(-m), Money("2.50", "USD")),
            (lambda m: m * 3, Money("7.50", "USD")),
            (lambda m: 3 * m, Money("7.50", "USD")),
        ],
    )
    def test_through_arithmetic(self, operation: Callable[[Money], Money], expected: Money) -> None:
        result = operation(Money("2.50", "USD"))

        assert (result, result.currency) == (expected, "USD")

    def test_in_zero_and_minor_units(self) -> None:
        assert Money.zero("EUR").currency == "EUR"
        assert Money.from_minor_units(250, "USD") == Money("2.50", "USD")
        assert Money.from_minor_units(250, "JPY") == Money("250", "JPY")

    def test_when_rounded_to_money(self) -> None:
        assert Rounding().to_money(Decimal("2.505"), "USD") == Money("2.51", "USD")

    def test_when_allocated(self) -> None:
        parts = allocate(Money("1.00", "USD"), [1, 1])

        assert parts == (Money("0.50", "USD"), Money("0.50", "USD"))


class TestComparisonsAreStrict:
    def test_money_is_neither_below_nor_above_itself(self) -> None:
        amount = Money("5.00")

        assert not amount < Money("5.00")
        assert not amount > Money("5.00")
        assert amount <= Money("5.00")
        assert amount >= Money("5.00")

    def test_a_quantity_is_neither_below_nor_above_itself(self) -> None:
        energy = Energy("7.5")

        assert not energy < Energy("7.5")
        assert not energy > Energy("7.5")
        assert energy <= Energy("7.5")
        assert energy >= Energy("7.5")


class TestWideAmountsStayExact:
    def test_money_holds_more_digits_than_the_default_context(self) -> None:
        assert Money(_WIDE).amount == Decimal(_WIDE)

    def test_rounding_holds_more_digits_than_the_default_context(self) -> None:
        assert Rounding().round(Decimal(_WIDE + "5")) == Decimal("1234567890123456789012345678.91")


class TestAllocateByLargestRemainder:
    def test_the_left_over_fen_goes_to_the_largest_remainder_not_the_largest_share(
        self,
    ) -> None:
        # 3 fen over 4:1 -> exact shares 2.4 and 0.6 fen; floors 2 and 0; the one fen left over
        # goes to the 0.6 remainder, not to the larger 2.4 share.
        parts = allocate(Money("0.03"), [4, 1])

        assert parts == (Money("0.02"), Money("0.01"))

    def test_a_zero_total_gives_zero_parts(self) -> None:
        assert allocate(Money("0.00"), [1, 2]) == (Money("0.00"), Money("0.00"))


def _refusal(action: Callable[[], object]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        action()
    return caught.value


class TestRefusalsNameFieldValueAndExpectation:
    @pytest.mark.parametrize(
        ("action", "field", "value", "expected"),
        [
            (lambda: exact_decimal(True), "value", True, "a number, not a bool"),
            (lambda: exact_decimal("abc"), "value", "abc", "a decimal number"),
            (
                lambda: exact_decimal([1]),
                "value",
                [1],
                "a Decimal, an int or a numeric str",
            ),
            (lambda: exact_decimal("Infinity"), "value", "Infinity", "a finite number"),
            (lambda: exact_decimal("x", "rate"), "rate", "x", "a decimal number"),
            (
                lambda: minor_unit_exponent("XYZ"),
                "currency",
                "XYZ",
                "one of AUD, CNY, EUR, GBP, HKD, JPY, KRW, MOP, SGD, TWD, USD",
            ),
            (lambda: Money("abc"), "amount", "abc", "a decimal number"),
            (
                lambda: Money("0.125"),
                "amount",
                Decimal("0.125"),
                "whole fen (CNY has 2 decimals); round it with Rounding first",
            ),
            (
                lambda: Money("0.125", "USD"),
                "amount",
                Decimal("0.125"),
                "whole minor units (USD has 2 decimals); round it with Rounding first",
            ),
            (
                lambda: Money.from_minor_units("12"),  # type: ignore[arg-type]
                "units",
                "12",
                "a whole number of minor units",
            ),
            (lambda: Money("1.00").scaled("x"), "factor", "x", "a decimal number"),
            (lambda: Energy("x"), "quantity", "x", "a decimal number"),
            (lambda: Energy("1") * "x", "factor", "x", "a decimal number"),
            (lambda: Energy("1").scaled("x"), "factor", "x", "a decimal number"),
            (lambda: Energy("1") / "x", "divisor", "x", "a decimal number"),
            (lambda: Rounding(step="x"), "step", "x", "a decimal number"),
            (
                lambda: Rounding(step="0.5"),
                "step",
                "0.5",
                "a positive power of ten such as 0.01 or 1",
            ),
            (
                lambda: Rounding(step="0"),
                "step",
                "0",
                "a positive power of ten such as 0.01 or 1",
            ),
            (
                lambda: Rounding(mode="NEAREST"),
                "mode",
                "NEAREST",
                (
                    "one of ROUND_05UP, ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_DOWN, "
                    "ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP"
                ),
            ),
            (lambda: Rounding().round("x"), "amount", "x", "a decimal number"),  # type: ignore[arg-type]
            (
                lambda: Rounding(step="0.001").to_money(Decimal(1)),
                "step",
                Decimal("0.001"),
                "no finer than one minor unit of CNY",
            ),
            (lambda: allocate(Money("1.00"), []), "weights", [], "at least one weight"),
            (lambda: allocate(Money("1.00"), [1, "x"]), "weights[1]", "x", "a decimal number"),
            (
                lambda: allocate(Money("1.00"), [1, -1]),
                "weights[1]",
                -1,
                "a weight of zero or more",
            ),
            (
                lambda: allocate(Money("1.00"), [0, 0]),
                "weights",
                [0, 0],
                "weights whose sum is above zero",
            ),
        ],
    )
    def test_for_each_refusal(
        self, action: Callable[[], object], field: str, value: object, expected: str
    ) -> None:
        error = _refusal(action)

        assert (error.field, error.value, error.expected) == (field, value, expected)

    def test_a_float_is_named_with_its_value(self) -> None:
        with pytest.raises(FloatNotAllowed) as caught:
            Money(0.1)  # type: ignore[arg-type]

        assert (caught.value.field, caught.value.value) == ("amount", 0.1)


def _mismatch(action: Callable[[], object]) -> UnitMismatch:
    with pytest.raises(UnitMismatch) as caught:
        action()
    return caught.value


_ONE = Money("1.00")
_DOLLAR = Money("1.00", "USD")
_KWH = Energy("1")
_KW = Power("1")


class TestUnitMismatchesNameTheOperationAndBothSides:
    @pytest.mark.parametrize(
        ("action", "operation", "left", "right"),
        [
            (lambda: _ONE + 1, "add", _ONE, 1),
            (lambda: _ONE + _DOLLAR, "add (currencies differ)", _ONE, _DOLLAR),
            (lambda: 1 + _ONE, "add", 1, _ONE),
            (lambda: _ONE - _DOLLAR, "subtract (currencies differ)", _ONE, _DOLLAR),
            (lambda: _ONE - 1, "subtract", _ONE, 1),
            (
                lambda: _ONE * Decimal("1.5"),
                "multiply (use Money.scaled for a non-integer factor)",
                _ONE,
                Decimal("1.5"),
            ),
            (lambda: _ONE / _DOLLAR, "divide (currencies differ)", _ONE, _DOLLAR),
            (lambda: _ONE < _DOLLAR, "compare (currencies differ)", _ONE, _DOLLAR),
            (lambda: _ONE <= _DOLLAR, "compare (currencies differ)", _ONE, _DOLLAR),
            (lambda: _ONE > _DOLLAR, "compare (currencies differ)", _ONE, _DOLLAR),
            (lambda: _ONE >= _DOLLAR, "compare (currencies differ)", _ONE, _DOLLAR),
            (lambda: _KWH + _KW, "add", _KWH, _KW),
            (lambda: 1 + _KWH, "add", 1, _KWH),
            (lambda: _KWH - _KW, "subtract", _KWH, _KW),
            (lambda: _KWH / _KW, "divide", _KWH, _KW),
            (lambda: _KWH.ratio_to(_KW), "divide", _KWH, _KW),  # type: ignore[arg-type]
            (lambda: _KWH < _KW, "compare", _KWH, _KW),
            (lambda: _KWH <= _KW, "compare", _KWH, _KW),
            (lambda: _KWH > _KW, "compare", _KWH, _KW),
            (lambda: _KWH >= _KW, "compare", _KWH, _KW),
            (lambda: _KWH * _KW, "multiply", _KWH, _KW),
            (
                lambda: EnergyPrice("0.5").cost_of(ReactiveEnergy("1")),  # type: ignore[arg-type]
                "price",
                EnergyPrice("0.5"),
                ReactiveEnergy("1"),
            ),
        ],
    )
    def test_for_each_mismatch(
        self, action: Callable[[], object], operation: str, left: object, right: object
    ) -> None:
        error = _mismatch(action)

        assert (error.operation, error.left, error.right) == (operation, left, right)
