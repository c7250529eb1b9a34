"""The double-entry ledger (复式记账): a chart of accounts, balanced postings and their folds.

Every money movement — a bill issued, a credit note, a payment and its allocation, a late fee
charged, a write-off, a refund, a deposit held or applied — is a :class:`LedgerPosting`: a set
of :class:`Entry` lines on the accounts of a :class:`ChartOfAccounts` whose debits equal its
credits (RELIABILITY R9). A posting that does not balance cannot be built. Postings are never
changed nor deleted: a correction is a compensating posting (:func:`reversal`).

Balances are folds of the postings, never stored figures of their own: :func:`trial_balance`
for the books, :func:`balances_of` for one party (an electricity account), and
:func:`receivable_of` for what the party owes item by item (the open items and account credit
the arrears register ages).

>>> from datetime import date
>>> import pendulum
>>> at = pendulum.datetime(2025, 8, 1, tz="Asia/Shanghai")
>>> bill = bill_issued(
...     "B-1", party="A-1", lines={"energy": Money("100.00"), "fund": Money("5.00")},
...     due=date(2025, 8, 16), at=at)
>>> for entry in bill.entries:
...     print(entry.side.value, entry.account, entry.amount.amount)
debit 1122 105.00
credit 6001.energy 100.00
credit 6001.fund 5.00
>>> paid = payment_received("P-1", party="A-1", amount=Money("105.00"), at=at,
...                         received_on=date(2025, 8, 10))
>>> applied = allocation_applied(
...     "P-1/allocation", party="A-1", at=at, dated=date(2025, 8, 10), memo="P-1 allocated",
...     allocations=[Allocation(bill_id="B-1", kind=ItemKind.PRINCIPAL, amount=Money("105.00"),
...                             settles_item=True)])
>>> for balance in trial_balance([bill, paid, applied]):
...     print(balance.account, balance.amount.amount)
1002 105.00
1122 0.00
2203 0.00
6001.energy -100.00
6001.fund -5.00
>>> for item in receivable_of([bill], "A-1")[0]:
...     print(item.bill_id, item.amount.amount, item.dated)
B-1 105.00 2025-08-16
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

import attrs

from powerretail.collections.allocation import Allocation, ItemKind, OpenItem
from powerretail.collections.arrears import AccountArrears
from powerretail.errors import InvalidInput, RuleViolation, describe_value
from powerretail.quantities import Money, sum_money
from powerretail.timeframe import as_instant

__all__ = [
    "BAD_DEBT_EXPENSE",
    "BANK",
    "CASH",
    "CASH_OVER_SHORT",
    "CUSTOMER_CREDIT",
    "DEFAULT_CHART",
    "DEPOSITS_HELD",
    "DEPOSITS_IN_TRANSFER",
    "LATE_FEE_INCOME",
    "OPENING_BALANCES",
    "RECEIVABLE",
    "REVENUE",
    "TRANSFERS_TO_HEAD_OFFICE",
    "AccountBalance",
    "AccountType",
    "ChartOfAccounts",
    "Entry",
    "LedgerAccount",
    "LedgerPosting",
    "PostingKind",
    "Side",
    "UnbalancedPosting",
    "allocation_applied",
    "arrears_book",
    "balances_of",
    "bill_issued",
    "credit_note_posted",
    "deposit_applied",
    "deposit_held",
    "deposit_of",
    "deposit_refunded",
    "deposit_transferred",
    "late_fee_charged",
    "opening_balance",
    "payment_received",
    "receivable_of",
    "refund_paid",
    "reversal",
    "trial_balance",
    "write_off_posted",
]


class Side(enum.Enum):
    """Which side of an account an entry is on."""

    DEBIT = "debit"
    CREDIT = "credit"

    @property
    def opposite(self) -> Side:
        """The other side."""
        return Side.CREDIT if self is Side.DEBIT else Side.DEBIT


class AccountType(enum.Enum):
    """What an account is: assets and expenses grow by debits, the others by credits."""

    ASSET = "asset"
    LIABILITY = "liability"
    INCOME = "income"
    EXPENSE = "expense"

    @property
    def normal(self) -> Side:
        """The side the account grows on."""
        return Side.DEBIT if self in (AccountType.ASSET, AccountType.EXPENSE) else Side.CREDIT


@attrs.frozen(kw_only=True)
class LedgerAccount:
    """One account of the chart: its code, names, type, and whether it is kept per party."""

    code: str
    name_zh: str
    name_en: str
    type: AccountType
    per_party: bool = False


#: 库存现金 — cash on hand, a collector's takings until deposited.
CASH = "1001"
#: 银行存款 — the bank account payments and deposited cash arrive on.
BANK = "1002"
#: 应收电费 — what customers owe, kept per account, bill and item.
RECEIVABLE = "1122"
#: 待处理财产损溢 — cash over (credit) or short (debit) found at a hand-over, until cleared.
CASH_OVER_SHORT = "1901"
#: 预收电费 — customer credit: overpayments, credit notes and prepayment, per account.
CUSTOMER_CREDIT = "2203"
#: 其他应付款-保证金 — deposits (保证金) held for customers, per account.
DEPOSITS_HELD = "2241"
#: 其他应付款-保证金划转 — a deposit on its way from one account to another (nets to zero).
DEPOSITS_IN_TRANSFER = "2242"
#: 期初余额 — the other side of balances carried in from before the ledger (a migration).
OPENING_BALANCES = "4103"
#: 内部往来-上划电费 — takings transferred to the head office at month end (an asset: it
#: grows by the debits of the month-end transfers).
TRANSFERS_TO_HEAD_OFFICE = "2711"
#: 主营业务收入-电费 — revenue, one sub-account per bill component (``6001.<line code>``).
REVENUE = "6001"
#: 营业外收入-电费违约金 — late fees charged.
LATE_FEE_INCOME = "6301"
#: 信用减值损失-坏账 — receivables written off.
BAD_DEBT_EXPENSE = "6702"


@attrs.frozen
class ChartOfAccounts:
    """The accounts postings may use, as data; revenue has one sub-account per component.

    >>> DEFAULT_CHART.account("6001.energy").name_en
    'revenue: energy'
    >>> DEFAULT_CHART.account("9999")
    Traceback (most recent call last):
    ...
    powerretail.errors.InvalidInput: account: expected an account of the chart \
(1001, 1002, 1122, 1901, 2203, 2241, 2242, 2711, 4103, 6001.<component>, 6301, 6702), got "9999"
    """

    accounts: tuple[LedgerAccount, ...]
    revenue: str = REVENUE

    def account(self, code: str) -> LedgerAccount:
        """Return the account of ``code`` (a revenue component's sub-account included).

        Raises:
            InvalidInput: the chart has no such account.
        """
        for account in self.accounts:
            if account.code == code:
                return account
        head, dot, component = code.partition(".")
        parent = next((a for a in self.accounts if a.code == head), None)
        if dot and component and parent is not None and head == self.revenue:
            return LedgerAccount(
                code=code,
                name_zh=f"{parent.name_zh}-{component}",
                name_en=f"{parent.name_en}: {component}",
                type=parent.type,
            )
        known = sorted(
            a.code if a.code != self.revenue else f"{a.code}.<component>" for a in self.accounts
        )
        raise InvalidInput("account", code, f"an account of the chart ({', '.join(known)})")


#: The chart of a supply office's electricity-fee books (codes after the 企业会计准则 chart).
DEFAULT_CHART = ChartOfAccounts(
    (
        LedgerAccount(
            code=CASH, name_zh="库存现金", name_en="cash on hand", type=AccountType.ASSET
        ),
        LedgerAccount(code=BANK, name_zh="银行存款", name_en="bank", type=AccountType.ASSET),
        LedgerAccount(
            code=RECEIVABLE,
            name_zh="应收电费",
            name_en="customer receivable",
            type=AccountType.ASSET,
            per_party=True,
        ),
        LedgerAccount(
            code=CASH_OVER_SHORT,
            name_zh="待处理财产损溢-长短款",
            name_en="cash over and short",
            type=AccountType.ASSET,
        ),
        LedgerAccount(
            code=CUSTOMER_CREDIT,
            name_zh="预收电费",
            name_en="customer credit and prepayment",
            type=AccountType.LIABILITY,
            per_party=True,
        ),
        LedgerAccount(
            code=DEPOSITS_HELD,
            name_zh="其他应付款-保证金",
            name_en="deposits held",
            type=AccountType.LIABILITY,
            per_party=True,
        ),
        LedgerAccount(
            code=DEPOSITS_IN_TRANSFER,
            name_zh="其他应付款-保证金划转",
            name_en="deposits in transfer",
            type=AccountType.LIABILITY,
        ),
        LedgerAccount(
            code=TRANSFERS_TO_HEAD_OFFICE,
            name_zh="内部往来-上划电费",
            name_en="transfers to head office",
            # Only ever debited (the month's takings sent up, Dr 上划 Cr bank): its debit balance
            # is the office's current account with the company, shown on the asset side.
            type=AccountType.ASSET,
        ),
        LedgerAccount(
            code=OPENING_BALANCES,
            name_zh="期初余额",
            name_en="opening balances",
            type=AccountType.LIABILITY,
        ),
        LedgerAccount(code=REVENUE, name_zh="电费收入", name_en="revenue", type=AccountType.INCOME),
        LedgerAccount(
            code=LATE_FEE_INCOME,
            name_zh="电费违约金收入",
            name_en="late-fee income",
            type=AccountType.INCOME,
        ),
        LedgerAccount(
            code=BAD_DEBT_EXPENSE,
            name_zh="坏账损失",
            name_en="bad-debt expense",
            type=AccountType.EXPENSE,
        ),
    )
)


class PostingKind(enum.Enum):
    """Which money movement a posting records."""

    BILL_ISSUED = "bill_issued"
    CREDIT_NOTE = "credit_note"
    PAYMENT = "payment"
    ALLOCATION = "allocation"
    LATE_FEE = "late_fee"
    WRITE_OFF = "write_off"
    REFUND = "refund"
    DEPOSIT_HELD = "deposit_held"
    DEPOSIT_APPLIED = "deposit_applied"
    DEPOSIT_REFUNDED = "deposit_refunded"
    DEPOSIT_TRANSFERRED = "deposit_transferred"
    PREPAYMENT = "prepayment"
    CASH = "cash"
    REVERSAL = "reversal"
    OPENING = "opening"


def _positive_money(_instance: object, attribute: attrs.Attribute[Money], value: Money) -> None:
    if not isinstance(value, Money) or value.amount <= 0:
        raise InvalidInput(attribute.name, value, "Money above zero (the side says which way)")


@attrs.frozen(kw_only=True)
class Entry:
    """One line of a posting: ``amount`` on ``side`` of ``account``.

    Entries on the receivable name the bill (``document``) and the item (``item``: principal or
    late fee) and, for a charge, the day the item is dated (its due day), so the receivable's
    open items are a fold of them.
    """

    account: str
    side: Side
    amount: Money = attrs.field(validator=_positive_money)
    document: str = ""
    item: ItemKind | None = None
    dated: date | None = None

    @property
    def signed(self) -> Money:
        """The amount, positive for a debit and negative for a credit."""
        return self.amount if self.side is Side.DEBIT else -self.amount


class UnbalancedPosting(RuleViolation):
    """A posting whose debits and credits differ (or that has no entries)."""

    def __init__(self, posting_id: str, debits: Money, credits: Money) -> None:
        self.posting_id = posting_id
        self.debits = debits
        self.credits = credits
        super().__init__(posting_id, debits, credits)

    def __str__(self) -> str:
        return (
            f"posting {describe_value(self.posting_id)} does not balance: debits {self.debits}, "
            f"credits {self.credits}; expected equal totals above zero (double entry)"
        )


def _entries(value: Iterable[Entry]) -> tuple[Entry, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class LedgerPosting:
    """A balanced set of entries recording one money movement for one party.

    Attributes:
        posting_id: the key; the same movement always gets the same id (idempotent posting).
        party: the electricity account (or collector, office) the posting belongs to.
        kind: which movement.
        at: when it was posted (aware instant).
        dated: the business day it belongs to (bill issue, payment received on ...).
        entries: the lines; their debits equal their credits.
        memo: what happened, in words.
        reverses: the posting this one compensates (``""``: none).
        sequence: the posting's place in the party's ledger (set by the ledger when stored).
    """

    posting_id: str
    party: str
    kind: PostingKind
    at: datetime = attrs.field(converter=as_instant)
    dated: date
    entries: tuple[Entry, ...] = attrs.field(converter=_entries)
    memo: str = ""
    reverses: str = ""
    sequence: int = 0

    def __attrs_post_init__(self) -> None:
        if not self.posting_id or not self.party:
            raise InvalidInput("posting_id/party", (self.posting_id, self.party), "non-empty ids")
        currencies = {entry.amount.currency for entry in self.entries}
        currency = next(iter(currencies), "CNY")
        if len(currencies) > 1:
            raise InvalidInput("entries", sorted(currencies), "entries in one currency")
        debits, credits = self.debits, self.credits
        if not self.entries or debits != credits:
            raise UnbalancedPosting(
                self.posting_id, debits or Money.zero(currency), credits or Money.zero(currency)
            )

    @property
    def currency(self) -> str:
        """The currency of every entry."""
        return self.entries[0].amount.currency

    @property
    def debits(self) -> Money:
        """The sum of the debit entries."""
        return _side_total(self.entries, Side.DEBIT)

    @property
    def credits(self) -> Money:
        """The sum of the credit entries."""
        return _side_total(self.entries, Side.CREDIT)

    def same_movement(self, other: LedgerPosting) -> bool:
        """Whether ``other`` records the same movement (everything equal but the sequence)."""
        return attrs.evolve(other, sequence=self.sequence) == self


def _side_total(entries: Sequence[Entry], side: Side) -> Money:
    currency = entries[0].amount.currency if entries else "CNY"
    return sum_money((e.amount for e in entries if e.side is side), currency)


def _posting(
    posting_id: str,
    *,
    party: str,
    kind: PostingKind,
    at: datetime,
    dated: date,
    entries: Iterable[Entry],
    memo: str,
    reverses: str = "",
) -> LedgerPosting:
    return LedgerPosting(
        posting_id=posting_id,
        party=party,
        kind=kind,
        at=at,
        dated=dated,
        entries=entries,
        memo=memo,
        reverses=reverses,
    )


def _revenue_entries(
    lines: Mapping[str, Money], *, toward: Side, chart: ChartOfAccounts
) -> list[Entry]:
    """Entries of revenue per component: ``toward`` for positive amounts, opposite for negative."""
    entries: list[Entry] = []
    for component in sorted(lines):
        amount = lines[component]
        if amount.is_zero():
            continue
        side = toward if amount.amount > 0 else toward.opposite
        size = amount if amount.amount > 0 else -amount
        entries.append(Entry(account=f"{chart.revenue}.{component}", side=side, amount=size))
    return entries


def bill_issued(
    bill_id: str,
    *,
    party: str,
    lines: Mapping[str, Money],
    due: date,
    at: datetime,
    posting_id: str | None = None,
    chart: ChartOfAccounts = DEFAULT_CHART,
) -> LedgerPosting:
    """Return the posting of bill ``bill_id`` issued: Dr receivable, Cr revenue per component.

    ``lines`` maps each component (the bill line's code) to its amount (lines of one code
    summed); a negative component (a discount) is a debit of its revenue. The receivable entry
    is the principal item of the bill, dated ``due``.

    Raises:
        InvalidInput: the lines sum to zero or less (a credit is a credit note).
    """
    currency = next(iter(lines.values())).currency if lines else "CNY"
    total = sum_money(lines.values(), currency)
    if total.amount <= 0:
        raise InvalidInput("lines", str(total), "a bill total above zero (a credit note credits)")
    receivable = Entry(
        account=RECEIVABLE,
        side=Side.DEBIT,
        amount=total,
        document=bill_id,
        item=ItemKind.PRINCIPAL,
        dated=due,
    )
    return _posting(
        posting_id or f"bill/{bill_id}",
        party=party,
        kind=PostingKind.BILL_ISSUED,
        at=at,
        dated=due,
        entries=[receivable, *_revenue_entries(lines, toward=Side.CREDIT, chart=chart)],
        memo=f"bill {bill_id} issued",
    )


def allocation_applied(
    posting_id: str,
    *,
    party: str,
    allocations: Sequence[Allocation],
    at: datetime,
    dated: date,
    memo: str,
) -> LedgerPosting | None:
    """Return the posting applying account credit to open items: Dr credit, Cr receivable.

    ``None`` when nothing was allocated.
    """
    parts = [part for part in allocations if part.amount.amount > 0]
    if not parts:
        return None
    currency = parts[0].amount.currency
    applied = sum_money((part.amount for part in parts), currency)
    entries = [Entry(account=CUSTOMER_CREDIT, side=Side.DEBIT, amount=applied)]
    entries += [
        Entry(
            account=RECEIVABLE,
            side=Side.CREDIT,
            amount=part.amount,
            document=part.bill_id,
            item=part.kind,
        )
        for part in parts
    ]
    return _posting(
        posting_id,
        party=party,
        kind=PostingKind.ALLOCATION,
        at=at,
        dated=dated,
        entries=entries,
        memo=memo,
    )


def _two_entries(
    posting_id: str,
    *,
    party: str,
    kind: PostingKind,
    debit: str,
    credit: str,
    amount: Money,
    at: datetime,
    dated: date,
    memo: str,
) -> LedgerPosting:
    return _posting(
        posting_id,
        party=party,
        kind=kind,
        at=at,
        dated=dated,
        entries=[
            Entry(account=debit, side=Side.DEBIT, amount=amount),
            Entry(account=credit, side=Side.CREDIT, amount=amount),
        ],
        memo=memo,
    )


def payment_received(
    payment_id: str,
    *,
    party: str,
    amount: Money,
    at: datetime,
    received_on: date,
    into: str = BANK,
) -> LedgerPosting:
    """Return the posting of a payment received ``into`` cash or bank: Dr ``into``, Cr credit.

    The payment first becomes account credit; :func:`allocation_applied` then moves what the
    open items take from credit to the receivable.
    """
    return _two_entries(
        f"payment/{payment_id}",
        party=party,
        kind=PostingKind.PAYMENT,
        debit=into,
        credit=CUSTOMER_CREDIT,
        amount=amount,
        at=at,
        dated=received_on,
        memo=f"payment {payment_id} received",
    )


def credit_note_posted(
    credit_note_id: str,
    *,
    party: str,
    corrects: str,
    lines: Mapping[str, Money],
    reduced: Money,
    at: datetime,
    dated: date,
    chart: ChartOfAccounts = DEFAULT_CHART,
) -> LedgerPosting:
    """Return the posting of a credit note against ``corrects``.

    ``lines`` are the credit note's lines (negative amounts): Dr revenue per component; Cr the
    bill's receivable by ``reduced`` (what it still owed, at most), Cr account credit the rest.
    """
    currency = next(iter(lines.values())).currency if lines else "CNY"
    credited = -sum_money(lines.values(), currency)
    if credited.amount <= 0:
        raise InvalidInput("lines", str(-credited), "a credit note total below zero")
    entries = _revenue_entries({k: -v for k, v in lines.items()}, toward=Side.DEBIT, chart=chart)
    if reduced.amount > 0:
        entries.append(
            Entry(
                account=RECEIVABLE,
                side=Side.CREDIT,
                amount=reduced,
                document=corrects,
                item=ItemKind.PRINCIPAL,
            )
        )
    rest = credited - reduced
    if rest.amount > 0:
        entries.append(Entry(account=CUSTOMER_CREDIT, side=Side.CREDIT, amount=rest))
    return _posting(
        f"credit-note/{credit_note_id}",
        party=party,
        kind=PostingKind.CREDIT_NOTE,
        at=at,
        dated=dated,
        entries=entries,
        memo=f"credit note {credit_note_id} corrects bill {corrects}",
    )


def late_fee_charged(
    posting_id: str,
    *,
    party: str,
    bill_id: str,
    amount: Money,
    at: datetime,
    dated: date,
) -> LedgerPosting:
    """Return the posting of a late fee charged on ``bill_id``: Dr receivable, Cr late fees."""
    return _posting(
        posting_id,
        party=party,
        kind=PostingKind.LATE_FEE,
        at=at,
        dated=dated,
        entries=[
            Entry(
                account=RECEIVABLE,
                side=Side.DEBIT,
                amount=amount,
                document=bill_id,
                item=ItemKind.LATE_FEE,
                dated=dated,
            ),
            Entry(account=LATE_FEE_INCOME, side=Side.CREDIT, amount=amount),
        ],
        memo=f"late fee on bill {bill_id}",
    )


def write_off_posted(
    posting_id: str,
    *,
    party: str,
    bill_id: str,
    amount: Money,
    at: datetime,
    dated: date,
    why: str,
) -> LedgerPosting:
    """Return the posting of a write-off (核销) of ``bill_id``: Dr bad debt, Cr receivable."""
    return _posting(
        posting_id,
        party=party,
        kind=PostingKind.WRITE_OFF,
        at=at,
        dated=dated,
        entries=[
            Entry(account=BAD_DEBT_EXPENSE, side=Side.DEBIT, amount=amount),
            Entry(
                account=RECEIVABLE,
                side=Side.CREDIT,
                amount=amount,
                document=bill_id,
                item=ItemKind.PRINCIPAL,
            ),
        ],
        memo=f"bill {bill_id} written off: {why}",
    )


def refund_paid(
    posting_id: str,
    *,
    party: str,
    amount: Money,
    at: datetime,
    dated: date,
    out_of: str = BANK,
) -> LedgerPosting:
    """Return the posting of account credit refunded ``out_of`` bank or cash: Dr credit, Cr bank."""
    return _two_entries(
        posting_id,
        party=party,
        kind=PostingKind.REFUND,
        debit=CUSTOMER_CREDIT,
        credit=out_of,
        amount=amount,
        at=at,
        dated=dated,
        memo="account credit refunded",
    )


def deposit_held(
    posting_id: str,
    *,
    party: str,
    amount: Money,
    at: datetime,
    dated: date,
    into: str = BANK,
) -> LedgerPosting:
    """Return the posting of a deposit (保证金) received ``into`` bank or cash: Dr ``into``,
    Cr deposits held."""
    return _two_entries(
        posting_id,
        party=party,
        kind=PostingKind.DEPOSIT_HELD,
        debit=into,
        credit=DEPOSITS_HELD,
        amount=amount,
        at=at,
        dated=dated,
        memo="deposit held",
    )


def deposit_applied(
    posting_id: str, *, party: str, amount: Money, at: datetime, dated: date
) -> LedgerPosting:
    """Return the posting of a deposit applied as a payment: Dr deposits held, Cr credit.

    Like a payment received, it first becomes account credit; :func:`allocation_applied` then
    moves what the open items take from credit to the receivable.
    """
    return _two_entries(
        posting_id,
        party=party,
        kind=PostingKind.DEPOSIT_APPLIED,
        debit=DEPOSITS_HELD,
        credit=CUSTOMER_CREDIT,
        amount=amount,
        at=at,
        dated=dated,
        memo="deposit applied to what is owed",
    )


def deposit_refunded(
    posting_id: str,
    *,
    party: str,
    amount: Money,
    at: datetime,
    dated: date,
    out_of: str = BANK,
) -> LedgerPosting:
    """Return the posting of a deposit paid back ``out_of`` bank or cash: Dr deposits held,
    Cr ``out_of``."""
    return _two_entries(
        posting_id,
        party=party,
        kind=PostingKind.DEPOSIT_REFUNDED,
        debit=DEPOSITS_HELD,
        credit=out_of,
        amount=amount,
        at=at,
        dated=dated,
        memo="deposit refunded",
    )


def deposit_transferred(
    posting_id: str,
    *,
    from_party: str,
    to_party: str,
    amount: Money,
    at: datetime,
    dated: date,
) -> tuple[LedgerPosting, LedgerPosting]:
    """Return the two postings of a deposit moved from ``from_party`` to ``to_party``.

    Each party's postings are its own, so the movement is two balanced postings through
    deposits in transfer: ``{posting_id}/out`` (Dr deposits held, Cr in transfer) for
    ``from_party`` and ``{posting_id}/in`` (Dr in transfer, Cr deposits held) for ``to_party``.
    Posted together, deposits in transfer nets to zero.
    """
    out = _two_entries(
        f"{posting_id}/out",
        party=from_party,
        kind=PostingKind.DEPOSIT_TRANSFERRED,
        debit=DEPOSITS_HELD,
        credit=DEPOSITS_IN_TRANSFER,
        amount=amount,
        at=at,
        dated=dated,
        memo=f"deposit moved to account {to_party}",
    )
    into = _two_entries(
        f"{posting_id}/in",
        party=to_party,
        kind=PostingKind.DEPOSIT_TRANSFERRED,
        debit=DEPOSITS_IN_TRANSFER,
        credit=DEPOSITS_HELD,
        amount=amount,
        at=at,
        dated=dated,
        memo=f"deposit moved from account {from_party}",
    )
    return out, into


def reversal(original: LedgerPosting, *, posting_id: str, at: datetime, why: str) -> LedgerPosting:
    """Return the compensating posting of ``original``: every entry on the other side.

    The original stays in the ledger; together they fold to nothing.
    """
    return _posting(
        posting_id,
        party=original.party,
        kind=PostingKind.REVERSAL,
        at=at,
        dated=original.dated,
        entries=[attrs.evolve(e, side=e.side.opposite) for e in original.entries],
        memo=f"reverses {original.posting_id}: {why}",
        reverses=original.posting_id,
    )


@attrs.frozen(kw_only=True)
class AccountBalance:
    """The debits and credits of one account (of one party, or of the books).

    ``amount`` is debits minus credits: positive for a debit balance.
    """

    account: str
    debits: Money
    credits: Money
    party: str = ""

    @property
    def amount(self) -> Money:
        """Debits minus credits."""
        return self.debits - self.credits


def _ordered(postings: Iterable[LedgerPosting]) -> list[LedgerPosting]:
    return sorted(postings, key=lambda p: (p.party, p.sequence, p.posting_id))


def _fold(
    postings: Iterable[LedgerPosting], *, by_party: bool, currency: str
) -> tuple[AccountBalance, ...]:
    zero = Money.zero(currency)
    totals: dict[tuple[str, str], list[Money]] = defaultdict(lambda: [zero, zero])
    for posting in postings:
        for entry in posting.entries:
            slot = totals[(entry.account, posting.party if by_party else "")]
            slot[0 if entry.side is Side.DEBIT else 1] += entry.amount
    return tuple(
        AccountBalance(account=account, party=party, debits=d, credits=c)
        for (account, party), (d, c) in sorted(totals.items())
    )


def trial_balance(
    postings: Iterable[LedgerPosting], *, currency: str = "CNY"
) -> tuple[AccountBalance, ...]:
    """Return the balance of every account of the books, by account code.

    The balances sum to zero: every posting balances.
    """
    return _fold(postings, by_party=False, currency=currency)


def balances_of(
    postings: Iterable[LedgerPosting], party: str, *, currency: str = "CNY"
) -> tuple[AccountBalance, ...]:
    """Return the balance of every account ``party``'s postings touched, by account code."""
    return _fold((p for p in postings if p.party == party), by_party=True, currency=currency)


def receivable_of(
    postings: Iterable[LedgerPosting], party: str, *, currency: str = "CNY"
) -> tuple[tuple[OpenItem, ...], Money]:
    """Return ``party``'s open items and account credit: the fold of its postings, in order.

    An item is the receivable entries of one bill and item kind; it is dated by the charge
    that opened it (after it was last settled), as the stored receivable dates it.
    """
    amounts: dict[tuple[str, ItemKind], Money] = {}
    dated: dict[tuple[str, ItemKind], date] = {}
    order: list[tuple[str, ItemKind]] = []
    credit = Money.zero(currency)
    for posting in _ordered(p for p in postings if p.party == party):
        for entry in posting.entries:
            if entry.account == CUSTOMER_CREDIT:
                credit -= entry.signed
            if entry.account != RECEIVABLE or entry.item is None:
                continue
            slot = (entry.document, entry.item)
            before = amounts.get(slot, Money.zero(currency))
            if before.is_zero() and entry.side is Side.DEBIT and entry.dated is not None:
                dated[slot] = entry.dated
                if slot in order:
                    order.remove(slot)
                order.append(slot)
            amounts[slot] = before + entry.signed
    items = tuple(
        OpenItem(bill_id=slot[0], kind=slot[1], amount=amounts[slot], dated=dated[slot])
        for slot in order
        if amounts[slot].amount > 0
    )
    return items, credit


def deposit_of(postings: Iterable[LedgerPosting], party: str, *, currency: str = "CNY") -> Money:
    """Return the deposit held for ``party``: the fold of its deposits-held entries."""
    held = Money.zero(currency)
    for posting in postings:
        if posting.party != party:
            continue
        for entry in posting.entries:
            if entry.account == DEPOSITS_HELD:
                held -= entry.signed
    return held


def arrears_book(
    postings: Iterable[LedgerPosting],
    *,
    classes: Mapping[str, str],
    areas: Mapping[str, str],
    currency: str = "CNY",
    unknown: str = "unknown",
) -> tuple[AccountArrears, ...]:
    """Return the arrears register's book as a fold of the ledger: each party with receivable
    entries, its open items, and its class and area from ``classes`` and ``areas``.

    Give it to :func:`~powerretail.collections.arrears.arrears_register`; it ages the same
    items as the book built from the stored receivables.
    """
    kept = list(postings)
    parties = sorted({p.party for p in kept if any(e.account == RECEIVABLE for e in p.entries)})
    return tuple(
        AccountArrears(
            account_id=party,
            customer_class=classes.get(party, unknown),
            area=areas.get(party, unknown),
            open_items=receivable_of(kept, party, currency=currency)[0],
        )
        for party in parties
    )


def opening_balance(
    party: str,
    *,
    open_items: Sequence[OpenItem],
    credit: Money,
    at: datetime,
    dated: date,
    deposit: Money | None = None,
) -> LedgerPosting | None:
    """Return the posting that carries ``party``'s balances in from before the ledger.

    Dr receivable for each open item (its bill, kind and date), Cr customer credit for the
    credit, Cr deposits held for the ``deposit``, and the difference on opening balances.
    ``None`` when there is nothing to carry.
    """
    entries = [
        Entry(
            account=RECEIVABLE,
            side=Side.DEBIT,
            amount=item.amount,
            document=item.bill_id,
            item=item.kind,
            dated=item.dated,
        )
        for item in open_items
        if item.amount.amount > 0
    ]
    if credit.amount > 0:
        entries.append(Entry(account=CUSTOMER_CREDIT, side=Side.CREDIT, amount=credit))
    if deposit is not None and deposit.amount > 0:
        entries.append(Entry(account=DEPOSITS_HELD, side=Side.CREDIT, amount=deposit))
    if not entries:
        return None
    net = sum_money((e.signed for e in entries), credit.currency)
    if not net.is_zero():
        side = Side.CREDIT if net.amount > 0 else Side.DEBIT
        entries.append(Entry(account=OPENING_BALANCES, side=side, amount=abs(net)))
    return _posting(
        f"opening/{party}",
        party=party,
        kind=PostingKind.OPENING,
        at=at,
        dated=dated,
        entries=entries,
        memo="balances carried in from before the ledger",
    )
