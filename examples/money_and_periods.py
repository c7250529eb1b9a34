"""Money, rounding, allocation and billing periods: the foundation in one page.

Run: python examples/money_and_periods.py
"""

from __future__ import annotations

from datetime import date

from powerretail.quantities import Energy, EnergyPrice, Money, Rounding, allocate
from powerretail.timeframe import DateRange


def main() -> None:
    """Print a priced energy line, a prorated standing charge and anchored monthly periods."""
    energy = Energy("236.8") * 40  # register advance × multiplier keeps the decimals
    cost = energy * EnergyPrice("0.5283")
    print(f"{energy} × 0.5283 元/kWh = {cost} 元 → {Rounding().to_money(cost)}")

    period = DateRange.month(2025, 7)
    pieces = period.split_at(date(2025, 7, 11))  # a tariff change on 11 July
    shares = allocate(Money("30.00"), [piece.days for piece in pieces])
    for piece, share in zip(pieces, shares, strict=True):
        print(f"standing charge for {piece} ({piece.days} days): {share}")
    print(f"sum of the shares: {sum(shares, Money.zero())}")

    for bill_period in DateRange.monthly(date(2025, 1, 31), 4):
        print(f"billing period {bill_period}: {bill_period.days} days")


if __name__ == "__main__":
    main()
