"""Store the monthly usage the retail forecasts read, and read it back.

:func:`record_monthly_usage` stores histories (:class:`~powerretail.retail.forecast.
MonthlyHistory`) in one unit of work under the idempotency key ``monthly-usage/{key}``: a month
not yet stored is added, one stored with other energy is replaced (a corrected meter read), one
stored the same is left alone. :func:`monthly_histories` returns the stored usage as histories.

:func:`record_sales_plan` stores a month's sales plan under ``sales-plan/{key}``: the first plan
of a month is revision 1, a different plan replaces it as the next revision, the same plan
changes nothing. :func:`sales_plan_for` reads it back.
"""

from __future__ import annotations

from collections.abc import Sequence

from powerretail.errors import NotFound
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import command_payload, run_idempotent
from powerretail.repositories.retail_forecast import (
    MONTHLY_USAGE,
    SALES_PLANS,
    MonthlyUsage,
    StoredSalesPlan,
)
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.retail.forecast import Month, MonthlyHistory
from powerretail.retail.plans import SalesPlan

__all__ = [
    "COMMAND",
    "PLAN_COMMAND",
    "monthly_histories",
    "record_monthly_usage",
    "record_sales_plan",
    "sales_plan_for",
]

#: The command name of recording monthly usage.
COMMAND = "retail_monthly_usage"
#: The command name of recording a sales plan.
PLAN_COMMAND = "retail_sales_plan"


def record_monthly_usage(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    histories: Sequence[MonthlyHistory],
    key: str,
    clock: Clock,
) -> dict[str, int]:
    """Store ``histories`` once under ``key``; return how many months were added, changed and
    left as they were.

    Raises:
        IdempotencyConflict: ``key`` was used with other histories.
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        repo = uow.repository(MONTHLY_USAGE)
        counts = {"added": 0, "changed": 0, "unchanged": 0}
        for history in histories:
            for month, kwh in sorted(history.usage.items()):
                usage = MonthlyUsage(
                    usage_id=f"{history.account_id}/{month}",
                    account_id=history.account_id,
                    month=str(month),
                    kwh=kwh,
                    customer_class=history.customer_class,
                )
                found = repo.find(usage.usage_id)
                if found is None:
                    repo.add(usage)
                    counts["added"] += 1
                elif found.entity != usage:
                    repo.save(usage, found.version)
                    counts["changed"] += 1
                else:
                    counts["unchanged"] += 1
        return dict(counts)

    result = run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=f"monthly-usage/{key}",
        command=COMMAND,
        payload=command_payload(
            usage=[
                (
                    h.account_id,
                    h.customer_class,
                    [(str(m), str(k)) for m, k in sorted(h.usage.items())],
                )
                for h in histories
            ]
        ),
        action=action,
    )
    return {name: int(str(value)) for name, value in result.items()}


def monthly_histories(make_unit_of_work: UnitOfWorkFactory) -> tuple[MonthlyHistory, ...]:
    """Return the stored usage as one history per account, sorted by account."""
    with make_unit_of_work() as uow:
        rows = [versioned.entity for versioned in uow.repository(MONTHLY_USAGE).query()]
    by_account: dict[str, list[MonthlyUsage]] = {}
    for row in rows:
        by_account.setdefault(row.account_id, []).append(row)
    return tuple(
        MonthlyHistory(
            account,
            {Month.parse(r.month): r.kwh for r in usage},
            usage[0].customer_class,
        )
        for account, usage in sorted(by_account.items())
    )


def record_sales_plan(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    plan: SalesPlan,
    month: Month,
    key: str,
    clock: Clock,
    note: str = "",
) -> int:
    """Store ``plan``'s lines of ``month`` once under ``key``; return the stored revision.

    Raises:
        NotFound: the plan has no line in ``month``.
        IdempotencyConflict: ``key`` was used with another plan.
    """
    lines = tuple(line for line in plan.lines if line.month == month)
    if not lines:
        raise NotFound("sales plan lines of month", str(month))

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        repo = uow.repository(SALES_PLANS)
        found = repo.find(str(month))
        if found is None:
            repo.add(StoredSalesPlan(month=str(month), revision=1, lines=lines, note=note))
            return {"revision": 1}
        if found.entity.lines == lines:
            return {"revision": found.entity.revision}
        revision = found.entity.revision + 1
        repo.save(
            StoredSalesPlan(month=str(month), revision=revision, lines=lines, note=note),
            found.version,
        )
        return {"revision": revision}

    result = run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=f"sales-plan/{key}",
        command=PLAN_COMMAND,
        payload=command_payload(
            month=str(month),
            note=note,
            lines=[(ln.account_id, ln.band, str(ln.kwh)) for ln in lines],
        ),
        action=action,
    )
    return int(str(result["revision"]))


def sales_plan_for(make_unit_of_work: UnitOfWorkFactory, month: Month) -> SalesPlan:
    """Return the stored sales plan of ``month``.

    Raises:
        NotFound: no plan is stored for the month.
    """
    with make_unit_of_work() as uow:
        return SalesPlan(uow.repository(SALES_PLANS).get(str(month)).entity.lines)
