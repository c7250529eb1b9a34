"""Move a customer in (open an account at a service point) and out (final bill, account closed).

:func:`move_out` stores the final reads, bills the last period prorated to the day of move-out
(``closed_on``: the engine bills only the days with service), closes the account and its billing
profile, and adds an entry to the customer's contact record (苏州供电公司大客户管理: every contact
recorded).
What the account owes stays on its receivable — with the customer who incurred it, never passed
to whoever moves in next.

:func:`move_in` opens an account: the customer (if new), the account, its billing profile, its
meters and first reads, and an empty receivable holding a deposit — held only where the deposit
rules allow one (:func:`~powerretail.collections.deposits.deposit_basis`: the 1996 rules, or a
contract clause from 2024-06-01) and posted to the ledger (Dr bank, Cr deposits held). When the
same customer moves out of another account on the day it moves in (a move between premises),
``carry_deposit_from`` carries that account's deposit over instead of asking for a new one (posted
as a deposit transfer).

Both run once per idempotency key and announce ``CustomerMovedOut`` / ``CustomerMovedIn``. Their
steps are shared with a change of name (过户, :mod:`powerretail.workflows.change_of_use`), which
closes the old holder's account as a move-out does (:func:`close_with_final_bill`,
:func:`record_move_contact`) and opens the new holder's as a move-in does
(:func:`open_account_records`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import attrs

from powerretail.billing.bill import Bill
from powerretail.billing.lifecycle import PlausibilityBounds
from powerretail.collections.deposits import (
    MOVE_SOURCE,
    MovementKind,
    deposit_basis,
)
from powerretail.customers.contacts import Channel, record_contact
from powerretail.customers.parties import Account, Customer
from powerretail.errors import InvalidInput, RuleViolation
from powerretail.ids import AccountId, CustomerId
from powerretail.metering.meters import Meter
from powerretail.metering.reads import RegisterRead
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLING_PROFILES, BillingProfile
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import run_idempotent
from powerretail.repositories.customers import ACCOUNTS, CONTACT_RECORDS, CUSTOMERS
from powerretail.repositories.metering import METERS, READS, StoredRead, read_key
from powerretail.repositories.payments import RECEIVABLES, Receivable
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.timeframe import DEFAULT_TIMEZONE, DateRange
from powerretail.workflows._common import TariffEngines, announce, draft_bill
from powerretail.workflows.billing_cycle import (
    BillingPeriodOverlaps,
    claim_period,
    issue_and_charge,
    unused_bill_id,
)
from powerretail.workflows.collections import move_held_deposit, record_deposit_movement
from powerretail.workflows.ledger import post_deposit_held

__all__ = [
    "DepositNotCarried",
    "close_with_final_bill",
    "move_in",
    "move_out",
    "open_account_records",
    "record_move_contact",
    "store_reads_as_given",
]


class DepositNotCarried(RuleViolation):
    """A deposit is carried over only from the same customer's account closed the same day."""

    def __init__(self, account_id: str, reason: str) -> None:
        self.account_id = account_id
        self.reason = reason
        super().__init__(account_id, reason)

    def __str__(self) -> str:
        return f"cannot carry the deposit of account {self.account_id!r}: {self.reason}"


def store_reads_as_given(uow: UnitOfWork, reads: Sequence[RegisterRead]) -> int:
    """Store ``reads`` as billable (a read already stored under its key is left alone).

    For reads taken on site at a move (by the staff doing it); submit meter-reading rounds
    through :func:`powerretail.workflows.reads.submit_reads`, which validates them. Returns
    how many were added.
    """
    repository = uow.repository(READS)
    added = 0
    for read in reads:
        key = read_key(read.meter_id, read.register, read.read_at)
        if repository.find(key) is None:
            repository.add(StoredRead(read_id=key, meter_id=read.meter_id, read=read))
            added += 1
    return added


def _final_period(on: date) -> DateRange:
    last = on - timedelta(days=1)
    return DateRange.month(last.year, last.month)


def close_with_final_bill(
    uow: UnitOfWork,
    *,
    command: str,
    key: str,
    clock: Clock,
    account_id: str,
    on: date,
    final_reads: Sequence[RegisterRead],
    by: str,
    bounds: PlausibilityBounds | None = None,
    zone: str = DEFAULT_TIMEZONE,
) -> tuple[Account, Bill]:
    """Close ``account_id`` in ``uow`` on ``on`` with its final bill: what a move-out does.

    The final reads are stored; the month of the last day of service is billed to the day (the
    id the billing cycle would give that month, past a discarded held bill), unless the cycle
    already billed it; the account is closed and its billing profile closed and made inactive.
    The bill is issued and charged as ``command`` under ``key`` (its ``BillIssued`` event).
    Returns the account as it was and the final bill. Shared by :func:`move_out` and a change
    of name (:func:`~powerretail.workflows.change_of_use.carry_out_change_of_use`).

    Raises:
        RuleViolation: the account is already closed.
        BillingPeriodOverlaps: another bill covers days of the final month before ``on``.
        ReadsMissing: the final reads (or the reads of the period's start) are missing.
    """
    accounts = uow.repository(ACCOUNTS)
    account, account_version = accounts.get(AccountId(account_id))
    if account.closed_on is not None:
        raise RuleViolation(f"account {account_id} was closed on {account.closed_on}")
    period = _final_period(on)
    bill_id = unused_bill_id(uow, account_id, period)  # past a discarded held bill
    served = DateRange(period.start, on)  # the days the final bill may bill
    billed = claim_period(uow, account_id=account_id, period=served, bill_id=bill_id)
    profiles = uow.repository(BILLING_PROFILES)
    profile, profile_version = profiles.get(AccountId(account_id))
    store_reads_as_given(uow, final_reads)
    closing = attrs.evolve(profile, facts=attrs.evolve(profile.facts, closed_on=on))
    if billed is not None:  # the cycle already billed the last month of service
        bill = billed
    else:
        draft = draft_bill(
            uow,
            profile=closing,
            period=period,
            engines=TariffEngines(),
            bill_id=bill_id,
            zone=zone,
        )
        bill = issue_and_charge(
            uow,
            draft=draft,
            profile=closing,
            command=command,
            key=key,
            clock=clock,
            issued_on=on,
            by=by,
            bounds=bounds,
        )
    accounts.save(attrs.evolve(account, closed_on=on), account_version)
    profiles.save(attrs.evolve(closing, active=False), profile_version)
    return account, bill


def record_move_contact(
    uow: UnitOfWork, *, customer_id: str, by: str, at: datetime, channel: Channel, what: str
) -> None:
    """Add ``what`` to the contact record of ``customer_id`` in ``uow`` (every move is recorded).

    Source: 苏州供电公司客户迁出 5.主要控制点 (每一次迁出的发生都需要进行客户接触记录).
    """
    contacts = uow.repository(CONTACT_RECORDS)
    holder = CustomerId(customer_id)
    stored = contacts.find(holder)
    record = record_contact(
        None if stored is None else stored.entity,
        customer_id=holder,
        who=by,
        at=at,
        channel=channel,
        what=what,
    )
    if stored is None:
        contacts.add(record)
    else:
        contacts.save(record, stored.version)


def open_account_records(
    uow: UnitOfWork,
    *,
    customer: Customer | None,
    account: Account,
    profile: BillingProfile,
    meters: Sequence[Meter] = (),
    initial_reads: Sequence[RegisterRead] = (),
    deposit: Money | None = None,
) -> Receivable:
    """Store in ``uow`` what a new account needs: what a move-in does before its deposit.

    The customer (when given and not stored yet), the account, its billing profile (for the
    account's holder, active, ``opened_on`` the account's first day so the first bill is
    prorated), the meters not stored yet, the first reads and the account's receivable (holding
    ``deposit``, posted by the caller). Returns the receivable stored.
    """
    if customer is not None:
        customers = uow.repository(CUSTOMERS)
        if customers.find(customer.id) is None:
            customers.add(customer)
    uow.repository(ACCOUNTS).add(account)
    uow.repository(BILLING_PROFILES).add(
        attrs.evolve(
            profile,
            account_id=account.id,
            customer_id=account.customer_id,
            facts=attrs.evolve(profile.facts, opened_on=account.opened_on),
            active=True,
        )
    )
    meter_repository = uow.repository(METERS)
    for meter in meters:
        if meter_repository.find(meter.id) is None:
            meter_repository.add(meter)
    store_reads_as_given(uow, initial_reads)
    receivable = Receivable.open(
        account_id=account.id, customer_id=account.customer_id, deposit=deposit
    )
    uow.repository(RECEIVABLES).add(receivable)
    return receivable


def move_out(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    account_id: str,
    on: date,
    final_reads: Sequence[RegisterRead],
    by: str,
    channel: Channel = Channel.COUNTER,
    note: str = "",
    bounds: PlausibilityBounds | None = None,
    zone: str = DEFAULT_TIMEZONE,
) -> dict[str, JsonValue]:
    """Move the customer of ``account_id`` out on ``on`` (the first day without service).

    The final bill covers the month of the last day of service, prorated to the day; it has the
    id the billing cycle would give that month (past a discarded held bill of the month:
    :func:`~powerretail.workflows.billing_cycle.unused_bill_id`), so the month is never billed
    twice (when the cycle already billed it — a move-out on the first of a month — that bill, or
    the rebill that replaced it, is the final one). When another bill covers days of that month
    before ``on`` (a cycle over 1–15 July), the move-out is refused and nothing changes, as a
    billing cycle is (R4).

    Returns ``{bill_id, state, total, balance}``.

    Raises:
        ReadsMissing: the final reads (or the reads of the period's start) are missing.
        BillingPeriodOverlaps: another issued or held bill covers days of the final month
            before ``on`` (nothing is recorded: once that bill is discarded, the same key
            moves out).
        CommandRefused: the account is already closed, or the bill cannot be made (stored).
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        account, bill = close_with_final_bill(
            uow,
            command="move_out",
            key=key,
            clock=clock,
            account_id=account_id,
            on=on,
            final_reads=final_reads,
            by=by,
            bounds=bounds,
            zone=zone,
        )
        at = clock.now()
        what = (
            f"move-out of account {account_id} on {on}: final bill {bill.bill_id} "
            f"{bill.total} ({bill.state.value})"
        ) + (f"; {note}" if note else "")
        record_move_contact(
            uow, customer_id=account.customer_id, by=by, at=at, channel=channel, what=what
        )
        balance = uow.repository(RECEIVABLES).get(AccountId(account_id)).entity.balance
        result: dict[str, JsonValue] = {
            "bill_id": bill.bill_id,
            "state": bill.state.value,
            "total": str(bill.total.amount),
            "balance": str(balance.amount),
        }
        announce(
            uow,
            command="move_out",
            key=key,
            kind=ACCOUNTS.kind,
            aggregate_id=account_id,
            event_type="CustomerMovedOut",
            payload={**result, "customer_id": account.customer_id, "on": on.isoformat()},
            at=at,
        )
        return result

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="move_out",
        payload={"account_id": account_id, "on": on.isoformat()},
        action=action,
        unrecorded=(BillingPeriodOverlaps,),
    )


def _hold_deposit(
    uow: UnitOfWork, *, key: str, account: Account, deposit: Money, clause: str | None, at: datetime
) -> None:
    basis = deposit_basis(account.opened_on, contract_clause=clause)
    post_deposit_held(
        uow, key=key, account_id=account.id, amount=deposit, at=at, dated=account.opened_on
    )
    record_deposit_movement(
        uow,
        key=key,
        account_id=account.id,
        kind=MovementKind.HELD,
        amount=deposit,
        on=account.opened_on,
        basis=basis,
        detail="电费保证金 held at move-in",
    )


def _carry_deposit(
    uow: UnitOfWork, *, key: str, source: str, account: Account, at: datetime
) -> None:
    closed = uow.repository(ACCOUNTS).get(AccountId(source)).entity
    if closed.customer_id != account.customer_id:
        raise DepositNotCarried(source, f"it belongs to customer {closed.customer_id}")
    if closed.closed_on != account.opened_on:
        raise DepositNotCarried(
            source, f"it closed on {closed.closed_on}, not on the move-in day {account.opened_on}"
        )
    if uow.repository(RECEIVABLES).get(AccountId(source)).entity.deposit.amount > 0:
        move_held_deposit(
            uow,
            key=key,
            from_account=source,
            to_account=account.id,
            on=account.opened_on,
            at=at,
            basis=MOVE_SOURCE,
        )


def move_in(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    customer: Customer,
    account: Account,
    profile: BillingProfile,
    meters: Sequence[Meter] = (),
    initial_reads: Sequence[RegisterRead] = (),
    deposit: Money | None = None,
    carry_deposit_from: str | None = None,
    deposit_clause: str | None = None,
) -> dict[str, JsonValue]:
    """Open ``account`` for ``customer`` from ``account.opened_on``, once for ``key``.

    The customer and meters are added if not stored yet; the profile is stored with
    ``opened_on`` set to the move-in day, so the first bill is prorated. Returns
    ``{account_id, customer_id, deposit}``. A ``deposit`` is held only where the rules in force
    on the move-in day allow one, or the supply contract agrees one (``deposit_clause``, needed
    from 2024-06-01); it is posted as received into the bank.

    Raises:
        DepositRefused: a deposit the rules do not allow (stored as a refusal, raised as
            ``CommandRefused``).
        InvalidInput: ``deposit`` is below zero (nothing stored).
        DepositNotCarried: ``carry_deposit_from`` is another customer's account or was not
            closed on the move-in day (stored as a refusal, raised as ``CommandRefused``).
        VersionConflict: the account is already stored (after the retries of a conflict).
    """

    if deposit is not None and (not isinstance(deposit, Money) or deposit.amount < 0):
        raise InvalidInput("deposit", deposit, "Money of zero or more")

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        receivable = open_account_records(
            uow,
            customer=customer,
            account=account,
            profile=profile,
            meters=meters,
            initial_reads=initial_reads,
            deposit=deposit,
        )
        at = clock.now()
        if deposit is not None and deposit.amount > 0:
            _hold_deposit(
                uow, key=key, account=account, deposit=deposit, clause=deposit_clause, at=at
            )
        if carry_deposit_from is not None:
            _carry_deposit(uow, key=key, source=carry_deposit_from, account=account, at=at)
            receivable = uow.repository(RECEIVABLES).get(account.id).entity
        result: dict[str, JsonValue] = {
            "account_id": account.id,
            "customer_id": account.customer_id,
            "deposit": str(receivable.deposit.amount),
        }
        announce(
            uow,
            command="move_in",
            key=key,
            kind=ACCOUNTS.kind,
            aggregate_id=account.id,
            event_type="CustomerMovedIn",
            payload={**result, "on": account.opened_on.isoformat()},
            at=clock.now(),
        )
        return result

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="move_in",
        payload={
            "account_id": account.id,
            "customer_id": account.customer_id,
            "opened_on": account.opened_on.isoformat(),
            "deposit": None if deposit is None else str(deposit.amount),
            "carry_deposit_from": carry_deposit_from,
        }
        | ({} if deposit_clause is None else {"deposit_clause": deposit_clause}),
        action=action,
    )
