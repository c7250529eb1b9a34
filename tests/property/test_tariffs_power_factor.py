"""The power-factor rules as properties."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from powerretail.tariffs.power_factor import PF_1983, power_factor

pfs = st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n).scaleb(-2))
standards = st.sampled_from(["0.90", "0.85", "0.80"])
energies = st.decimals(min_value=Decimal(0), max_value=Decimal(10**7), places=3)


@given(standards, pfs, pfs)
def test_a_better_power_factor_never_costs_more(standard: str, low: Decimal, high: Decimal) -> None:
    low, high = min(low, high), max(low, high)
    rule = PF_1983.standard(standard)

    assert rule.percent(high) <= rule.percent(low)


@given(standards, pfs)
def test_at_or_above_the_standard_only_rebates_within_the_cap(standard: str, pf: Decimal) -> None:
    rule = PF_1983.standard(standard)
    percent = rule.percent(pf)

    if pf >= rule.standard:
        assert -rule.rebate_cap <= percent <= 0
    else:
        assert percent > 0


@given(energies, energies)
def test_the_monthly_power_factor_is_a_two_decimal_ratio(
    active: Decimal, reactive: Decimal
) -> None:
    pf = power_factor(active, reactive)

    if not active:
        assert pf is None
    else:
        assert pf is not None
        assert Decimal(0) <= pf <= 1
        assert pf == pf.quantize(Decimal("0.01"))
