"""Cash (收费): a collector's takings, the hand-over list, over and short, deposits and transfers.

A collector's takings are the live receipts they wrote. At each hand-over between roles (the
collector to the fee-recovery officer 电费回收专责, say) a :class:`HandOver` — the hand-over list
交接清单 — records the count of forms and their number ranges, what the receipts add up to, the
cash counted, and the difference: over (长款, counted more) or short (短款, counted less), which
must carry its reason. The officer deposits each day's cash whole into the office's bank
account, and at month end the month's takings are transferred to the company's account
(:class:`CashMovement`). Each step posts to the ledger (:func:`handover_postings`,
:func:`movement_posting`).

Before collection starts the office publishes each area's (台区) receivable list (三公开): every
account, its energy and amount owed, and where and when to pay (:class:`PublishedList`).

Source: 供电所农电营销工作管理制度 四(二)7 and 四(三)2、4、5、7 (交接清单注明票据份数、起止号数,
双方签字; 收费前定点公布台区电费应收清单和缴费地点及日期; 每日全额存入银行电费专户, 月末全额
划入公司专户), 电费回收考核制度 3 and 服务规范 24 (长短款应立即查明原因, 写出书面材料).

>>> from datetime import date
>>> import pendulum
>>> sheet = HandOver.count(handover_id="H-1", office="SO-1", on=date(2025, 8, 2),
...     giver="c-1", giver_role="fee_collector", taker="o-1", taker_role="fee_recovery_officer",
...     numbers=(1001, 1002, 1003, 1005), expected=Money("300.00"), counted=Money("299.50"),
...     reason="change given twice to A-7")
>>> sheet.ranges, str(sheet.over_short.amount), sheet.is_short
(((1001, 1003), (1005, 1005)), '-0.50', True)
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime
from typing import Final

import attrs

from powerretail.collections.ledger import (
    BANK,
    CASH,
    CASH_OVER_SHORT,
    TRANSFERS_TO_HEAD_OFFICE,
    Entry,
    LedgerPosting,
    PostingKind,
    Side,
)
from powerretail.collections.receipts import number_ranges
from powerretail.errors import InvalidInput, RuleViolation, describe_value
from powerretail.quantities import Energy, Money

__all__ = [
    "CASH_SOURCE",
    "CashMovement",
    "CashRefused",
    "HandOver",
    "MovementKind",
    "PublishedLine",
    "PublishedList",
    "handover_postings",
    "movement_posting",
]

#: Where the cash rules come from.
CASH_SOURCE: Final = "供电所农电营销工作管理制度 四(三)收费制度"


class CashRefused(RuleViolation):
    """A cash step the rules do not allow: ``reason`` says which and why."""

    def __init__(self, subject: str, reason: str) -> None:
        self.subject = subject
        self.reason = reason
        super().__init__(subject, reason)

    def __str__(self) -> str:
        return f"{self.subject}: {self.reason}"


@attrs.frozen(kw_only=True)
class HandOver:
    """A hand-over list (交接清单): forms and cash passed from ``giver`` to ``taker``.

    Attributes:
        handover_id: the key.
        office: the supply office whose cash it is.
        on: the day.
        giver, giver_role, taker, taker_role: who hands over to whom, in which roles.
        numbers: the receipt numbers handed over (their bookkeeping parts).
        expected: what the live receipts among them add up to.
        counted: the cash counted at the hand-over.
        reason: why counted differs from expected (required when it does).
    """

    handover_id: str
    office: str
    on: date
    giver: str
    giver_role: str
    taker: str
    taker_role: str
    numbers: tuple[int, ...]
    expected: Money
    counted: Money
    reason: str = ""

    @classmethod
    def count(
        cls,
        *,
        handover_id: str,
        office: str,
        on: date,
        giver: str,
        giver_role: str,
        taker: str,
        taker_role: str,
        numbers: Sequence[int],
        expected: Money,
        counted: Money,
        reason: str = "",
    ) -> HandOver:
        """Return the hand-over list of ``numbers`` with the cash ``counted``.

        Raises:
            CashRefused: counted differs from expected and no reason is given (长短款 must be
                explained); the giver hands over to themself.
            InvalidInput: ``counted`` is negative.
        """
        if giver == taker:
            raise CashRefused(f"hand-over {describe_value(handover_id)}", "giver and taker are one")
        if counted.amount < 0:
            raise InvalidInput("counted", str(counted), "cash of zero or more")
        if counted != expected and not reason.strip():
            raise CashRefused(
                f"hand-over {describe_value(handover_id)}",
                f"counted {counted} against receipts of {expected}: over or short (长短款) "
                f"needs its reason written down ({CASH_SOURCE})",
            )
        return cls(
            handover_id=handover_id,
            office=office,
            on=on,
            giver=giver,
            giver_role=giver_role,
            taker=taker,
            taker_role=taker_role,
            numbers=tuple(sorted(numbers)),
            expected=expected,
            counted=counted,
            reason=reason,
        )

    @property
    def ranges(self) -> tuple[tuple[int, int], ...]:
        """The numbers handed over, as runs ``(first, last)``."""
        return number_ranges(self.numbers)

    @property
    def over_short(self) -> Money:
        """Counted minus expected: above zero over (长款), below zero short (短款)."""
        return self.counted - self.expected

    @property
    def is_short(self) -> bool:
        """Whether less cash was counted than the receipts say."""
        return self.over_short.amount < 0


def handover_postings(sheet: HandOver, *, at: datetime) -> tuple[LedgerPosting, ...]:
    """Return the posting of a hand-over's over or short (none when the cash agrees).

    Over: Dr cash, Cr cash over and short. Short: Dr cash over and short, Cr cash. The takings
    themselves were posted to cash with each payment.
    """
    difference = sheet.over_short
    if difference.is_zero():
        return ()
    size = difference if difference.amount > 0 else -difference
    cash_side = Side.DEBIT if difference.amount > 0 else Side.CREDIT
    return (
        LedgerPosting(
            posting_id=f"handover/{sheet.handover_id}",
            party=sheet.office,
            kind=PostingKind.CASH,
            at=at,
            dated=sheet.on,
            entries=(
                Entry(account=CASH, side=cash_side, amount=size),
                Entry(account=CASH_OVER_SHORT, side=cash_side.opposite, amount=size),
            ),
            memo=f"{'over' if difference.amount > 0 else 'short'} at hand-over "
            f"{sheet.handover_id} from {sheet.giver}: {sheet.reason}",
        ),
    )


class MovementKind(enum.Enum):
    """Where an office's cash goes."""

    DEPOSIT = "deposit"  # the day's cash into the office's bank account (存入电费专户)
    TRANSFER = "transfer"  # the month's takings to the company's account (上划)


@attrs.frozen(kw_only=True)
class CashMovement:
    """A deposit of a day's cash to the bank, or a month-end transfer to the company."""

    movement_id: str
    office: str
    kind: MovementKind
    on: date
    amount: Money
    by: str
    covers: tuple[str, ...] = ()


def movement_posting(movement: CashMovement, *, at: datetime) -> LedgerPosting:
    """Return the posting of ``movement``: a deposit Dr bank Cr cash; a transfer Dr 上划 Cr bank."""
    debit, credit = (
        (BANK, CASH) if movement.kind is MovementKind.DEPOSIT else (TRANSFERS_TO_HEAD_OFFICE, BANK)
    )
    return LedgerPosting(
        posting_id=f"cash/{movement.movement_id}",
        party=movement.office,
        kind=PostingKind.CASH,
        at=at,
        dated=movement.on,
        entries=(
            Entry(account=debit, side=Side.DEBIT, amount=movement.amount),
            Entry(account=credit, side=Side.CREDIT, amount=movement.amount),
        ),
        memo=f"{movement.kind.value} by {movement.by}",
    )


@attrs.frozen(kw_only=True)
class PublishedLine:
    """One account on an area's published receivable list."""

    account_id: str
    name: str
    energy: Energy
    amount: Money


@attrs.frozen(kw_only=True)
class PublishedList:
    """An area's receivable list (台区电费应收清单), published before collection (三公开)."""

    list_id: str
    area: str
    as_of: date
    pay_at: str
    pay_from: date
    pay_until: date
    lines: tuple[PublishedLine, ...]

    def __attrs_post_init__(self) -> None:
        if self.pay_from < self.as_of:
            raise CashRefused(
                f"area {describe_value(self.area)}",
                f"collection from {self.pay_from} starts before the list is published on "
                f"{self.as_of}; the list is published before collection ({CASH_SOURCE} 4)",
            )
        if self.pay_until < self.pay_from:
            raise InvalidInput("pay_until", str(self.pay_until), f"on or after {self.pay_from}")

    @property
    def total(self) -> Money:
        """What the area owes in all."""
        return Money(sum((line.amount.amount for line in self.lines), Money.zero().amount))

    @property
    def energy(self) -> Energy:
        """The energy the lines bill."""
        return Energy(sum((line.energy.kwh for line in self.lines), Energy("0").kwh))
