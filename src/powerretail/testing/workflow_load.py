"""Drive the workflows hard on one store: concurrent payments, a cycle killed half-way.

Used by the done-means tests (bounded) and by ``benchmarks/`` (large):

* :func:`post_payment_plan` posts *every* payment of a plan through
  :func:`~powerretail.workflows.payments.post_payment` from several threads, each in its own
  seeded order, retrying whenever the file is busy or another writer won — run it in several
  processes at once; :func:`check_payment_plan` then proves none was lost and none posted twice
  (RELIABILITY R8) and every receivable still reconciles (R20).
* :func:`run_cycle_in_process` runs a billing cycle (the target of a process the test kills);
  :func:`check_cycle` proves a cycle left no duplicate, and every bill charged exactly once.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from datetime import date

from powerretail.adapters.clocks import SystemClock
from powerretail.adapters.sqlite import SqliteStore
from powerretail.billing.bill import BillState
from powerretail.ids import AccountId
from powerretail.quantities import sum_money
from powerretail.repositories.billing import BILLS
from powerretail.repositories.clock import Clock
from powerretail.repositories.payments import PAYMENTS, RECEIVABLES
from powerretail.testing.load import (
    KitStore,
    Payment,
    deliver_from_threads,
    open_store,
    payment_plan,
)
from powerretail.timeframe import DateRange
from powerretail.workflows.billing_cycle import CycleProgress, run_billing_cycle
from powerretail.workflows.payments import post_payment

__all__ = [
    "check_cycle",
    "check_payment_plan",
    "payment_plan",
    "post_payment_plan",
    "run_cycle_in_process",
]

PAID_ON = date(2025, 8, 20)


def post_payment_plan(
    path: str, plan: Sequence[Payment], *, threads: int = 1, seed: int = 0
) -> int:
    """Post every payment of ``plan`` through the workflow from ``threads`` threads.

    See :func:`~powerretail.testing.load.deliver_from_threads`; returns how many calls were made.
    """

    def post(store: KitStore, clock: Clock, payment: Payment) -> None:
        post_payment(
            store.unit_of_work,
            clock=clock,
            key=payment.key,
            account_id=AccountId(payment.account_id),
            amount=payment.amount,
            received_on=PAID_ON,
        )

    return deliver_from_threads(path, plan, post, threads=threads, seed=seed)


def check_payment_plan(path: str, plan: Sequence[Payment]) -> None:
    """Check that every payment of ``plan`` was posted exactly once, and receivables reconcile.

    Raises:
        AssertionError: a payment lost or posted twice, a receivable whose payments are not the
            sum of its account's, or one that does not reconcile.
    """
    store = open_store(path)
    try:
        with store.unit_of_work() as uow:
            posted = sorted(uow.repository(PAYMENTS).keys())
            expected = sorted(f"P-{payment.key}" for payment in plan)
            if posted != expected:
                raise AssertionError(f"{len(posted)} payments stored for {len(expected)} posted")
            for receivable, _version in uow.repository(RECEIVABLES).query():
                mine = [p.amount for p in plan if p.account_id == receivable.account_id]
                if receivable.paid != sum_money(mine) or not receivable.reconciles:
                    raise AssertionError(
                        f"{receivable.account_id}: paid {receivable.paid}, expected "
                        f"{sum_money(mine)}; reconciles: {receivable.reconciles}"
                    )
            events = [
                e
                for e in uow.outbox.unpublished(limit=10 * len(plan) + 1000)
                if e.event_type == "PaymentPosted"
            ]
            if len(events) != len(plan) or len({e.event_id for e in events}) != len(plan):
                raise AssertionError(f"{len(events)} PaymentPosted events for {len(plan)}")
    finally:
        store.close()


def run_cycle_in_process(path: str, start: str, end: str, *, kill_after: int = 0) -> None:
    """Run the billing cycle ``start``..``end`` on the store at ``path`` (a process target).

    ``path``: a SQLite file or a PostgreSQL DSN (:func:`~powerretail.testing.load.open_store`).
    With ``kill_after`` (> 0) the process kills itself with ``SIGKILL`` once that many accounts
    are done, while a write transaction that deletes every bill is still open: the point of the
    crash is the caller's, not the scheduler's, and the store must come back with those bills.
    """
    store = open_store(path, synchronous="NORMAL")

    def crash(step: CycleProgress) -> None:
        if step.done == kill_after:  # pragma: no cover - the process dies here
            _begin_deleting_every_bill(store)
            os.kill(os.getpid(), signal.SIGKILL)

    try:
        run_billing_cycle(
            store.unit_of_work,
            clock=SystemClock(),
            period=DateRange(start, end),
            issued_on=date.fromisoformat(end),
            progress=crash if kill_after > 0 else None,
        )
    finally:
        store.close()


def _begin_deleting_every_bill(store: KitStore) -> None:  # pragma: no cover - in a killed child
    """Open a write transaction that deletes every bill, and leave it uncommitted."""
    if isinstance(store, SqliteStore):
        store.begin().execute("DELETE FROM aggregates WHERE kind = ?", (BILLS.kind,))
        return
    from powerretail.adapters.postgres import PostgresStore  # noqa: PLC0415 - optional extra

    if isinstance(store, PostgresStore):
        connection = store.connect()
        connection.execute("BEGIN")
        connection.execute("DELETE FROM aggregates WHERE kind = %s", (BILLS.kind,))


def check_cycle(path: str, accounts: Sequence[str], period: DateRange) -> int:
    """Check the bills of ``period``: at most one per account, each charged and announced once.

    Returns how many accounts are billed.

    Raises:
        AssertionError: a duplicate bill, a charge or event missing or doubled, or a receivable
            that does not reconcile.
    """
    store = open_store(path)
    billed = 0
    try:
        with store.unit_of_work() as uow:
            bills = uow.repository(BILLS)
            receivables = uow.repository(RECEIVABLES)
            for account_id in accounts:
                mine = [b for b, _ in bills.query(account_id=account_id) if b.period == period]
                if len(mine) > 1:
                    raise AssertionError(f"{account_id}: {len(mine)} bills for {period}")
                receivable = receivables.get(AccountId(account_id)).entity
                charged = sum_money(b.total for b in mine if b.state is BillState.ISSUED)
                if receivable.issued != charged or not receivable.reconciles:
                    raise AssertionError(
                        f"{account_id}: issued {receivable.issued}, bills {charged}"
                    )
                for bill in mine:
                    events = uow.outbox.events_for(BILLS.kind, bill.bill_id)
                    if len(events) != 1:
                        raise AssertionError(f"{bill.bill_id}: {len(events)} events")
                billed += len(mine)
    finally:
        store.close()
    return billed
