"""Ports of the retail forecasts: each account's metered energy per month, and the sales plans.

A :class:`MonthlyUsage` is one account's energy in one month, keyed ``{account}/{YYYY-MM}`` and
found by account; :func:`~powerretail.workflows.retail_forecast.record_monthly_usage` stores them
and :func:`~powerretail.workflows.retail_forecast.monthly_histories` reads them back as
:class:`~powerretail.retail.forecast.MonthlyHistory` for the forecasts.

A :class:`StoredSalesPlan` is the sales plan of one month (the lines of
:class:`~powerretail.retail.plans.SalesPlan` for that month), keyed by the month; a revised plan
replaces it with the next revision number
(:func:`~powerretail.workflows.retail_forecast.record_sales_plan`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypeAlias

import attrs

from powerretail.repositories.aggregates import Aggregate, AggregateRepository
from powerretail.retail.plans import SalesPlanLine

__all__ = [
    "MONTHLY_USAGE",
    "SALES_PLANS",
    "MonthlyUsage",
    "MonthlyUsageRepository",
    "SalesPlanRepository",
    "StoredSalesPlan",
]


@attrs.frozen(kw_only=True)
class MonthlyUsage:
    """An account's metered energy [kWh] in a month (``YYYY-MM``), and its customer class."""

    usage_id: str
    account_id: str
    month: str
    kwh: Decimal
    customer_class: str = ""


#: Monthly usage, keyed by ``{account}/{month}``, found by account.
MONTHLY_USAGE: Aggregate[str, MonthlyUsage] = Aggregate(
    kind="retail_monthly_usage",
    entity_type=MonthlyUsage,
    key_field="usage_id",
    indexed=("account_id",),
)

MonthlyUsageRepository: TypeAlias = AggregateRepository[str, MonthlyUsage]


@attrs.frozen(kw_only=True)
class StoredSalesPlan:
    """A month's sales plan as stored: its lines, its revision and why it was made."""

    month: str
    revision: int
    lines: tuple[SalesPlanLine, ...]
    note: str = ""


#: Sales plans, keyed by month (``YYYY-MM``).
SALES_PLANS: Aggregate[str, StoredSalesPlan] = Aggregate(
    kind="retail_sales_plan", entity_type=StoredSalesPlan, key_field="month"
)

SalesPlanRepository: TypeAlias = AggregateRepository[str, StoredSalesPlan]
