"""A retailer's month ahead: forecasts chosen by backtest, a sales plan by TOU band, the hedge
ratio against what is bought, a contract heading outside its band, and the risks they raise.

Run: python examples/retail_forecast.py
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pendulum

from powerretail.access import Actor
from powerretail.customers.credit import CreditScore
from powerretail.ids import CustomerId
from powerretail.retail.backtest import choose_methods
from powerretail.retail.execution import (
    ContractedEnergy,
    ExecutionBand,
    MonthToDate,
    track_execution,
)
from powerretail.retail.forecast import (
    Method,
    Month,
    MonthlyHistory,
    ProductionPlan,
    forecast_customers,
    portfolio_total,
)
from powerretail.retail.plans import open_position, sales_plan
from powerretail.retail.risk import (
    RISK_POLICY,
    Response,
    apply_proposal,
    assess,
    implement,
    propose_credit_risks,
    propose_market_risks,
    respond,
    review_clock,
)
from powerretail.tariffs.tou import Season, TouSchedule, TouWindow

PEAK_VALLEY = TouSchedule(
    name="two-band",
    seasons=(
        Season(
            name="all year",
            months=tuple(range(1, 13)),
            windows=(TouWindow("peak", "08:00", "22:00"), TouWindow("valley", "22:00", "08:00")),
        ),
    ),
)
FACTORY = [
    "1000",
    "800",
    "1000",
    "900",
    "1000",
    "1100",
    "1200",
    "1200",
    "1000",
    "900",
    "1000",
    "1100",
]
SHOP = ["300", "280", "300", "310", "320", "380", "420", "420", "340", "310", "300", "320"]


def history(account: str, year_2024: list[str], growth: Decimal, kind: str) -> MonthlyHistory:
    usage = {f"2024-{i + 1:02d}": Decimal(v) for i, v in enumerate(year_2024)}
    usage |= {f"2025-{i + 1:02d}": Decimal(v) * growth for i, v in enumerate(year_2024)}
    return MonthlyHistory.of(account, usage, kind)


def main() -> None:
    """Print the month's plan, position, execution alerts and the risks raised."""
    histories = [
        history("F-1", FACTORY, Decimal("1.1"), "industrial"),
        history("S-1", SHOP, Decimal("1.02"), "commercial"),
        history("S-2", SHOP, Decimal("0.95"), "commercial"),
    ]
    march = Month.parse("2026-03")
    tried = [Method.SEASONAL_NAIVE, Method.SAME_MONTH_GROWTH, Method.MOVING_AVERAGE]
    chosen = choose_methods(histories, tried, criterion="wape")
    for choice in chosen.values():
        print(choice.explain())
    methods = {h.account_id: chosen[h.customer_class].method for h in histories}
    plan_s2 = ProductionPlan(account_id="S-2", month=march, kwh="250", note="closed one week")
    forecasts = forecast_customers(histories, march, methods, plans=[plan_s2])
    for made in forecasts:
        print(f"{made.account_id}: {made.kwh} kWh by {made.method.value} ({made.basis})")
    print(f"portfolio {portfolio_total(forecasts)} kWh")

    weights = {a: {"peak": Decimal(7), "valley": Decimal(3)} for a in ("F-1", "S-1", "S-2")}
    plan = sales_plan(forecasts, schedule=PEAK_VALLEY, weights=weights)
    bought = {(march, "peak"): Decimal("700"), (march, "valley"): Decimal("520")}
    position = open_position(plan, bought)
    for line in position.lines:
        print(f"{line.month} {line.band}: planned {line.planned_kwh}, bought {line.purchased_kwh},")
        print(f"    open {line.open_kwh} kWh, hedge ratio {line.hedge_ratio}")

    band = ExecutionBand(key="BAND-5", lower="-0.05", upper="0.05", source="retail contract")
    lines = track_execution(
        [ContractedEnergy(account_id="F-1", month=march, kwh="1210")],
        [MonthToDate(account_id="F-1", month=march, kwh="500", through=date(2026, 3, 10))],
        band=band,
    )
    for line in lines:
        print(line.alert.message if line.alert else f"{line.account_id}: within its band")

    now = pendulum.datetime(2026, 3, 10, 9, tz="Asia/Shanghai")
    proposals = propose_market_risks(position) + propose_credit_risks(
        [CreditScore(customer_id=CustomerId("S-2"), points=Decimal(55))]
    )
    officer = Actor(id="risk-1", name="Zhao", roles={"risk_manager"})
    for proposal in proposals:
        risk = apply_proposal(proposal, None, at=now)
        risk = assess(risk, likelihood=4, impact=3, policy=RISK_POLICY, actor=officer, at=now).risk
        risk = respond(
            risk,
            response=Response.REDUCE,
            measures=["buy the open energy in the monthly auction"],
            owner="trading desk",
            policy=RISK_POLICY,
            actor=officer,
            at=now,
        ).risk
        risk = implement(risk, policy=RISK_POLICY, actor=officer, at=now).risk
        print(f"risk {risk.id} ({risk.level.value if risk.level else '-'}): {risk.cause}")
        print(f"    rule {risk.rule}; next review by {review_clock(risk).due_date}")


if __name__ == "__main__":
    main()
