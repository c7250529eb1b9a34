"""The embedded SQLite store end to end: idempotent payments, a lost reply, events published once.

Run it with no arguments; it works in a temporary folder and removes it afterwards.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pendulum

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.sqlite import SqliteStore
from powerretail.errors import IdempotencyConflict
from powerretail.ids import AccountId
from powerretail.quantities import Energy, Money
from powerretail.repositories.events import OutboxEvent, consume_once, publish_pending
from powerretail.repositories.unit_of_work import UnitOfWork
from powerretail.testing.faults import FaultSchedule, InjectedFault
from powerretail.testing.ledger import (
    LEDGER_ACCOUNTS,
    LEDGER_PROJECTIONS,
    open_ledger_account,
    post_to_ledger,
    project_ledger_event,
)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "powerretail.sqlite")
        clock = FixedClock(pendulum.datetime(2025, 3, 1, 9, tz="Asia/Shanghai"))
        print(f"SQLite store, schema version {store.schema_version()}")
        open_ledger_account(store.unit_of_work, "A-1001", holder="Chen Jing")

        first = post_to_ledger(
            store.unit_of_work,
            clock=clock,
            key="gw-20250301-0001",
            account_id="A-1001",
            amount=Money("256.40"),
            energy=Energy("485.3"),
        )
        print(f"payment gw-20250301-0001 posted: balance {first['balance']} 元")

        # The gateway's retry of the same request: the stored result, nothing posted twice.
        again = post_to_ledger(
            store.unit_of_work,
            clock=clock,
            key="gw-20250301-0001",
            account_id="A-1001",
            amount=Money("256.40"),
            energy=Energy("485.3"),
        )
        print(f"the same request retried: balance {again['balance']} 元 (posted once)")

        # The same key with another amount is refused.
        try:
            post_to_ledger(
                store.unit_of_work,
                clock=clock,
                key="gw-20250301-0001",
                account_id="A-1001",
                amount=Money("2564.00"),
            )
        except IdempotencyConflict as conflict:
            print(f"refused: {conflict}")

        # A reply lost after the commit: the client cannot tell, retries, and gets the result.
        lossy = FaultSchedule(seed=1, before_commit="0", after_commit="1").wrap(store.unit_of_work)
        try:
            post_to_ledger(
                lossy, clock=clock, key="gw-20250301-0002", account_id="A-1001", amount=Money(100)
            )
        except InjectedFault as fault:
            print(f"{fault}; retrying")
        retried = post_to_ledger(
            store.unit_of_work,
            clock=clock,
            key="gw-20250301-0002",
            account_id="A-1001",
            amount=Money(100),
        )
        print(f"retry after the lost reply: balance {retried['balance']} 元")

        # Publish the outbox twice (as after a crash): the consumer applies each event once.
        def deliver(event: OutboxEvent) -> None:
            ran = consume_once(store.unit_of_work, "read-model", event, project_ledger_event)
            print(
                f"  event {event.event_type} #{event.sequence} of {event.aggregate_id}: "
                f"{'applied' if ran else 'duplicate, dropped'}"
            )

        published = publish_pending(store.unit_of_work, deliver)
        with store.unit_of_work() as uow:
            events = uow.outbox.events_for(LEDGER_ACCOUNTS.kind, "A-1001")
        for event in events:  # a redelivery, as if the broker repeated itself
            deliver(event)
        print(f"{published} events published")

        with store.unit_of_work() as uow:
            account = _balance(uow, "ledger")
            projected = _balance(uow, "projection")
        print(f"ledger balance {account.amount} 元, read model {projected.amount} 元")
        store.close()


def _balance(uow: UnitOfWork, which: str) -> Money:
    aggregate = LEDGER_ACCOUNTS if which == "ledger" else LEDGER_PROJECTIONS
    return uow.repository(aggregate).get(AccountId("A-1001")).entity.balance


if __name__ == "__main__":
    main()
