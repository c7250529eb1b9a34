"""A seeded simulation of billing and collections through injected faults (RELIABILITY R21).

:func:`simulate_billing` runs the workflows on a small synthetic book through a
:class:`~powerretail.testing.faults.FaultSchedule`: months of reads are stored and billed,
payments are posted (and re-posted, as a client retrying would), issued bills are corrected —
every call through units of work that fail before or after commit and deliveries made twice,
each retried like a client whose request timed out. After every step it checks:

* **R5** — an issued bill never changes: its content still matches its hash, and the hash is
  the one first seen; it is never issued again, only reversed;
* **R8** — each payment key took effect once: one stored payment, one ``PaymentPosted`` event,
  one charge per bill and one ``BillIssued`` (or ``BillHeld``) event per invoice;
* **R20** — per account and in total, issued − credited − paid − written off equals the open
  items less the account credit, and each total is the sum of the documents behind it.

>>> from powerretail.adapters.memory import MemoryStore
>>> report = simulate_billing(MemoryStore().unit_of_work, seed=3, steps=12)
>>> report.bills > 0 and report.faults_injected > 0
True
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

import attrs
import pendulum

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.billing.bill import Bill, BillKind, BillState
from powerretail.billing.lifecycle import verify
from powerretail.ids import AccountId, BillId
from powerretail.metering.meters import RegisterKind
from powerretail.quantities import Money, sum_money
from powerretail.repositories.billing import BILLS
from powerretail.repositories.metering import READS, read_key
from powerretail.repositories.payments import PAYMENTS, RECEIVABLES
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.testing.book import add_month_reads, seed_book
from powerretail.testing.faults import (
    FaultSchedule,
    reporting_seed,
    require_invariant,
    retry_through_faults,
)
from powerretail.timeframe import DEFAULT_TIMEZONE, DateRange
from powerretail.workflows.billing_cycle import bill_account
from powerretail.workflows.corrections import correct_bill
from powerretail.workflows.ledger import ledger_problems
from powerretail.workflows.payments import post_payment

__all__ = ["BillingSimulationReport", "simulate_billing"]

R = TypeVar("R")
_FIRST = DateRange.month(2025, 7)
#: The simulation's billing auditor, who corrects the misread bills.
_AUDITOR = Actor(id="simulation", name="Simulated billing auditor", roles={"billing_auditor"})


@attrs.frozen(kw_only=True)
class BillingSimulationReport:
    """What a simulation did."""

    seed: int
    steps: int
    bills: int
    payments: int
    corrections: int
    faults_injected: int


def _month(number: int) -> DateRange:
    start = _FIRST.start + timedelta(days=32 * (number - 1))
    return DateRange.month(start.year, start.month)


@attrs.define
class _World:
    """What the simulation expects: the hashes of issued bills and the payments accepted."""

    accounts: tuple[str, ...]
    months: dict[str, int]
    hashes: dict[str, str] = attrs.field(factory=dict)
    payments: dict[str, tuple[str, Money]] = attrs.field(factory=dict)
    corrections: int = 0


def simulate_billing(
    make_unit_of_work: UnitOfWorkFactory, *, seed: int, steps: int = 40, accounts: int = 3
) -> BillingSimulationReport:
    """Run a seeded simulation of billing and payments through injected faults; check invariants.

    The store behind ``make_unit_of_work`` must be empty.

    Raises:
        InvariantBroken: an invariant failed (the seed is in the error's notes and printed).
    """
    schedule = FaultSchedule(seed)
    with reporting_seed(schedule):
        return _simulate(make_unit_of_work, schedule, steps, accounts)


def _simulate(
    make_unit_of_work: UnitOfWorkFactory, schedule: FaultSchedule, steps: int, accounts: int
) -> BillingSimulationReport:
    choose = random.Random(schedule.seed ^ 0xB111)
    clock = FixedClock(pendulum.datetime(2025, 8, 1, 9, tz=DEFAULT_TIMEZONE))
    ids = seed_book(make_unit_of_work, count=accounts, start=_FIRST.start)
    world = _World(accounts=ids, months=dict.fromkeys(ids, 0))
    faulty = schedule.wrap(make_unit_of_work)
    for step in range(steps):
        account = choose.choice(ids)
        action = choose.choice(("bill", "bill", "pay", "pay", "repay", "correct"))
        if action == "bill":
            _bill(faulty, schedule, clock, world, account)
        elif action == "pay":
            key = f"pay-{step}"
            amount = Money(Decimal(choose.randrange(1, 50_000)).scaleb(-2))
            _pay(faulty, schedule, clock, world, key=key, account=account, amount=amount)
        elif action == "repay" and world.payments:
            key = choose.choice(sorted(world.payments))
            paid_by, paid = world.payments[key]
            _pay(faulty, schedule, clock, world, key=key, account=paid_by, amount=paid)
        elif action == "correct":
            _correct(make_unit_of_work, faulty, schedule, clock, world, account=account, step=step)
        _check(make_unit_of_work, world)
    return BillingSimulationReport(
        seed=schedule.seed,
        steps=steps,
        bills=len(world.hashes),
        payments=len(world.payments),
        corrections=world.corrections,
        faults_injected=len(schedule.injected),
    )


def _bill(
    faulty: UnitOfWorkFactory,
    schedule: FaultSchedule,
    clock: FixedClock,
    world: _World,
    account: str,
) -> None:
    number = world.months[account] + 1
    period = _month(number)
    assert period.end is not None
    retry_through_faults(lambda: add_month_reads(faulty, (account,), period, month=number))
    retry_through_faults(
        lambda: schedule.deliver(
            bill_account,
            faulty,
            clock=clock,
            account_id=account,
            period=period,
            issued_on=period.end,
        )
    )
    world.months[account] = number


def _pay(
    faulty: UnitOfWorkFactory,
    schedule: FaultSchedule,
    clock: FixedClock,
    world: _World,
    *,
    key: str,
    account: str,
    amount: Money,
) -> None:
    retry_through_faults(
        lambda: schedule.deliver(
            post_payment,
            faulty,
            clock=clock,
            key=key,
            account_id=account,
            amount=amount,
            received_on=date(2025, 8, 20),
        )
    )
    world.payments[key] = (account, amount)


def _correct(
    make_unit_of_work: UnitOfWorkFactory,
    faulty: UnitOfWorkFactory,
    schedule: FaultSchedule,
    clock: FixedClock,
    world: _World,
    *,
    account: str,
    step: int,
) -> None:
    with make_unit_of_work() as uow:
        issued = [
            bill
            for bill, _ in uow.repository(BILLS).query(account_id=account, state=BillState.ISSUED)
            if bill.kind is BillKind.INVOICE
        ]
    if not issued:
        return
    bill = issued[0]
    assert bill.period.end is not None
    at = pendulum.datetime(
        bill.period.end.year, bill.period.end.month, bill.period.end.day, tz=DEFAULT_TIMEZONE
    )
    with make_unit_of_work() as uow:  # the peak register was misread by 5
        reads = uow.repository(READS)
        stored, version = reads.get(read_key(f"M-{account}", RegisterKind.PEAK, at))
        read = attrs.evolve(stored.read, value=stored.read.value + 5)
        reads.save(attrs.evolve(stored, read=read), version)
        uow.commit()
    retry_through_faults(
        lambda: schedule.deliver(
            correct_bill,
            faulty,
            clock=clock,
            key=f"fix-{step}",
            bill_id=bill.bill_id,
            on=bill.period.end,
            actor=_AUDITOR,
            policy=SEED_POLICY,
            why="peak register misread by 5",
        )
    )
    world.corrections += 1


def _check(make_unit_of_work: UnitOfWorkFactory, world: _World) -> None:
    totals = {"issued": Money.zero(), "credited": Money.zero(), "paid": Money.zero()}
    balance = Money.zero()
    with make_unit_of_work() as uow:
        for account in world.accounts:
            bills: list[Bill] = [b for b, _ in uow.repository(BILLS).query(account_id=account)]
            for bill in bills:
                if bill.state in (BillState.ISSUED, BillState.REVERSED):
                    verify(bill)  # R5: content still matches its hash
                    first = world.hashes.setdefault(bill.bill_id, str(bill.content_hash))
                    require_invariant(
                        first == bill.content_hash, f"R5: {bill.bill_id} changed after issue"
                    )
                else:
                    require_invariant(
                        bill.bill_id not in world.hashes, f"R5: {bill.bill_id} un-issued"
                    )
                if bill.kind is BillKind.INVOICE:
                    events = [
                        e.event_type
                        for e in uow.outbox.events_for(BILLS.kind, bill.bill_id)
                        if e.event_type in ("BillIssued", "BillHeld")
                    ]
                    require_invariant(
                        len(events) == 1, f"R8: {bill.bill_id} announced {len(events)}×"
                    )
            charged = sum_money(
                b.total
                for b in bills
                if b.kind is not BillKind.CREDIT_NOTE
                and b.state in (BillState.ISSUED, BillState.REVERSED)
                and b.total.amount > 0
            )
            credited = sum_money(-b.total for b in bills if b.kind is BillKind.CREDIT_NOTE)
            mine = [amount for key, (a, amount) in world.payments.items() if a == account]
            stored = [p for p, _ in uow.repository(PAYMENTS).query(account_id=account)]
            require_invariant(
                sorted(p.payment_id for p in stored)
                == sorted(f"P-{k}" for k, (a, _) in world.payments.items() if a == account),
                f"R8: {account} has payments {[p.payment_id for p in stored]}",
            )
            posted = [
                e
                for e in uow.outbox.events_for(RECEIVABLES.kind, account)
                if e.event_type == "PaymentPosted"
            ]
            require_invariant(
                len(posted) == len(mine), f"R8: {account}: {len(posted)} PaymentPosted"
            )
            receivable = uow.repository(RECEIVABLES).get(AccountId(account)).entity
            require_invariant(
                receivable.reconciles, f"R20: {account} does not reconcile: {receivable}"
            )
            require_invariant(
                receivable.issued == charged, f"R20: {account} issued {receivable.issued}"
            )
            require_invariant(
                receivable.credited == credited, f"R20: {account} credited {receivable.credited}"
            )
            require_invariant(
                receivable.paid == sum_money(mine), f"R20: {account} paid {receivable.paid}"
            )
            require_invariant(receivable.written_off.is_zero(), f"R20: {account} wrote off")
            totals["issued"] += receivable.issued
            totals["credited"] += receivable.credited
            totals["paid"] += receivable.paid
            balance += receivable.balance
        for bill_id in world.hashes:
            require_invariant(
                uow.repository(BILLS).find(BillId(bill_id)) is not None, f"R5: {bill_id} lost"
            )
    require_invariant(
        totals["issued"] - totals["credited"] - totals["paid"] == balance,
        f"R20: in total {totals} against balance {balance}",
    )
    for problem in ledger_problems(make_unit_of_work):
        require_invariant(False, f"R9: {problem}")
