"""Dunning demo: an overdue account goes reminder → stop notice → stop → payment → restore.

A memory store holds one account with a 500.00 元 bill due on 10 March 2025. The day's dunning
runs on the days a supply office would run it, the customer pays, the crew restores supply; the
arrears register is printed before and after. Everything is stored as a real embedding would.

Run: python examples/dunning_demo.py
"""

from __future__ import annotations

from datetime import date, timedelta

import pendulum

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.collections.arrears import AccountArrears, arrears_register
from powerretail.quantities import Money
from powerretail.repositories.dunning import DUNNING_CASES, DUNNING_ORDERS
from powerretail.repositories.payments import RECEIVABLES, Receivable
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows.dunning import record_restoration, run_dunning
from powerretail.workflows.payments import post_payment

DUE = date(2025, 3, 10)
HEAD = Actor(id="h-1", name="Zhang", roles={"supply_office_head"})
CREW = Actor(id="crew-3", name="Wu", roles={"customer_service"})


def print_arrears(book: UnitOfWorkFactory, day: date) -> None:
    """Print what the account owes by ageing bucket."""
    with book() as uow:
        accounts = [
            AccountArrears.of(v.entity, classes={"A-1": "一般工商业"}, areas={"A-1": "T-017"})
            for v in uow.repository(RECEIVABLES).query()
        ]
    register = arrears_register(accounts, as_of=day)
    cells = ", ".join(f"{k} {m.amount}" for k, m in register.by_bucket().items() if m.amount)
    print(f"arrears on {day}: {register.total.amount} CNY ({cells or 'nothing owed'})")


def main() -> None:
    """Run the dunning days, pay, restore, and print each step."""
    store = MemoryStore()
    clock = FixedClock(pendulum.datetime(2025, 3, 1, 9, tz="Asia/Shanghai"))
    with store.unit_of_work() as uow:
        receivable = Receivable.open(account_id="A-1", customer_id="C-1")
        uow.repository(RECEIVABLES).add(receivable.charge("B-1", Money("500.00"), dated=DUE))
        uow.commit()
    book = store.unit_of_work
    for days in (1, 11, 21, 31, 34):
        day = DUE + timedelta(days=days)
        report = run_dunning(book, as_of=day, clock=clock, policy=SEED_POLICY, actor=HEAD)
        for _account, order_id, kind in report.orders:
            print(f"{day} (overdue day {days}): {kind:<12} {order_id}")
        if days == 31:
            print_arrears(book, day)
    paid_on = DUE + timedelta(days=35)
    clock.set(pendulum.datetime(2025, 4, 14, 11, 20, tz="Asia/Shanghai"))  # at the counter
    receipt = post_payment(
        book,
        clock=clock,
        key="counter-1",
        account_id="A-1",
        amount=Money("500.00"),
        received_on=paid_on,
    )
    with book() as uow:  # the payment itself issued the restore order: its clock runs
        for order_id in receipt.restore_orders:
            order = uow.repository(DUNNING_ORDERS).get(order_id).entity
            print(
                f"{paid_on}: paid; {order.kind.value} order due by {order.due_at} ({order.source})"
            )
    report = run_dunning(book, as_of=paid_on, clock=clock, policy=SEED_POLICY, actor=HEAD)
    assert report.orders == ()  # nothing left for the day's run
    restored_at = pendulum.datetime(2025, 4, 15, 10, tz="Asia/Shanghai")
    case = record_restoration(
        book, case_id="DUN-B-1", at=restored_at, clock=clock, policy=SEED_POLICY, actor=CREW
    )
    print(f"{restored_at}: {case.state.value}")
    print_arrears(book, paid_on)
    with book() as uow:
        stored = uow.repository(DUNNING_CASES).get("DUN-B-1").entity.case_with_history()
    print("history:")
    for record in stored.history:
        print(
            f"  {record.at}  {record.source.value} → {record.target.value}  by {record.by}: "
            f"{record.why}"
        )


if __name__ == "__main__":
    main()
