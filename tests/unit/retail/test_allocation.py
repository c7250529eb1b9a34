from __future__ import annotations

from decimal import Decimal

import pytest

from powerretail.errors import InvalidInput
from powerretail.retail.allocation import (
    AllocationMethod,
    Claim,
    EnergyAllocation,
    Share,
    allocate_energy,
    reallocate,
    split_energy,
)


def _claims(*rows: tuple[str, str, int]) -> list[Claim]:
    return [Claim(customer_id=c, kwh=k, priority=p) for c, k, p in rows]


def _kwh(allocation: EnergyAllocation) -> dict[str, str]:
    return {share.customer_id: str(share.kwh) for share in allocation.shares}


class TestAllocateEnergy:
    def test_by_contract_splits_in_proportion_with_the_remainder_to_the_largest(self) -> None:
        allocation = allocate_energy(
            retailer_id="R",
            month="2025-07",
            energy_kwh=Decimal("100"),
            claims=_claims(("A", "1", 0), ("B", "1", 0), ("C", "1", 0)),
            method=AllocationMethod.BY_CONTRACT,
        )

        assert _kwh(allocation) == {"A": "33.334", "B": "33.333", "C": "33.333"}
        assert allocation.allocation_id == "R/2025-07/total"

    def test_by_priority_fills_claims_in_order(self) -> None:
        allocation = allocate_energy(
            retailer_id="R",
            month="2025-07",
            energy_kwh=Decimal("150"),
            claims=_claims(("A", "100", 2), ("B", "100", 1)),
            method=AllocationMethod.BY_PRIORITY,
        )

        assert _kwh(allocation) == {"A": "50.000", "B": "100.000"}

    def test_by_priority_shares_what_is_left_once_every_claim_is_met(self) -> None:
        allocation = allocate_energy(
            retailer_id="R",
            month="2025-07",
            energy_kwh=Decimal("300"),
            claims=_claims(("A", "100", 0), ("B", "50", 1)),
            method=AllocationMethod.BY_PRIORITY,
        )

        assert _kwh(allocation) == {"A": "200.000", "B": "100.000"}

    def test_refuses_two_claims_of_one_customer_or_none(self) -> None:
        with pytest.raises(InvalidInput, match="one claim per customer"):
            allocate_energy(
                retailer_id="R",
                month="2025-07",
                energy_kwh=Decimal(1),
                claims=_claims(("A", "1", 0), ("A", "2", 0)),
                method=AllocationMethod.BY_CONTRACT,
            )
        with pytest.raises(InvalidInput, match="at least one claim"):
            allocate_energy(
                retailer_id="R",
                month="2025-07",
                energy_kwh=Decimal(1),
                claims=[],
                method=AllocationMethod.BY_CONTRACT,
            )


class TestReallocate:
    def test_records_who_gained_and_lost_and_why(self) -> None:
        first = allocate_energy(
            retailer_id="R",
            month="2025-07",
            energy_kwh=Decimal("100"),
            claims=_claims(("A", "1", 0), ("B", "1", 0)),
            method=AllocationMethod.BY_FORECAST,
        )

        second = reallocate(
            first, claims=_claims(("A", "3", 0), ("C", "1", 0)), reason="B closed its plant"
        )

        assert second.revision == 2
        assert _kwh(second) == {"A": "75.000", "C": "25.000"}
        (adjustment,) = second.adjustments
        assert adjustment.reason == "B closed its plant"
        assert adjustment.changes == (
            ("A", Decimal("50.000"), Decimal("75.000")),
            ("B", Decimal("50.000"), Decimal(0)),
            ("C", Decimal(0), Decimal("25.000")),
        )

    def test_keeps_every_adjustment_and_may_change_method_and_energy(self) -> None:
        first = allocate_energy(
            retailer_id="R",
            month="2025-07",
            energy_kwh=Decimal("100"),
            claims=_claims(("A", "1", 0)),
            method=AllocationMethod.BY_FORECAST,
        )
        second = reallocate(
            first, claims=_claims(("A", "1", 0)), reason="more bought", energy_kwh=Decimal(120)
        )
        third = reallocate(
            second,
            claims=_claims(("A", "50", 0), ("B", "100", 1)),
            reason="B first",
            method=AllocationMethod.BY_PRIORITY,
        )

        assert [a.revision for a in third.adjustments] == [2, 3]
        assert _kwh(third) == {"A": "50.000", "B": "70.000"}

    def test_refuses_a_blank_reason(self) -> None:
        first = allocate_energy(
            retailer_id="R",
            month="2025-07",
            energy_kwh=Decimal("1"),
            claims=_claims(("A", "1", 0)),
            method=AllocationMethod.BY_FORECAST,
        )

        with pytest.raises(InvalidInput, match="reason"):
            reallocate(first, claims=_claims(("A", "1", 0)), reason="")


class TestSplitEnergy:
    @pytest.mark.parametrize(
        ("energy", "weights", "field"),
        [
            ("-1", ["1"], "energy_kwh"),
            ("0.0001", ["1"], "energy_kwh"),
            ("1", [], "weights"),
            ("1", ["-1"], "weights[0]"),
            ("1", ["0", "0"], "weights"),
        ],
    )
    def test_refuses_what_cannot_be_split(
        self, energy: str, weights: list[str], field: str
    ) -> None:
        with pytest.raises(InvalidInput) as refused:
            split_energy(Decimal(energy), [Decimal(w) for w in weights])

        assert refused.value.field == field

    def test_no_energy_splits_into_zeros_whatever_the_weights(self) -> None:
        assert split_energy(Decimal(0), [Decimal(0), Decimal(0)]) == (Decimal("0.000"),) * 2


class TestEnergyAllocation:
    def test_refuses_shares_that_do_not_add_up_or_are_negative(self) -> None:
        with pytest.raises(InvalidInput, match="adding up"):
            EnergyAllocation(
                allocation_id="x",
                retailer_id="R",
                month="2025-07",
                method=AllocationMethod.BY_CONTRACT,
                energy_kwh=Decimal(2),
                shares=(Share(customer_id="A", kwh=Decimal(1)),),
            )
        with pytest.raises(InvalidInput, match="0 or more"):
            EnergyAllocation(
                allocation_id="x",
                retailer_id="R",
                month="2025-07",
                method=AllocationMethod.BY_CONTRACT,
                energy_kwh=Decimal(1),
                shares=(
                    Share(customer_id="A", kwh=Decimal(2)),
                    Share(customer_id="B", kwh=Decimal(-1)),
                ),
            )


def test_a_customer_without_a_share_has_none_and_a_claim_is_never_negative() -> None:
    allocation = allocate_energy(
        retailer_id="R",
        month="2025-07",
        energy_kwh=Decimal("10"),
        claims=_claims(("A", "1", 0)),
        method=AllocationMethod.BY_CONTRACT,
    )

    assert allocation.share_of("A") == Decimal("10.000")
    assert allocation.share_of("B") == 0
    with pytest.raises(InvalidInput, match="kwh"):
        Claim(customer_id="A", kwh="-1")
