"""Invariants of money, rounding and allocation (RELIABILITY R1, R3)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from powerretail.errors import FloatNotAllowed
from powerretail.quantities import (
    ApparentPower,
    CapacityPrice,
    DemandPrice,
    Energy,
    EnergyPrice,
    Money,
    Power,
    ReactiveEnergy,
    Rounding,
    allocate,
    exact_decimal,
)
from tests.strategies.foundation import money, unrounded_amounts, weights

CONSTRUCTORS = [
    Money,
    Energy,
    Power,
    ApparentPower,
    ReactiveEnergy,
    EnergyPrice,
    DemandPrice,
    CapacityPrice,
    exact_decimal,
]


@given(value=st.floats(allow_nan=True, allow_infinity=True), make=st.sampled_from(CONSTRUCTORS))
def test_every_money_and_quantity_constructor_refuses_floats(value: float, make: object) -> None:
    with pytest.raises(FloatNotAllowed):
        make(value)  # type: ignore[operator]


@given(unrounded_amounts)
@example(Decimal("0.125"))
@example(Decimal("-0.005"))
def test_rounding_a_credit_mirrors_rounding_the_charge(amount: Decimal) -> None:
    assert Rounding().to_money(-amount) == -Rounding().to_money(amount)


@given(unrounded_amounts)
def test_rounding_moves_an_amount_by_at_most_half_a_fen(amount: Decimal) -> None:
    assert abs(Rounding().to_money(amount).amount - amount) <= Decimal("0.005")


@given(money)
def test_money_round_trips_through_text_and_minor_units(amount: Money) -> None:
    assert Money(str(amount.amount)) == amount
    assert Money.from_minor_units(amount.minor_units) == amount


@given(total=money, parts=st.lists(weights, min_size=1, max_size=12))
@example(total=Money("0.01"), parts=[Decimal(1), Decimal(1), Decimal(1)])
def test_allocation_conserves_every_fen_and_stays_within_one_fen(
    total: Money, parts: list[Decimal]
) -> None:
    if sum(parts) == 0:
        parts = [*parts, Decimal(1)]

    shares = allocate(total, parts)

    assert sum(shares, Money.zero()) == total
    whole = sum(parts)
    for share, weight in zip(shares, parts, strict=True):
        exact = total.amount * weight / whole
        assert abs(share.amount - exact) < Decimal("0.01")


@given(total=money, parts=st.lists(weights, min_size=1, max_size=8), data=st.data())
def test_allocation_does_not_depend_on_the_order_of_the_weights(
    total: Money, parts: list[Decimal], data: st.DataObject
) -> None:
    if sum(parts) == 0:
        parts = [*parts, Decimal(1)]
    order = data.draw(st.permutations(range(len(parts))))

    shares = allocate(total, parts)
    shuffled = allocate(total, [parts[i] for i in order])

    by_weight: dict[Decimal, list[Money]] = {}
    for weight, share in zip(parts, shares, strict=True):
        by_weight.setdefault(weight, []).append(share)
    shuffled_by_weight: dict[Decimal, list[Money]] = {}
    for i, share in zip(order, shuffled, strict=True):
        shuffled_by_weight.setdefault(parts[i], []).append(share)
    assert {w: sorted(s) for w, s in by_weight.items()} == {
        w: sorted(s) for w, s in shuffled_by_weight.items()
    }


@given(total=money, parts=st.lists(weights, min_size=1, max_size=8))
def test_allocating_a_credit_mirrors_allocating_the_charge(
    total: Money, parts: list[Decimal]
) -> None:
    if sum(parts) == 0:
        parts = [*parts, Decimal(1)]

    assert allocate(-total, parts) == tuple(-share for share in allocate(total, parts))
