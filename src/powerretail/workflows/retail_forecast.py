"""Store the monthly usage the retail forecasts read, and read it back.

:func:`record_monthly_usage` stores histories (:class:`~powerretail.retail.forecast.
MonthlyHistory`) in one unit of work under the idempotency key ``monthly-usage/{key}``: a month
not yet stored is added, one stored with other energy is replaced (a corrected meter read), one
stored the same is left alone. :func:`monthly_histories` returns the stored usage as histories.
"""

from __future__ import annotations

from collections.abc import Sequence

from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import command_payload, run_idempotent
from powerretail.repositories.retail_forecast import MONTHLY_USAGE, MonthlyUsage
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.retail.forecast import Month, MonthlyHistory

__all__ = ["COMMAND", "monthly_histories", "record_monthly_usage"]

#: The command name of recording monthly usage.
COMMAND = "retail_monthly_usage"


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
