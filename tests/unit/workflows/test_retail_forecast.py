"""Monthly usage stored for the forecasts, on both shipped stores."""

from __future__ import annotations

from decimal import Decimal

import pendulum
import pytest

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.monthly_usage import load_monthly_history_text
from powerretail.errors import IdempotencyConflict, NotFound
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.retail.forecast import Month, MonthlyHistory
from powerretail.retail.plans import SalesPlan, SalesPlanLine
from powerretail.workflows.retail_forecast import (
    monthly_histories,
    record_monthly_usage,
    record_sales_plan,
    sales_plan_for,
)

CLOCK = FixedClock(pendulum.datetime(2026, 1, 5, tz="Asia/Shanghai"))


def test_adds_changes_and_leaves_months_then_reads_them_back(
    make_unit_of_work: UnitOfWorkFactory,
) -> None:
    first = MonthlyHistory.of("A-1", {"2025-11": "10", "2025-12": "20"}, "industrial")
    corrected = MonthlyHistory.of("A-1", {"2025-12": "21", "2026-01": "30"}, "industrial")

    added = record_monthly_usage(make_unit_of_work, histories=[first], key="k1", clock=CLOCK)
    again = record_monthly_usage(make_unit_of_work, histories=[first], key="k1", clock=CLOCK)
    later = record_monthly_usage(
        make_unit_of_work, histories=[first, corrected], key="k2", clock=CLOCK
    )

    assert added == again == {"added": 2, "changed": 0, "unchanged": 0}
    # first: both months as stored; corrected: 2025-12 changed, 2026-01 added
    assert later == {"added": 1, "changed": 1, "unchanged": 2}
    (history,) = monthly_histories(make_unit_of_work)
    assert history.customer_class == "industrial"
    assert history.usage == {
        Month.parse("2025-11"): Decimal("10"),
        Month.parse("2025-12"): Decimal("21"),
        Month.parse("2026-01"): Decimal("30"),
    }


def test_refuses_a_key_reused_for_other_usage(make_unit_of_work: UnitOfWorkFactory) -> None:
    record_monthly_usage(
        make_unit_of_work,
        histories=[MonthlyHistory.of("A", {"2025-01": "1"})],
        key="k",
        clock=CLOCK,
    )

    with pytest.raises(IdempotencyConflict):
        record_monthly_usage(
            make_unit_of_work,
            histories=[MonthlyHistory.of("A", {"2025-01": "2"})],
            key="k",
            clock=CLOCK,
        )


def test_the_csv_columns_may_come_in_any_order_and_blank_lines_are_skipped() -> None:
    histories = load_monthly_history_text("kwh,Month,account_id\n12.5,2025-01,B\n\n3,2025-01,A\n")

    assert [(h.account_id, h.usage, h.customer_class) for h in histories] == [
        ("A", {Month.parse("2025-01"): Decimal("3")}, ""),
        ("B", {Month.parse("2025-01"): Decimal("12.5")}, ""),
    ]


def a_plan(peak: str) -> SalesPlan:
    march = Month.parse("2026-03")
    return SalesPlan(
        (
            SalesPlanLine(account_id="A-1", month=march, band="peak", kwh=Decimal(peak)),
            SalesPlanLine(account_id="A-1", month=march, band="valley", kwh=Decimal("40")),
            SalesPlanLine(
                account_id="A-1", month=Month.parse("2026-04"), band="peak", kwh=Decimal(1)
            ),
        )
    )


def test_stores_a_months_plan_and_its_revisions(make_unit_of_work: UnitOfWorkFactory) -> None:
    march = Month.parse("2026-03")

    first = record_sales_plan(
        make_unit_of_work, plan=a_plan("60"), month=march, key="p1", clock=CLOCK
    )
    same = record_sales_plan(
        make_unit_of_work, plan=a_plan("60"), month=march, key="p2", clock=CLOCK
    )
    revised = record_sales_plan(
        make_unit_of_work, plan=a_plan("65"), month=march, key="p3", clock=CLOCK, note="new order"
    )

    assert (first, same, revised) == (1, 1, 2)
    stored = sales_plan_for(make_unit_of_work, march)
    assert stored.portfolio() == {(march, "peak"): Decimal(65), (march, "valley"): Decimal(40)}


def test_a_month_without_lines_is_not_stored(make_unit_of_work: UnitOfWorkFactory) -> None:
    with pytest.raises(NotFound, match="2026-05"):
        record_sales_plan(
            make_unit_of_work, plan=a_plan("1"), month=Month.parse("2026-05"), key="p", clock=CLOCK
        )
    with pytest.raises(NotFound):
        sales_plan_for(make_unit_of_work, Month.parse("2026-05"))
