"""Receipt books and cash as commands: issue, write, void, return; hand over, deposit, transfer.

Every command runs once per idempotency key (a retry returns the first result and does
nothing more) and does its work — the book, the payment, the hand-over list, the ledger
entries, the events — in one unit of work:

* :func:`issue_receipt_book` — a range of numbers to a collector, only once their previous book
  is returned and never over numbers already issued;
* :func:`collect_payment` — the collector takes a payment: the next number of their book, the
  payment posted into cash (:func:`~powerretail.workflows.payments.receive_payment`);
* :func:`void_receipt` — mark a form 废票 (a permission, audited; a refusal is audited too); a
  voided receipt's payment is written again on the next number;
* :func:`return_receipt_book` — the bookkeeping parts and stubs back to finance, refused while
  any number is missing;
* :func:`hand_over_takings` — the hand-over list (交接清单) of a collector's day, over or short
  recorded with its reason and posted;
* :func:`deposit_takings` and :func:`transfer_month` — the day's cash into the bank, the month's
  deposits to the company's account;
* :func:`publish_receivable_list` — an area's receivable list before collection (三公开).

Source: 供电所农电营销工作管理制度 三、电费票据管理制度; 四(三)收费制度.
"""

from __future__ import annotations

from datetime import date

from powerretail.access import AccessPolicy, Actor
from powerretail.billing.bill import BillState
from powerretail.collections.cash import (
    CashMovement,
    CashRefused,
    HandOver,
    MovementKind,
    PublishedLine,
    PublishedList,
    handover_postings,
    movement_posting,
)
from powerretail.collections.ledger import CASH
from powerretail.collections.receipts import (
    VOID_RECEIPT,
    BookNotReturned,
    BookState,
    BundleCover,
    ReceiptBook,
    ReceiptRefused,
)
from powerretail.errors import describe_value
from powerretail.ids import AccountId
from powerretail.quantities import Energy, Money, sum_money
from powerretail.repositories.audit import authorize_in
from powerretail.repositories.billing import BILLS
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import run_idempotent
from powerretail.repositories.customers import ACCOUNTS, CUSTOMERS
from powerretail.repositories.ledger import post_all
from powerretail.repositories.payments import RECEIVABLES
from powerretail.repositories.receipts import (
    CASH_MOVEMENTS,
    HANDOVERS,
    PUBLISHED_LISTS,
    RECEIPT_BOOKS,
)
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.workflows._common import announce
from powerretail.workflows.payments import receive_payment

__all__ = [
    "collect_payment",
    "deposit_takings",
    "hand_over_takings",
    "issue_receipt_book",
    "publish_receivable_list",
    "receipt_bundle",
    "return_receipt_book",
    "transfer_month",
    "void_receipt",
]


def issue_receipt_book(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    book_id: str,
    collector: str,
    first: int,
    last: int,
    issued_on: date,
) -> dict[str, JsonValue]:
    """Issue numbers ``first .. last`` to ``collector`` as book ``book_id``, once for ``key``.

    Returns ``{book_id, collector, first, last}``.

    Raises:
        CommandRefused: the collector still holds a book not returned
            (:class:`~powerretail.collections.receipts.BookNotReturned`), or a stored book has
            some of these numbers (numbers are never issued twice) — stored.
        InvalidInput: an empty range.
    """
    book = ReceiptBook.issue(
        book_id=book_id, collector=collector, first=first, last=last, issued_on=issued_on
    )

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        books = uow.repository(RECEIPT_BOOKS)
        for held in books.query(collector=collector, state=BookState.ISSUED):
            raise BookNotReturned(collector, held.entity.book_id)
        for stored in books.query():
            if stored.entity.overlaps(book):
                raise ReceiptRefused(
                    book_id,
                    f"numbers {first}..{last} meet book {stored.entity.book_id}'s "
                    f"{stored.entity.first}..{stored.entity.last}; a number is issued once",
                )
        books.add(book)
        result: dict[str, JsonValue] = {
            "book_id": book_id,
            "collector": collector,
            "first": first,
            "last": last,
        }
        announce(
            uow,
            command="issue_receipt_book",
            key=key,
            kind=RECEIPT_BOOKS.kind,
            aggregate_id=book_id,
            event_type="ReceiptBookIssued",
            payload=result,
            at=clock.now(),
        )
        return result

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="issue_receipt_book",
        payload={
            "book_id": book_id,
            "collector": collector,
            "first": first,
            "last": last,
            "issued_on": issued_on.isoformat(),
        },
        action=action,
    )


def collect_payment(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    book_id: str,
    account_id: str,
    amount: Money,
    energy: Energy,
    received_on: date,
) -> dict[str, JsonValue]:
    """Take ``amount`` from ``account_id`` in cash against the next receipt of ``book_id``.

    The payment (``P-{key}``) is posted into cash and allocated as
    :func:`~powerretail.workflows.payments.post_payment` does; the receipt records it with the
    ``energy`` it pays for. Returns the payment result with ``book_id`` and ``number``.

    Raises:
        CommandRefused: the book is returned or used up; the amount is not above zero — stored.
        NotFound: no such book or account (nothing stored).
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        books = uow.repository(RECEIPT_BOOKS)
        book, version = books.get(book_id)
        written, number = book.receipt(
            account_id=account_id,
            amount=amount,
            energy=energy,
            payment_id=f"P-{key}",
            on=received_on,
        )
        result = receive_payment(
            uow,
            clock=clock,
            key=key,
            account_id=account_id,
            amount=amount,
            received_on=received_on,
            into=CASH,
        )
        books.save(written, version)
        return {**result, "book_id": book_id, "number": number}

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="collect_payment",
        payload={
            "book_id": book_id,
            "account_id": account_id,
            "amount": str(amount.amount),
            "currency": amount.currency,
            "energy": str(energy.kwh),
            "received_on": received_on.isoformat(),
        },
        action=action,
    )


def void_receipt(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    book_id: str,
    number: int,
    actor: Actor,
    policy: AccessPolicy,
    why: str,
) -> dict[str, JsonValue]:
    """Void form ``number`` of ``book_id`` (废票), once for ``key``; the void is kept.

    The actor needs :data:`~powerretail.collections.receipts.VOID_RECEIPT`; the grant or the
    refusal is audited. A voided receipt of a payment is written again on the book's next
    number (the payment stands). Returns ``{book_id, voided, rewritten}`` (``rewritten``: the
    new number, or ``None``).

    Raises:
        CommandRefused: the actor may not void receipts; the number is neither used nor the
            next blank, is void already, or a voided payment has no number left — stored.
        NotFound: no such book (nothing stored).
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        books = uow.repository(RECEIPT_BOOKS)
        book, version = books.get(book_id)
        at = clock.now()
        authorize_in(
            uow,
            policy,
            actor,
            VOID_RECEIPT,
            subject=f"receipt {number} of book {describe_value(book_id)}",
            at=at,
            why=why,
        )
        day = at.date()
        voided = book.void(number, by=actor.id, why=why, on=day)
        form = voided.receipts[number - book.first]
        rewritten: int | None = None
        if form.payment_id:
            if voided.next_number is None:
                raise ReceiptRefused(
                    book_id,
                    f"no number is left to write payment {form.payment_id} again; void "
                    f"{number} in the collector's next book's hand-over instead",
                )
            voided, rewritten = voided.receipt(
                account_id=form.account_id,
                amount=form.amount,
                energy=form.energy,
                payment_id=form.payment_id,
                on=form.on,
            )
        books.save(voided, version)
        result: dict[str, JsonValue] = {
            "book_id": book_id,
            "voided": number,
            "rewritten": rewritten,
        }
        announce(
            uow,
            command="void_receipt",
            key=key,
            kind=RECEIPT_BOOKS.kind,
            aggregate_id=book_id,
            event_type="ReceiptVoided",
            payload={**result, "why": why, "by": actor.id},
            at=clock.now(),
        )
        return result

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="void_receipt",
        payload={"book_id": book_id, "number": number, "actor": actor.id, "why": why},
        action=action,
    )


def return_receipt_book(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    book_id: str,
    numbers: tuple[int, ...],
    to: str,
    on: date,
) -> dict[str, JsonValue]:
    """Return ``book_id`` to ``to`` (finance) with the forms ``numbers``, once for ``key``.

    Returns ``{book_id, returned_on, count}``.

    Raises:
        CommandRefused: a number is missing (each named, see
            :class:`~powerretail.collections.receipts.StubsMissing`), a number is not of the
            book, or it was returned already — stored.
        NotFound: no such book (nothing stored).
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        books = uow.repository(RECEIPT_BOOKS)
        book, version = books.get(book_id)
        books.save(book.returned(numbers, to=to, on=on), version)
        result: dict[str, JsonValue] = {
            "book_id": book_id,
            "returned_on": on.isoformat(),
            "count": len(set(numbers)),
        }
        announce(
            uow,
            command="return_receipt_book",
            key=key,
            kind=RECEIPT_BOOKS.kind,
            aggregate_id=book_id,
            event_type="ReceiptBookReturned",
            payload={**result, "to": to},
            at=clock.now(),
        )
        return result

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="return_receipt_book",
        payload={
            "book_id": book_id,
            "numbers": [str(n) for n in sorted(set(numbers))],
            "to": to,
            "on": on.isoformat(),
        },
        action=action,
    )


def receipt_bundle(
    make_unit_of_work: UnitOfWorkFactory, *, book_id: str, year: int, month: int
) -> BundleCover | None:
    """Return the cover of ``book_id``'s bundle for the month (``None``: no form that month).

    Raises:
        NotFound: no such book.
    """
    with make_unit_of_work() as uow:
        return uow.repository(RECEIPT_BOOKS).get(book_id).entity.cover(year, month)


def hand_over_takings(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    office: str,
    on: date,
    giver: str,
    giver_role: str,
    taker: str,
    taker_role: str,
    counted: Money,
    reason: str = "",
) -> dict[str, JsonValue]:
    """Hand ``giver``'s forms of ``on`` and the cash ``counted`` to ``taker``, once for ``key``.

    The list holds every form of the giver's books dated ``on`` not on an earlier list; what
    is expected is the live receipts' sum. Over or short is posted with its reason. Returns
    ``{handover_id, count, ranges, expected, counted, over_short}``.

    Raises:
        CommandRefused: no form to hand over; over or short without a reason — stored.
    """
    handover_id = f"H-{key}"

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        handovers = uow.repository(HANDOVERS)
        listed = {n for v in handovers.query(office=office, giver=giver) for n in v.entity.numbers}
        forms = [
            form
            for stored in uow.repository(RECEIPT_BOOKS).query(collector=giver)
            for form in stored.entity.receipts
            if form.on == on and form.number not in listed
        ]
        if not forms:
            raise CashRefused(
                f"collector {describe_value(giver)}", f"no receipt of {on} is left to hand over"
            )
        sheet = HandOver.count(
            handover_id=handover_id,
            office=office,
            on=on,
            giver=giver,
            giver_role=giver_role,
            taker=taker,
            taker_role=taker_role,
            numbers=[f.number for f in forms],
            expected=sum_money((f.amount for f in forms if not f.voided), counted.currency),
            counted=counted,
            reason=reason,
        )
        handovers.add(sheet)
        post_all(uow, handover_postings(sheet, at=clock.now()))
        result: dict[str, JsonValue] = {
            "handover_id": handover_id,
            "count": len(sheet.numbers),
            "ranges": [list(r) for r in sheet.ranges],
            "expected": str(sheet.expected.amount),
            "counted": str(sheet.counted.amount),
            "over_short": str(sheet.over_short.amount),
        }
        announce(
            uow,
            command="hand_over_takings",
            key=key,
            kind=HANDOVERS.kind,
            aggregate_id=handover_id,
            event_type="TakingsHandedOver",
            payload={**result, "giver": giver, "taker": taker, "reason": reason},
            at=clock.now(),
        )
        return result

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="hand_over_takings",
        payload={
            "office": office,
            "on": on.isoformat(),
            "giver": giver,
            "giver_role": giver_role,
            "taker": taker,
            "taker_role": taker_role,
            "counted": str(counted.amount),
            "currency": counted.currency,
            "reason": reason,
        },
        action=action,
    )


def _move(
    uow: UnitOfWork, movement: CashMovement, *, key: str, command: str, clock: Clock
) -> dict[str, JsonValue]:
    uow.repository(CASH_MOVEMENTS).add(movement)
    post_all(uow, [movement_posting(movement, at=clock.now())])
    result: dict[str, JsonValue] = {
        "movement_id": movement.movement_id,
        "kind": movement.kind.value,
        "amount": str(movement.amount.amount),
        "covers": list(movement.covers),
    }
    announce(
        uow,
        command=command,
        key=key,
        kind=CASH_MOVEMENTS.kind,
        aggregate_id=movement.movement_id,
        event_type="CashMoved",
        payload={**result, "office": movement.office, "on": movement.on.isoformat()},
        at=clock.now(),
    )
    return result


def deposit_takings(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    office: str,
    on: date,
    by: str,
) -> dict[str, JsonValue]:
    """Deposit the cash of ``office``'s hand-overs of ``on`` into its bank account, whole.

    Every hand-over of the day not deposited yet is covered; the amount is what was counted.
    Posts Dr bank, Cr cash. Returns ``{movement_id, kind, amount, covers}``.

    Raises:
        CommandRefused: nothing of ``on`` is left to deposit — stored.
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        deposited = {
            c
            for v in uow.repository(CASH_MOVEMENTS).query(office=office, kind=MovementKind.DEPOSIT)
            for c in v.entity.covers
        }
        sheets = [
            v.entity
            for v in uow.repository(HANDOVERS).query(office=office)
            if v.entity.on == on and v.entity.handover_id not in deposited
        ]
        amount = sum_money(s.counted for s in sheets)
        if not sheets or amount.is_zero():
            raise CashRefused(f"office {describe_value(office)}", f"no cash of {on} to deposit")
        movement = CashMovement(
            movement_id=f"D-{key}",
            office=office,
            kind=MovementKind.DEPOSIT,
            on=on,
            amount=amount,
            by=by,
            covers=tuple(sorted(s.handover_id for s in sheets)),
        )
        return _move(uow, movement, key=key, command="deposit_takings", clock=clock)

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="deposit_takings",
        payload={"office": office, "on": on.isoformat(), "by": by},
        action=action,
    )


def transfer_month(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    office: str,
    year: int,
    month: int,
    on: date,
    by: str,
) -> dict[str, JsonValue]:
    """Transfer the month's deposits of ``office`` to the company's account, whole, on ``on``.

    Posts Dr transfers to head office (上划), Cr bank. Returns ``{movement_id, kind, amount,
    covers}``.

    Raises:
        CommandRefused: no deposit of the month is left to transfer — stored.
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        movements = [v.entity for v in uow.repository(CASH_MOVEMENTS).query(office=office)]
        moved = {c for m in movements if m.kind is MovementKind.TRANSFER for c in m.covers}
        deposits = [
            m
            for m in movements
            if m.kind is MovementKind.DEPOSIT
            and (m.on.year, m.on.month) == (year, month)
            and m.movement_id not in moved
        ]
        if not deposits:
            raise CashRefused(
                f"office {describe_value(office)}", f"no deposit of {year}-{month:02d} to transfer"
            )
        movement = CashMovement(
            movement_id=f"T-{key}",
            office=office,
            kind=MovementKind.TRANSFER,
            on=on,
            amount=sum_money(m.amount for m in deposits),
            by=by,
            covers=tuple(sorted(m.movement_id for m in deposits)),
        )
        return _move(uow, movement, key=key, command="transfer_month", clock=clock)

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="transfer_month",
        payload={"office": office, "year": year, "month": month, "on": on.isoformat(), "by": by},
        action=action,
    )


def _billed_energy(uow: UnitOfWork, account_id: str, bill_ids: set[str]) -> Energy:
    kwh = Energy("0").kwh
    for stored in uow.repository(BILLS).query(account_id=account_id, state=BillState.ISSUED):
        if stored.entity.bill_id in bill_ids:
            kwh += sum(
                (
                    line.quantity
                    for line in stored.entity.lines
                    if line.unit == "kWh" and line.code.split(".")[0] == "energy"
                ),
                Energy("0").kwh,
            )
    return Energy(kwh)


def publish_receivable_list(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    area: str,
    as_of: date,
    pay_at: str,
    pay_from: date,
    pay_until: date,
) -> PublishedList:
    """Publish ``area``'s receivable list (三公开) from the store, once for ``key``.

    The area's accounts are those whose customer is of region ``area``; each line gives what
    the account owes (its open items) and the energy of the bills owed. Stored as
    ``{area}/{as_of}``; collection may not start before it is published.

    Raises:
        CommandRefused: ``pay_from`` before ``as_of`` — stored.
    """
    list_id = f"{area}/{as_of.isoformat()}"

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        customers = {
            v.entity.id: v.entity
            for v in uow.repository(CUSTOMERS).query()
            if v.entity.region == area
        }
        lines: list[PublishedLine] = []
        for stored in uow.repository(ACCOUNTS).query():
            account = stored.entity
            customer = customers.get(account.customer_id)
            receivable = uow.repository(RECEIVABLES).find(AccountId(account.id))
            if customer is None or receivable is None or not receivable.entity.open_items:
                continue
            owed = receivable.entity
            lines.append(
                PublishedLine(
                    account_id=account.id,
                    name=customer.name,
                    energy=_billed_energy(uow, account.id, {i.bill_id for i in owed.open_items}),
                    amount=owed.owed,
                )
            )
        published = PublishedList(
            list_id=list_id,
            area=area,
            as_of=as_of,
            pay_at=pay_at,
            pay_from=pay_from,
            pay_until=pay_until,
            lines=tuple(lines),
        )
        uow.repository(PUBLISHED_LISTS).add(published)
        return {"list_id": list_id, "lines": len(lines), "total": str(published.total.amount)}

    run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="publish_receivable_list",
        payload={
            "area": area,
            "as_of": as_of.isoformat(),
            "pay_at": pay_at,
            "pay_from": pay_from.isoformat(),
            "pay_until": pay_until.isoformat(),
        },
        action=action,
    )
    with make_unit_of_work() as uow:
        return uow.repository(PUBLISHED_LISTS).get(list_id).entity
