"""Hammer one store (a SQLite file or a PostgreSQL DSN) with idempotent payments from many threads.

Used by the concurrency test (bounded) and by ``benchmarks/storage_concurrency.py`` (large): every
worker posts *every* payment of a plan, in its own seeded order, retrying whenever the file is
busy or another writer won — so each payment is delivered many times, concurrently. Afterwards
:func:`check_payments` proves none was lost and none applied twice (RELIABILITY R8).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Protocol

import attrs

from powerretail.adapters.clocks import SystemClock
from powerretail.adapters.sqlite import SqliteStore
from powerretail.errors import ConcurrencyConflict
from powerretail.ids import AccountId
from powerretail.quantities import Money, sum_money
from powerretail.repositories.clock import Clock
from powerretail.repositories.unit_of_work import UnitOfWork
from powerretail.testing.ledger import (
    LEDGER_ACCOUNTS,
    LEDGER_POSTINGS,
    open_ledger_account,
    post_to_ledger,
)

__all__ = [
    "KitStore",
    "Payment",
    "check_payments",
    "deliver_from_threads",
    "open_accounts",
    "open_store",
    "payment_plan",
    "post_payments",
]


class KitStore(Protocol):
    """What the load kits use of a store: units of work, and closing."""

    def unit_of_work(self) -> UnitOfWork: ...

    def close(self) -> None: ...


def open_store(location: str, **sqlite_options: Any) -> KitStore:
    """Open the store at ``location``: a PostgreSQL DSN (``postgresql://...``) or a SQLite path.

    ``sqlite_options`` go to :class:`SqliteStore` only. A DSN picks its schema with
    ``options=-c search_path=...``.
    """
    if location.startswith(("postgresql://", "postgres://")):
        from powerretail.adapters.postgres import PostgresStore  # noqa: PLC0415 - optional extra

        return PostgresStore(location, max_connections=16)
    return SqliteStore(location, **sqlite_options)


@attrs.frozen
class Payment:
    """One payment of a plan: its idempotency key, account and amount [元]."""

    key: str
    account_id: str
    amount: Money


def payment_plan(
    count: int, *, accounts: int | Sequence[str], seed: int = 0
) -> tuple[Payment, ...]:
    """Return ``count`` payments spread over ``accounts``, amounts drawn from ``seed``.

    ``accounts`` is either the account ids to use or how many to make up (``A-0000``, …).
    """
    ids = [f"A-{n:04d}" for n in range(accounts)] if isinstance(accounts, int) else accounts
    draw = random.Random(seed)
    return tuple(
        Payment(
            key=f"pay-{number:06d}",
            account_id=ids[number % len(ids)],
            amount=Money(Decimal(draw.randrange(1, 100_000)).scaleb(-2)),
        )
        for number in range(count)
    )


def open_accounts(path: str, plan: Sequence[Payment]) -> None:
    """Create the store at ``path`` and open every account of ``plan``."""
    store = SqliteStore(path, synchronous="NORMAL")
    for account_id in sorted({payment.account_id for payment in plan}):
        open_ledger_account(store.unit_of_work, account_id, holder=account_id)
    store.close()


def deliver_from_threads(
    path: str,
    plan: Sequence[Payment],
    post: Callable[[KitStore, Clock, Payment], object],
    *,
    threads: int = 1,
    seed: int = 0,
) -> int:
    """Call ``post`` for every payment of ``plan`` from ``threads`` threads, each in its own order.

    Each thread shuffles the plan with its own seed; busy files and lost races
    (:class:`ConcurrencyConflict`) are retried until each call returns. Return how many calls
    were made in all (each payment once per thread, plus retries). The first error a thread hit
    is raised once every thread has finished.
    """
    store = open_store(path, synchronous="NORMAL", busy_attempts=200)
    clock = SystemClock()
    calls = [0] * threads
    errors: list[BaseException] = []

    def work(index: int) -> None:
        order = list(plan)
        random.Random(seed * 1_000 + index).shuffle(order)
        try:
            for payment in order:
                while True:
                    calls[index] += 1
                    try:
                        post(store, clock, payment)
                        break
                    except ConcurrencyConflict:
                        continue
        except BaseException as err:
            errors.append(err)

    workers = [threading.Thread(target=work, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    store.close()
    if errors:
        raise errors[0]
    return sum(calls)


def post_payments(path: str, plan: Sequence[Payment], *, threads: int = 1, seed: int = 0) -> int:
    """Post every payment of ``plan`` to the sample ledger from ``threads`` threads.

    See :func:`deliver_from_threads`; returns how many calls were made in all.
    """

    def post(store: KitStore, clock: Clock, payment: Payment) -> None:
        post_to_ledger(
            store.unit_of_work,
            clock=clock,
            key=payment.key,
            account_id=payment.account_id,
            amount=payment.amount,
            attempts=50,
        )

    return deliver_from_threads(path, plan, post, threads=threads, seed=seed)


def check_payments(path: str, plan: Sequence[Payment]) -> None:
    """Check that every payment of ``plan`` was applied exactly once.

    Raises:
        AssertionError: a payment lost or applied twice, or a balance that is not the sum of
            its account's payments.
    """
    store = SqliteStore(path)
    with store.unit_of_work() as uow:
        postings = uow.repository(LEDGER_POSTINGS).query()
        posted = sorted(posting.posting_id for posting, _ in postings)
        expected = sorted(f"P-{payment.key}" for payment in plan)
        if posted != expected:
            raise AssertionError(f"{len(posted)} postings for {len(expected)} payments")
        for account, _version in uow.repository(LEDGER_ACCOUNTS).query():
            mine = [p.amount for p in plan if AccountId(p.account_id) == account.account_id]
            if account.balance != sum_money(mine) or account.postings != len(mine):
                raise AssertionError(
                    f"{account.account_id}: balance {account.balance} after "
                    f"{account.postings} postings; expected {sum_money(mine)} after {len(mine)}"
                )
        events = uow.outbox.unpublished(limit=len(plan) + 1)
        if len(events) != len(plan) or len({event.event_id for event in events}) != len(plan):
            raise AssertionError(f"{len(events)} events for {len(plan)} payments")
    store.close()
