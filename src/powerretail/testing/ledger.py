"""A small ledger: the sample aggregates the storage contract suite and the examples run on.

It belongs to the storage layer's own test kit, not to collections: a :class:`LedgerAccount`
holds a balance [元] and the energy paid for [kWh]; a :class:`LedgerPosting` is one idempotent
payment, refund or adjustment on it. Together they exercise everything storage must keep exactly:
money and energy as text, dates, aware instants, enums, optional nested values and tuples.

:func:`post_to_ledger` is a complete money-moving command: it runs once per idempotency key,
saves the account at the version it read, stores the posting and appends a ``LedgerPosted``
event in one unit of work.

>>> from powerretail.adapters.clocks import FixedClock
>>> from powerretail.adapters.memory import MemoryStore
>>> store, clock = MemoryStore(), FixedClock(pendulum.datetime(2025, 3, 1, tz="UTC"))
>>> open_ledger_account(store.unit_of_work, "A-1", holder="Wang")
>>> post_to_ledger(store.unit_of_work, clock=clock, key="pay-1", account_id="A-1",
...                amount=Money("100.00"))
{'posting_id': 'P-pay-1', 'balance': '100.00'}
>>> post_to_ledger(store.unit_of_work, clock=clock, key="pay-1", account_id="A-1",
...                amount=Money("100.00"))  # a retry: same result, no second posting
{'posting_id': 'P-pay-1', 'balance': '100.00'}
"""

from __future__ import annotations

import datetime as _dt
import enum
from datetime import date
from typing import Final

import attrs
import pendulum

from powerretail.errors import RuleViolation, describe_value
from powerretail.ids import AccountId, PaymentId
from powerretail.quantities import Energy, Money
from powerretail.repositories.aggregates import Aggregate
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import run_idempotent
from powerretail.repositories.events import DomainEvent, OutboxEvent
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.timeframe import DateRange, as_instant

__all__ = [
    "LEDGER_ACCOUNTS",
    "LEDGER_POSTINGS",
    "LEDGER_PROJECTIONS",
    "AccountClosed",
    "AccountStatus",
    "LedgerAccount",
    "LedgerPosting",
    "PostingKind",
    "close_ledger_account",
    "open_ledger_account",
    "post_to_ledger",
    "project_ledger_event",
]


_NO_ENERGY: Final = Energy(0)
_NO_MONEY: Final = Money.zero()


class AccountStatus(enum.Enum):
    """Whether a ledger account takes postings."""

    OPEN = "open"
    CLOSED = "closed"


class PostingKind(enum.Enum):
    """What a posting is."""

    PAYMENT = "payment"
    REFUND = "refund"
    ADJUSTMENT = "adjustment"


class AccountClosed(RuleViolation):
    """A posting was refused: the account is closed."""

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        super().__init__(account_id)

    def __str__(self) -> str:
        return f"ledger account {describe_value(self.account_id)} is closed"


def _instant(value: object) -> pendulum.DateTime:
    return as_instant(value, "posted_at")


@attrs.frozen(kw_only=True)
class LedgerPosting:
    """One payment, refund or adjustment on a ledger account.

    Attributes:
        posting_id: the posting's key.
        account_id: the account it is posted to.
        kind: payment, refund or adjustment.
        amount: the amount [元]; positive credits the account.
        energy: the energy it pays for [kWh].
        period: the billing period it pays for, if any.
        posted_at: when it was posted (aware).
        references: the documents it settles (bill ids), oldest first.
    """

    posting_id: PaymentId
    account_id: AccountId
    kind: PostingKind
    amount: Money
    energy: Energy = _NO_ENERGY
    period: DateRange | None = None
    posted_at: _dt.datetime = attrs.field(converter=_instant)
    references: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class LedgerAccount:
    """A ledger account: its balance [元] is the sum of its postings' amounts."""

    account_id: AccountId
    holder: str
    balance: Money = _NO_MONEY
    energy_paid_for: Energy = _NO_ENERGY
    opened_on: date = date(2025, 1, 1)
    status: AccountStatus = AccountStatus.OPEN
    postings: int = 0

    @classmethod
    def open(
        cls, account_id: str, *, holder: str, opened_on: date = date(2025, 1, 1)
    ) -> LedgerAccount:
        """Return a new open account with nothing posted."""
        return cls(account_id=AccountId(account_id), holder=holder, opened_on=opened_on)

    def post(self, posting: LedgerPosting) -> LedgerAccount:
        """Return the account with ``posting`` added to its balance.

        Raises:
            AccountClosed: the account is closed.
        """
        if self.status is AccountStatus.CLOSED:
            raise AccountClosed(self.account_id)
        return attrs.evolve(
            self,
            balance=self.balance + posting.amount,
            energy_paid_for=self.energy_paid_for + posting.energy,
            postings=self.postings + 1,
        )


#: Ledger accounts, queryable by status.
LEDGER_ACCOUNTS: Aggregate[AccountId, LedgerAccount] = Aggregate(
    kind="ledger_account", entity_type=LedgerAccount, key_field="account_id", indexed=("status",)
)
#: Ledger postings, queryable by account and kind.
LEDGER_POSTINGS: Aggregate[PaymentId, LedgerPosting] = Aggregate(
    kind="ledger_posting",
    entity_type=LedgerPosting,
    key_field="posting_id",
    indexed=("account_id", "kind"),
)
#: A consumer's read model of the ledger, fed by ``LedgerPosted`` events (same class, own kind).
LEDGER_PROJECTIONS: Aggregate[AccountId, LedgerAccount] = Aggregate(
    kind="ledger_projection", entity_type=LedgerAccount, key_field="account_id"
)


def open_ledger_account(
    make_unit_of_work: UnitOfWorkFactory, account_id: str, *, holder: str
) -> None:
    """Add a new open ledger account.

    Raises:
        VersionConflict: an account with this id exists.
    """
    with make_unit_of_work() as uow:
        uow.repository(LEDGER_ACCOUNTS).add(LedgerAccount.open(account_id, holder=holder))
        uow.commit()


def close_ledger_account(make_unit_of_work: UnitOfWorkFactory, account_id: str) -> None:
    """Close a ledger account: later postings to it are refused."""
    with make_unit_of_work() as uow:
        accounts = uow.repository(LEDGER_ACCOUNTS)
        account, version = accounts.get(AccountId(account_id))
        accounts.save(attrs.evolve(account, status=AccountStatus.CLOSED), version)
        uow.commit()


def post_to_ledger(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    account_id: str,
    amount: Money,
    energy: Energy = _NO_ENERGY,
    kind: PostingKind = PostingKind.PAYMENT,
    attempts: int = 5,
) -> dict[str, JsonValue]:
    """Post ``amount`` [元] to an account once per idempotency ``key``; return the new balance.

    Raises:
        CommandRefused: the account is closed (now, or when ``key`` was first used).
        IdempotencyConflict: ``key`` was used for another posting.
        NotFound: no such account (not stored: the same key may be retried once it exists).
        ConcurrencyConflict: other writers kept winning for ``attempts`` attempts.
    """
    payload: dict[str, JsonValue] = {
        "account_id": account_id,
        "amount": str(amount.amount),
        "currency": amount.currency,
        "energy_kwh": str(energy.kwh),
        "kind": kind.value,
    }

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        accounts = uow.repository(LEDGER_ACCOUNTS)
        account, version = accounts.get(AccountId(account_id))
        posting = LedgerPosting(
            posting_id=PaymentId(f"P-{key}"),
            account_id=AccountId(account_id),
            kind=kind,
            amount=amount,
            energy=energy,
            posted_at=clock.now(),
        )
        updated = account.post(posting)
        uow.repository(LEDGER_POSTINGS).add(posting)
        accounts.save(updated, version)
        uow.outbox.append(
            DomainEvent(
                event_id=f"E-{key}",
                aggregate_kind=LEDGER_ACCOUNTS.kind,
                aggregate_id=account_id,
                event_type="LedgerPosted",
                schema_major=1,
                payload={
                    "posting_id": posting.posting_id,
                    "amount": str(amount.amount),
                    "energy_kwh": str(energy.kwh),
                    "balance": str(updated.balance.amount),
                },
                occurred_at=posting.posted_at,
            )
        )
        return {"posting_id": posting.posting_id, "balance": str(updated.balance.amount)}

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="post_to_ledger",
        payload=payload,
        action=action,
        attempts=attempts,
    )


def project_ledger_event(uow: UnitOfWork, event: OutboxEvent) -> None:
    """Apply a ``LedgerPosted`` event to the consumer's read model (:data:`LEDGER_PROJECTIONS`).

    Use it as the handler of :func:`~powerretail.repositories.events.consume_once`.
    """
    projections = uow.repository(LEDGER_PROJECTIONS)
    account_id = AccountId(event.aggregate_id)
    amount = Money(str(event.payload["amount"]))
    energy = Energy(str(event.payload["energy_kwh"]))
    stored = projections.find(account_id)
    if stored is None:
        projections.add(
            LedgerAccount(
                account_id=account_id, holder="", balance=amount, energy_paid_for=energy, postings=1
            )
        )
        return
    account, version = stored
    projections.save(
        attrs.evolve(
            account,
            balance=account.balance + amount,
            energy_paid_for=account.energy_paid_for + energy,
            postings=account.postings + 1,
        ),
        version,
    )
