"""Port of the retail forecasts' inputs: each account's metered energy per month.

A :class:`MonthlyUsage` is one account's energy in one month, keyed ``{account}/{YYYY-MM}`` and
found by account; :func:`~powerretail.workflows.retail_forecast.record_monthly_usage` stores them
and :func:`~powerretail.workflows.retail_forecast.monthly_histories` reads them back as
:class:`~powerretail.retail.forecast.MonthlyHistory` for the forecasts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypeAlias

import attrs

from powerretail.repositories.aggregates import Aggregate, AggregateRepository

__all__ = ["MONTHLY_USAGE", "MonthlyUsage", "MonthlyUsageRepository"]


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
