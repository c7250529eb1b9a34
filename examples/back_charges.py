"""Back-charges and refunds: worked examples (docs/explanation/sources.md) as explained documents.

Run: python examples/back_charges.py
"""

from __future__ import annotations

from datetime import date

from powerretail.billing.back_charges import (
    LoadKind,
    breach_extra_capacity,
    capacity_by_rated_current,
    meter_error_refund,
    theft_back_charge,
)
from powerretail.quantities import ApparentPower, CapacityPrice, Energy, EnergyPrice, Power


def main() -> None:
    """Print a meter-error refund, a theft charge and two extra-capacity breaches."""
    price = EnergyPrice("0.5283")
    documents = (
        meter_error_refund(
            relative_error="0.04",
            recorded_energy=Energy("18200"),
            since=date(2024, 1, 1),
            corrected_on=date(2024, 7, 1),
            price=price,
        ),
        theft_back_charge(
            discovered_on=date(2023, 8, 1),
            capacity=capacity_by_rated_current(voltage_v="220", rated_current_a="10"),
            load_kind=LoadKind.LIGHTING,
            price=price,
        ),
        theft_back_charge(
            discovered_on=date(2025, 8, 1),
            capacity=capacity_by_rated_current(voltage_v="220", rated_current_a="10"),
            load_kind=LoadKind.LIGHTING,
            price=price,
            liquidated_multiple="2",  # GYGZ2024: the contract's multiple, up to 3
        ),
        breach_extra_capacity(
            discovered_on=date(2023, 8, 1),
            extra_capacity=ApparentPower("200"),
            two_part=True,
            price=CapacityPrice("26"),
            months=3,
        ),
        breach_extra_capacity(
            discovered_on=date(2023, 8, 1), extra_capacity=Power("20"), two_part=False
        ),
    )
    for document in documents:
        print(document.explain())
        print()


if __name__ == "__main__":
    main()
