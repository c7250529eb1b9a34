"""The deviation fee is continuous at the band edges and never negative."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from powerretail.retail.deviation import DEVIATION_RULE_SETS, assess_deviation

_PRICES = {
    "clearing_spread": Decimal("0.05"),
    "clearing_price": Decimal("0.40"),
    "up_regulation": Decimal("0.45"),
    "monthly_cap": Decimal("0.48"),
    "down_regulation": Decimal("0.30"),
    "deviation_price": Decimal("0.10"),
}


@given(
    rule=st.sampled_from(sorted(DEVIATION_RULE_SETS)),
    contract=st.decimals(min_value=1, max_value=10_000_000, places=3),
    step=st.decimals(min_value=0, max_value=1000, places=3),
    over=st.booleans(),
)
@example(rule="GD-2017", contract=Decimal(1_000_000), step=Decimal("0.001"), over=False)
def test_the_fee_grows_from_zero_at_each_band_edge(
    rule: str, contract: Decimal, step: Decimal, over: bool
) -> None:
    chosen = DEVIATION_RULE_SETS[rule]
    side = chosen.over if over else chosen.under
    edge = contract + side.free_band * contract if over else contract - side.free_band * contract
    at_edge = assess_deviation(chosen, contract_kwh=contract, actual_kwh=edge, prices=_PRICES)
    actual = edge + step if over else max(Decimal(0), edge - step)
    near = assess_deviation(chosen, contract_kwh=contract, actual_kwh=actual, prices=_PRICES)
    worst = max(_PRICES.values()) * max(side.multiplier, Decimal(1))

    assert at_edge.exact_amount == 0
    assert 0 <= near.exact_amount <= worst * step
