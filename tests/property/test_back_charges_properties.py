"""Invariants of back-charge documents: signs follow the direction, total = Σ lines (R2)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from powerretail.billing.back_charges import (
    BackChargeDocument,
    BackPeriodMethod,
    LoadKind,
    breach_category_misuse,
    meter_error_refund,
    theft_back_charge,
)
from powerretail.quantities import Energy, EnergyPrice, Power, sum_money

errors = st.decimals(min_value=Decimal("-0.5"), max_value=Decimal("0.5"), places=4)
energies = st.decimals(min_value=Decimal(0), max_value=Decimal(10_000_000), places=2).map(Energy)
prices = st.decimals(min_value=Decimal(0), max_value=Decimal(5), places=6).map(EnergyPrice)
days = st.dates(min_value=date(1997, 1, 1), max_value=date(2040, 12, 31))


def assert_total_is_sum_of_lines(document: BackChargeDocument) -> None:
    assert document.total == sum_money(line.amount for line in document.lines)


@given(
    error=errors,
    energy=energies,
    price=prices,
    since=days,
    length=st.integers(1, 3000),
    method=st.sampled_from(BackPeriodMethod),
)
@example(
    error=Decimal("0.04"),
    energy=Energy("18200"),
    price=EnergyPrice("0.5283"),
    since=date(2024, 1, 1),
    length=182,
    method=BackPeriodMethod.HALF_TIME_ENERGY,
)
def test_a_fast_meter_is_refunded_and_a_slow_one_charged(
    *,
    error: Decimal,
    energy: Energy,
    price: EnergyPrice,
    since: date,
    length: int,
    method: BackPeriodMethod,
) -> None:
    document = meter_error_refund(
        relative_error=error,
        recorded_energy=energy,
        since=since,
        corrected_on=since + timedelta(days=length),
        price=price,
        method=method,
    )

    assert_total_is_sum_of_lines(document)
    for line in document.lines:
        assert line.amount.amount <= 0 if error > 0 else line.amount.amount >= 0


@given(first=errors, second=errors, energy=energies, price=prices, since=days)
def test_a_larger_error_never_refunds_less_and_zero_error_corrects_nothing(
    *, first: Decimal, second: Decimal, energy: Energy, price: EnergyPrice, since: date
) -> None:
    def total(error: Decimal) -> Decimal:
        return meter_error_refund(
            relative_error=error,
            recorded_energy=energy,
            since=since,
            corrected_on=since + timedelta(days=100),
            price=price,
        ).total.amount

    low, high = sorted((first, second))

    assert total(high) <= total(low)
    assert total(Decimal(0)) == 0


@given(
    kw=st.decimals(min_value=Decimal(0), max_value=Decimal(10_000), places=3),
    hours=st.one_of(
        st.none(), st.decimals(min_value=Decimal(0), max_value=Decimal(100_000), places=1)
    ),
    load_kind=st.sampled_from(LoadKind),
    price=prices,
    discovered_on=days,
)
def test_theft_and_breach_charges_are_never_negative(
    *,
    kw: Decimal,
    hours: Decimal | None,
    load_kind: LoadKind,
    price: EnergyPrice,
    discovered_on: date,
) -> None:
    multiple = None if discovered_on < date(2024, 6, 1) else Decimal(3)
    theft = theft_back_charge(
        discovered_on=discovered_on,
        capacity=Power(kw),
        hours=hours,
        load_kind=load_kind,
        price=price,
        liquidated_multiple=multiple,
    )
    misuse = breach_category_misuse(
        discovered_on=discovered_on,
        price_difference=price,
        capacity=Power(kw),
        load_kind=load_kind,
    )

    for document in (theft, misuse):
        assert_total_is_sum_of_lines(document)
        assert all(line.amount.amount >= 0 for line in document.lines)
