"""The ledger in the workflows: the hooks money-moving commands post through, and the readers.

Each money-moving workflow calls one hook here inside its own unit of work, with the receivable
before and after its change, so the entries commit with the movement (RELIABILITY R9):
:func:`post_bill` (a bill or rebill issued, and the account credit it took),
:func:`post_credit_note`, :func:`post_payment_entries` (the payment and its allocation),
:func:`post_late_fee`, :func:`post_write_off`, and the deposit's :func:`post_deposit_held`,
:func:`post_deposit_applied`, :func:`post_deposit_transfer` and :func:`post_deposit_refund`.
The hooks are idempotent: a retried command posts nothing more
(:func:`~powerretail.repositories.ledger.post`).

:func:`trial_balance_of` and :func:`statement_of` read the ledger; :func:`ledger_problems`
checks that it balances and folds to the stored receivables; :func:`reverse_posting` corrects a
cash posting by a compensating one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import attrs

from powerretail.billing.bill import Bill
from powerretail.collections.allocation import Allocation, ItemKind, OpenItem
from powerretail.collections.ledger import (
    BANK,
    CUSTOMER_CREDIT,
    DEPOSITS_IN_TRANSFER,
    RECEIVABLE,
    AccountBalance,
    LedgerPosting,
    allocation_applied,
    bill_issued,
    credit_note_posted,
    deposit_applied,
    deposit_held,
    deposit_of,
    deposit_refunded,
    deposit_transferred,
    late_fee_charged,
    opening_balance,
    payment_received,
    receivable_of,
    refund_paid,
    reversal,
    trial_balance,
    write_off_posted,
)
from powerretail.errors import InvalidInput, RuleViolation, describe_value
from powerretail.ids import AccountId
from powerretail.quantities import Money
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import run_idempotent
from powerretail.repositories.ledger import (
    LEDGER_HEADS,
    LEDGER_POSTINGS,
    LedgerHead,
    post,
    post_all,
    postings_of,
)
from powerretail.repositories.payments import RECEIVABLES, Payment, Receivable
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.workflows._common import announce

__all__ = [
    "CreditTooSmall",
    "NotReversible",
    "bill_lines",
    "ledger_problems",
    "open_ledger",
    "post_bill",
    "post_credit_note",
    "post_deposit_applied",
    "post_deposit_held",
    "post_deposit_refund",
    "post_deposit_transfer",
    "post_late_fee",
    "post_payment_entries",
    "post_write_off",
    "refund_credit",
    "reverse_posting",
    "statement_of",
    "trial_balance_of",
]


def bill_lines(bill: Bill) -> dict[str, Money]:
    """Return ``bill``'s amounts by component (line code), lines of one code summed."""
    lines: dict[str, Money] = {}
    for line in bill.lines:
        lines[line.code] = lines.get(line.code, Money.zero(bill.currency)) + line.amount
    return lines


def post_bill(
    uow: UnitOfWork, bill: Bill, *, before: Receivable, after: Receivable, due: date, at: datetime
) -> None:
    """Post ``bill`` issued and charged (``before`` → ``after``): the bill, then credit it took.

    Call it only for a bill charged (a total above zero).
    """
    posting_id = f"bill/{bill.bill_id}"
    post_all(
        uow,
        [
            bill_issued(
                bill.bill_id, party=bill.account_id, lines=bill_lines(bill), due=due, at=at
            ),
            _credit_applied(
                posting_id,
                party=bill.account_id,
                bill_id=bill.bill_id,
                kind=ItemKind.PRINCIPAL,
                before=before,
                after=after,
                at=at,
                dated=due,
                memo=f"account credit applied to bill {bill.bill_id}",
            ),
        ],
    )


def _credit_applied(
    posting_id: str,
    *,
    party: str,
    bill_id: str,
    kind: ItemKind,
    before: Receivable,
    after: Receivable,
    at: datetime,
    dated: date,
    memo: str,
) -> LedgerPosting | None:
    """Return the posting of the account credit a charge took (``before`` → ``after``).

    Posted as ``{posting_id}/credit``: the credit that went down, allocated to ``bill_id``'s
    item of ``kind`` (settled when ``after`` has no such item).
    """
    return allocation_applied(
        f"{posting_id}/credit",
        party=party,
        allocations=[
            Allocation(
                bill_id=bill_id,
                kind=kind,
                amount=before.credit - after.credit,
                settles_item=after.item(bill_id, kind) is None,
            )
        ],
        at=at,
        dated=dated,
        memo=memo,
    )


def post_credit_note(
    uow: UnitOfWork,
    note: Bill,
    *,
    corrects: str,
    before: Receivable,
    after: Receivable,
    at: datetime,
    dated: date,
) -> None:
    """Post credit note ``note`` against bill ``corrects`` (``before`` → ``after``).

    Call it only for a credit note that credits (a total below zero).
    """
    owed_before = before.item(corrects)
    owed_after = after.item(corrects)
    zero = Money.zero(note.currency)
    reduced = (owed_before.amount if owed_before else zero) - (
        owed_after.amount if owed_after else zero
    )
    post(
        uow,
        credit_note_posted(
            note.bill_id,
            party=note.account_id,
            corrects=corrects,
            lines=bill_lines(note),
            reduced=reduced,
            at=at,
            dated=dated,
        ),
    )


def _payment_allocation(
    payment: Payment, posting_id: str, *, at: datetime, memo: str
) -> LedgerPosting | None:
    """Return the posting allocating ``payment`` to open items (``{posting_id}/allocation``)."""
    return allocation_applied(
        f"{posting_id}/allocation",
        party=payment.account_id,
        allocations=payment.allocations,
        at=at,
        dated=payment.received_on,
        memo=memo,
    )


def post_payment_entries(uow: UnitOfWork, payment: Payment, *, at: datetime, into: str) -> None:
    """Post ``payment`` received ``into`` cash or bank, then its allocation to open items."""
    posting_id = f"payment/{payment.payment_id}"
    post_all(
        uow,
        [
            payment_received(
                payment.payment_id,
                party=payment.account_id,
                amount=payment.amount,
                at=at,
                received_on=payment.received_on,
                into=into,
            ),
            _payment_allocation(
                payment, posting_id, at=at, memo=f"payment {payment.payment_id} allocated"
            ),
        ],
    )


def post_late_fee(
    uow: UnitOfWork,
    *,
    key: str,
    bill_id: str,
    before: Receivable,
    after: Receivable,
    at: datetime,
    dated: date,
) -> None:
    """Post the late fee charged on ``bill_id`` under run ``key`` (``before`` → ``after``).

    The fee is what the charge added (``after.issued − before.issued``); account credit the
    charge took (``before.credit − after.credit``) is posted as its allocation.
    """
    posting_id = f"late-fee/{key}/{bill_id}"
    post_all(
        uow,
        [
            late_fee_charged(
                posting_id,
                party=after.account_id,
                bill_id=bill_id,
                amount=after.issued - before.issued,
                at=at,
                dated=dated,
            ),
            _credit_applied(
                posting_id,
                party=after.account_id,
                bill_id=bill_id,
                kind=ItemKind.LATE_FEE,
                before=before,
                after=after,
                at=at,
                dated=dated,
                memo=f"account credit applied to the late fee of bill {bill_id}",
            ),
        ],
    )


def post_write_off(
    uow: UnitOfWork,
    *,
    key: str,
    account_id: str,
    bill_id: str,
    amount: Money,
    at: datetime,
    why: str,
) -> None:
    """Post ``amount`` of ``bill_id`` written off under ``key``."""
    post(
        uow,
        write_off_posted(
            f"write-off/{key}",
            party=account_id,
            bill_id=bill_id,
            amount=amount,
            at=at,
            dated=at.date(),
            why=why,
        ),
    )


def post_deposit_held(
    uow: UnitOfWork,
    *,
    key: str,
    account_id: str,
    amount: Money,
    at: datetime,
    dated: date,
    into: str = BANK,
) -> None:
    """Post a deposit of ``amount`` received ``into`` bank or cash for ``account_id``."""
    post(
        uow,
        deposit_held(
            f"deposit/{key}/held", party=account_id, amount=amount, at=at, dated=dated, into=into
        ),
    )


def post_deposit_applied(uow: UnitOfWork, payment: Payment, *, key: str, at: datetime) -> None:
    """Post the deposit applied as ``payment``: deposit to credit, then its allocation."""
    posting_id = f"deposit/{key}/applied"
    post_all(
        uow,
        [
            deposit_applied(
                posting_id,
                party=payment.account_id,
                amount=payment.amount,
                at=at,
                dated=payment.received_on,
            ),
            _payment_allocation(
                payment, posting_id, at=at, memo=f"deposit applied as payment {payment.payment_id}"
            ),
        ],
    )


def post_deposit_transfer(
    uow: UnitOfWork,
    *,
    key: str,
    from_account: str,
    to_account: str,
    amount: Money,
    at: datetime,
    dated: date,
) -> None:
    """Post ``amount`` of deposit moved from ``from_account`` to ``to_account`` (two postings)."""
    post_all(
        uow,
        deposit_transferred(
            f"deposit/{key}/transfer",
            from_party=from_account,
            to_party=to_account,
            amount=amount,
            at=at,
            dated=dated,
        ),
    )


def post_deposit_refund(
    uow: UnitOfWork,
    *,
    key: str,
    account_id: str,
    amount: Money,
    at: datetime,
    dated: date,
    out_of: str = BANK,
) -> None:
    """Post ``amount`` of ``account_id``'s deposit paid back ``out_of`` bank or cash."""
    post(
        uow,
        deposit_refunded(
            f"deposit/{key}/refunded",
            party=account_id,
            amount=amount,
            at=at,
            dated=dated,
            out_of=out_of,
        ),
    )


def trial_balance_of(
    make_unit_of_work: UnitOfWorkFactory, *, currency: str = "CNY"
) -> tuple[AccountBalance, ...]:
    """Return the trial balance of the whole ledger: every account's debits and credits."""
    with make_unit_of_work() as uow:
        return trial_balance(postings_of(uow), currency=currency)


def statement_of(make_unit_of_work: UnitOfWorkFactory, *, party: str) -> tuple[LedgerPosting, ...]:
    """Return ``party``'s postings in the order they were posted (its statement)."""
    with make_unit_of_work() as uow:
        return postings_of(uow, party)


def ledger_problems(make_unit_of_work: UnitOfWorkFactory) -> tuple[str, ...]:
    """Return what breaks double entry in the store (RELIABILITY R9); empty when nothing does.

    Every posting balances by construction (one that does not cannot be built, nor read back
    from a store), so the trial balance sums to zero. Checked here: each party's cached
    balances (its ledger head) equal the replay of its postings from zero, and its head counts
    them; each stored
    receivable — every open item (bill, kind, amount, date), the account credit and the deposit
    held — equals the fold of its account's postings, and no bill item of it is credited beyond
    its charge (a receivable below zero: a charge that never reached the ledger); deposits in
    transfer net to zero.
    """
    problems: list[str] = []
    with make_unit_of_work() as uow:
        postings = postings_of(uow)
        for stored in uow.repository(LEDGER_HEADS).query():
            head = stored.entity
            mine = [p for p in postings if p.party == head.party]
            replayed = LedgerHead(party=head.party)
            for posting in mine:
                replayed = replayed.after(posting)
            if replayed != head:
                problems.append(f"{head.party}: cached balances differ from the replay")
        for stored_receivable in uow.repository(RECEIVABLES).query():
            receivable = stored_receivable.entity
            items, credit = receivable_of(
                postings, receivable.account_id, currency=receivable.credit.currency
            )
            if sorted(items, key=_item_key) != sorted(receivable.open_items, key=_item_key):
                problems.append(f"{receivable.account_id}: open items differ from the ledger")
            problems += _overpaid_items(postings, receivable.account_id)
            if credit != receivable.credit:
                problems.append(
                    f"{receivable.account_id}: credit {receivable.credit} but the ledger "
                    f"folds to {credit}"
                )
            deposit = deposit_of(
                postings, receivable.account_id, currency=receivable.deposit.currency
            )
            if deposit != receivable.deposit:
                problems.append(
                    f"{receivable.account_id}: deposit {receivable.deposit} but the ledger "
                    f"folds to {deposit}"
                )
        in_transfer: dict[str, Money] = {}
        for posting in postings:
            for entry in posting.entries:
                if entry.account == DEPOSITS_IN_TRANSFER:
                    currency = entry.amount.currency
                    in_transfer[currency] = (
                        in_transfer.get(currency, Money.zero(currency)) + entry.signed
                    )
        problems += [
            f"deposits in transfer do not net to zero: {net}"
            for net in in_transfer.values()
            if not net.is_zero()
        ]
    return tuple(problems)


def _overpaid_items(postings: Iterable[LedgerPosting], party: str) -> list[str]:
    """The bill items of ``party`` credited beyond what was charged (a receivable below zero).

    Settling more than an item's charge is never posted (the excess goes to customer credit),
    so a negative item means a charge that never reached the ledger.
    """
    folded: dict[tuple[str, ItemKind | None], Money] = {}
    for posting in postings:
        if posting.party != party:
            continue
        for entry in posting.entries:
            if entry.account == RECEIVABLE:
                slot = (entry.document, entry.item)
                folded[slot] = folded.get(slot, Money.zero(entry.amount.currency)) + entry.signed
    return [
        f"{party}: bill {document} {item.value if item else 'entry'} is credited beyond its "
        f"charge (the receivable folds to {amount})"
        for (document, item), amount in folded.items()
        if amount.amount < 0
    ]


def _item_key(item: OpenItem) -> tuple[str, str]:
    return (item.bill_id, item.kind.value)


class NotReversible(RuleViolation):
    """A posting on a customer's receivable or credit cannot be reversed by hand."""

    def __init__(self, posting_id: str) -> None:
        self.posting_id = posting_id
        super().__init__(posting_id)

    def __str__(self) -> str:
        return (
            f"posting {describe_value(self.posting_id)} moves a customer's receivable or credit; "
            "expected a cash posting (correct a bill with correct_bill, a payment with a refund)"
        )


def reverse_posting(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    posting_id: str,
    why: str,
) -> dict[str, JsonValue]:
    """Compensate cash posting ``posting_id`` with its reversal, once for ``key``.

    The original stays in the ledger. Returns ``{posting_id, reverses}``.

    Raises:
        NotFound: no such posting (nothing stored).
        CommandRefused: the posting moves a customer's receivable or credit — stored.
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        original = uow.repository(LEDGER_POSTINGS).get(posting_id).entity
        if any(e.account in (RECEIVABLE, CUSTOMER_CREDIT) for e in original.entries):
            raise NotReversible(posting_id)
        stored = post(
            uow, reversal(original, posting_id=f"reversal/{key}", at=clock.now(), why=why)
        )
        return {"posting_id": stored.posting_id, "reverses": posting_id}

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="reverse_posting",
        payload={"posting_id": posting_id, "why": why},
        action=action,
    )


class CreditTooSmall(RuleViolation):
    """A refund larger than the account's credit."""

    def __init__(self, account_id: str, asked: Money, credit: Money) -> None:
        self.account_id = account_id
        self.asked = asked
        self.credit = credit
        super().__init__(account_id, asked, credit)

    def __str__(self) -> str:
        return (
            f"account {describe_value(self.account_id)} holds {self.credit} of credit; cannot "
            f"refund {self.asked} (expected at most the credit)"
        )


def refund_credit(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    account_id: str,
    amount: Money,
    out_of: str = BANK,
) -> dict[str, JsonValue]:
    """Pay ``amount`` of ``account_id``'s credit back to the customer, once for ``key``.

    The receivable's credit and its payments received both go down by ``amount`` (money paid
    back is money no longer received, so it keeps reconciling, R20); the ledger posts Dr
    customer credit, Cr ``out_of`` (bank or cash). Returns ``{account_id, refunded, credit}``.

    Raises:
        CommandRefused: ``amount`` is not above zero or more than the credit — stored.
        NotFound: the account has no receivable (nothing stored).
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        if not isinstance(amount, Money) or amount.amount <= 0:
            raise InvalidInput("amount", amount, "Money above zero")
        receivables = uow.repository(RECEIVABLES)
        receivable, version = receivables.get(AccountId(account_id))
        if amount > receivable.credit:
            raise CreditTooSmall(account_id, amount, receivable.credit)
        at = clock.now()
        refunded = attrs.evolve(
            receivable, credit=receivable.credit - amount, paid=receivable.paid - amount
        )
        receivables.save(refunded, version)
        post(
            uow,
            refund_paid(
                f"refund/{key}",
                party=account_id,
                amount=amount,
                at=at,
                dated=at.date(),
                out_of=out_of,
            ),
        )
        result: dict[str, JsonValue] = {
            "account_id": account_id,
            "refunded": str(amount.amount),
            "credit": str(refunded.credit.amount),
        }
        announce(
            uow,
            command="refund_credit",
            key=key,
            kind=RECEIVABLES.kind,
            aggregate_id=account_id,
            event_type="CreditRefunded",
            payload={**result, "out_of": out_of},
            at=at,
        )
        return result

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="refund_credit",
        payload={
            "account_id": account_id,
            "amount": str(amount.amount) if isinstance(amount, Money) else str(amount),
            "out_of": out_of,
        },
        action=action,
    )


def open_ledger(
    make_unit_of_work: UnitOfWorkFactory, *, clock: Clock, dated: date
) -> tuple[str, ...]:
    """Carry every stored receivable without postings into the ledger; return their accounts.

    For a store whose receivables were loaded or kept before the ledger (a migration, an older
    store): each account with no ledger head gets one opening posting (``opening/{account}``:
    its open items and credit, dated ``dated``), each in its own unit of work. Running it again
    carries nothing more. After it, :func:`ledger_problems` finds those accounts in agreement.
    Run it once, before the workflows start on the store: a workflow posting to an account at
    the same time makes its opening posting conflict (and nothing of it is stored).
    """
    with make_unit_of_work() as uow:
        accounts = [v.entity.account_id for v in uow.repository(RECEIVABLES).query()]
    carried: list[str] = []
    for account_id in accounts:
        with make_unit_of_work() as uow:
            if uow.repository(LEDGER_HEADS).find(account_id) is not None:
                continue
            receivable = uow.repository(RECEIVABLES).get(account_id).entity
            posting = opening_balance(
                account_id,
                open_items=receivable.open_items,
                credit=receivable.credit,
                at=clock.now(),
                dated=dated,
                deposit=receivable.deposit,
            )
            if posting is None:
                continue
            post(uow, posting)
            uow.commit()
            carried.append(account_id)
    return tuple(carried)
