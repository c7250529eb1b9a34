"""Allocation is exact and never negative; a settlement reconciles; the price cap holds."""

from __future__ import annotations

from decimal import Decimal

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from powerretail.retail.allocation import AllocationMethod, Claim, allocate_energy, reallocate
from powerretail.retail.packages import TouShape, energy_pricing, price_month
from powerretail.retail.settlement import settle_month
from tests.unit.retail.builders import a_package, july_portfolio

_KWH = st.decimals(min_value=0, max_value=1_000_000, places=3)


@given(
    energy=st.decimals(min_value=0, max_value=10_000_000, places=3),
    claims=st.lists(
        st.tuples(st.decimals(min_value=0, max_value=100_000, places=3), st.integers(0, 3)),
        min_size=1,
        max_size=8,
    ),
    method=st.sampled_from(AllocationMethod),
)
def test_allocated_energy_sums_to_the_purchase_and_is_never_negative(
    energy: Decimal, claims: list[tuple[Decimal, int]], method: AllocationMethod
) -> None:
    if not any(kwh for kwh, _ in claims):
        claims = [(Decimal(1), 0), *claims]
    rows = [Claim(customer_id=f"C-{i}", kwh=kwh, priority=p) for i, (kwh, p) in enumerate(claims)]

    allocation = allocate_energy(
        retailer_id="R", month="2025-07", energy_kwh=energy, claims=rows, method=method
    )
    again = reallocate(allocation, claims=list(reversed(rows)), reason="reordered")

    for split in (allocation, again):
        assert sum(share.kwh for share in split.shares) == energy
        assert all(share.kwh >= 0 for share in split.shares)


@settings(max_examples=40, deadline=None)
@given(
    actual=st.lists(st.decimals(min_value=0, max_value=800_000, places=3), min_size=3, max_size=3)
)
def test_user_margins_sum_to_the_retailers_margin(actual: list[Decimal]) -> None:
    portfolio = july_portfolio()
    users = tuple(
        attrs.evolve(user, energy_kwh={"total": kwh})
        for user, kwh in zip(portfolio["users"], actual, strict=True)
    )

    settled = settle_month(**{**portfolio, "users": users})

    assert sum(u.margin.amount for u in settled.users) == settled.margin.amount
    assert sum(u.allocated_kwh for u in settled.users) == settled.wholesale.contract_kwh
    assert (
        sum(u.wholesale_cost.amount for u in settled.users)
        == settled.wholesale.contract_cost.amount
    )


@given(
    peak=_KWH,
    flat=_KWH,
    valley=_KWH,
    cap=st.decimals(min_value="0.1", max_value="0.9", places=4),
)
def test_the_average_price_never_exceeds_the_cap(
    peak: Decimal, flat: Decimal, valley: Decimal, cap: Decimal
) -> None:
    package = a_package(
        tou=TouShape(ratios={"peak": "1.7", "flat": "1", "valley": "0.35"}), cap_yuan_per_kwh=cap
    )
    priced = price_month(
        package.versions[0], "PKG", package.versions[0].effective_from, reference_prices={}
    )
    energy = {"peak": peak, "flat": flat, "valley": valley}

    pricing = energy_pricing(priced, energy)

    charge = sum(energy[b] * pricing.prices[b] for b in energy)
    assert charge <= cap * (peak + flat + valley)
