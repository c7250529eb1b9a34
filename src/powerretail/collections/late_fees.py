"""Late-payment penalties (电费违约金): effective-dated rule sets, accrual day by day, explained.

A bill not paid by its deadline accrues a penalty on its unpaid principal for every overdue day,
from the day after the deadline through the payment day (both included). The daily rate depends
on the customer (residential 1‰; other users 2‰ on current-year arrears and 3‰ on arrears that
have crossed into a later calendar year) or on a rate agreed in the contract (1‰–3‰). Daily
amounts are simply added up, never compounded, and rounded once per bill, half-up to the fen;
a penalty below the rule set's minimum (1 yuan under GYGZ1996) is raised to it.

>>> from datetime import date
>>> fee = late_fee(Money("10000.00"), due_date=date(2024, 12, 20), paid_on=date(2025, 1, 10),
...                customer_kind=CustomerKind.NON_RESIDENTIAL)
>>> fee.amount
Money(amount=Decimal('520.00'), currency='CNY')
>>> print(fee.explain())
bill B: late fee 电费违约金 520.00 CNY (GYGZ2024, deadline 2024-12-20)
  2024-12-21..2024-12-31: 10000.00 × 0.002 × 11 d = 220.00000 [current_year 当年欠费] (...)
  2025-01-01..2025-01-10: 10000.00 × 0.003 × 10 d = 300.00000 [cross_year 跨年度欠费] (...)
  accrued 520.00000, rounded half-up to the fen once: 520.00

Choices (each documented in ``docs/explanation/late-fees-and-back-charges.md``):

* **Rule set by date**: a bill's rule set is the one in force on its *first overdue day* (the day
  the penalty starts to accrue); :class:`RuleSetDate` can switch this to the bill period's end.
  One rule set applies to a bill's whole window.
* **GYGZ2024 minimum**: kept at 1 yuan by default (the 2024 set is the 1996 set minus its known
  deletions) and marked ``uncertain``; :meth:`LateFeeRuleSet.without_minimum` drops it.
* **Cross-year boundary**: :class:`CrossYearBoundary`, default the calendar year of the first
  overdue day.
* **Partial payments**: a payment is allocated over principals and penalties by
  :class:`~powerretail.collections.allocation.AllocationOrder`; the penalty accrues on the unpaid
  principal day by day. The payment day still accrues on what was unpaid that morning.
* **Rounding point**: a bill's accrued penalty is rounded half-up to the fen once, when it is
  assessed; when a payment settles part of a penalty that is still accruing (penalty-first
  orders), the penalty accrued so far is rounded at that payment and later days are rounded when
  they are next settled or assessed.

Source: 《供电营业规则》(1996, 电力工业部令第8号) 第98条; 《电力供应与使用条例》第39条 (see
docs/explanation/sources.md).
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final, Literal

import attrs

from powerretail.collections.allocation import (
    AllocationOrder,
    ItemKind,
    OpenItem,
    PaymentAllocation,
    _bill_id,
    allocate_payment,
)
from powerretail.errors import InvalidInput, NotFound
from powerretail.quantities import MONEY_CONTEXT, Money, Rounding, exact_decimal, sum_money
from powerretail.timeframe import DateRange, as_date, in_force_on

__all__ = [
    "GYGZ1996",
    "GYGZ2024",
    "LATE_FEE_RULE_SETS",
    "TIAOLI_AGREED_RATE_RANGE",
    "AgreedRate",
    "AgreedRateRange",
    "BillLateFee",
    "CrossYearBoundary",
    "CrossYearRate",
    "CustomerKind",
    "DaysAfterNotice",
    "GivenDueDate",
    "LateFeeAssessment",
    "LateFeeBill",
    "LateFeePart",
    "LateFeePayment",
    "LateFeePolicy",
    "LateFeeRuleSet",
    "RateBasis",
    "RuleSetDate",
    "Status",
    "accrue",
    "assess_late_fees",
    "late_fee",
    "select_rule_set",
]

#: How well a number is established (the status marks of docs/explanation/sources.md).
Status = Literal["confirmed", "one_source", "uncertain"]


class CustomerKind(enum.Enum):
    """Which rate table applies: residential (居民) or any other user."""

    RESIDENTIAL = "residential"
    NON_RESIDENTIAL = "non_residential"


class RateBasis(enum.Enum):
    """Why a part of the overdue window accrues at its rate."""

    RESIDENTIAL = "residential"
    CURRENT_YEAR = "current_year"
    CROSS_YEAR = "cross_year"
    AGREED = "agreed"
    AGREED_CROSS_YEAR = "agreed_cross_year"

    @property
    def label_zh(self) -> str:
        """The Chinese term for this basis."""
        return _BASIS_ZH[self]


_BASIS_ZH: Final = {
    RateBasis.RESIDENTIAL: "居民用户",
    RateBasis.CURRENT_YEAR: "当年欠费",
    RateBasis.CROSS_YEAR: "跨年度欠费",
    RateBasis.AGREED: "合同约定",
    RateBasis.AGREED_CROSS_YEAR: "合同约定跨年度",
}


def _rate(value: object) -> Decimal:
    return exact_decimal(value, "daily_rate")


def _optional_rate(value: object) -> Decimal | None:
    return None if value is None else _rate(value)


def _daily_rate_range(
    _instance: object, attribute: attrs.Attribute[Any], value: Decimal | None
) -> None:
    if value is not None and not Decimal(0) <= value < 1:
        raise InvalidInput(attribute.name, value, "a daily rate from 0 up to (not including) 1")


def _optional_money(value: object) -> Money | None:
    if value is None:
        return None
    if not isinstance(value, Money) or value.amount < 0:
        raise InvalidInput("minimum", value, "Money of zero or more, or None")
    return value


@attrs.frozen(kw_only=True)
class LateFeeRuleSet:
    """The late-fee numbers of one instrument, in force over ``effective`` (half-open).

    Rates are per day on the unpaid principal [1/day]; ``minimum`` is the smallest penalty charged
    when any penalty accrues (``None``: no minimum).
    """

    key: str
    effective: DateRange
    residential_daily_rate: Decimal = attrs.field(converter=_rate, validator=_daily_rate_range)
    current_year_daily_rate: Decimal = attrs.field(converter=_rate, validator=_daily_rate_range)
    cross_year_daily_rate: Decimal = attrs.field(converter=_rate, validator=_daily_rate_range)
    rates_status: Status
    minimum: Money | None = attrs.field(converter=_optional_money)
    minimum_status: Status
    source: str
    #: ``source`` in Chinese; empty: ``source``.
    source_zh: str = ""

    def without_minimum(self) -> LateFeeRuleSet:
        """Return this rule set with no minimum penalty (e.g. if GYGZ2024 turns out to drop it)."""
        return attrs.evolve(
            self,
            minimum=None,
            source=f"{self.source}; minimum removed by configuration",
            source_zh=f"{self.source_zh or self.source}；按配置不设最低收取额",
        )


#: 《供电营业规则》 1996, in force 1996-10-08 → 2024-05-31.
GYGZ1996: Final = LateFeeRuleSet(
    key="GYGZ1996",
    effective=DateRange(date(1996, 10, 8), date(2024, 6, 1)),
    residential_daily_rate="0.001",
    current_year_daily_rate="0.002",
    cross_year_daily_rate="0.003",
    rates_status="confirmed",
    minimum=Money("1.00"),
    minimum_status="confirmed",
    source="《供电营业规则》(1996, 电力工业部令第8号) 第98条",
    source_zh="《供电营业规则》(1996, 电力工业部令第8号) 第98条",
)

#: 《供电营业规则》 2024 revision, in force from 2024-06-01. Rates as in 1996; whether the 1-yuan
#: minimum survives is not verified, so it is kept (1996 minus the revision's known deletions) and
#: marked uncertain.
GYGZ2024: Final = LateFeeRuleSet(
    key="GYGZ2024",
    effective=DateRange(date(2024, 6, 1), None),
    residential_daily_rate="0.001",
    current_year_daily_rate="0.002",
    cross_year_daily_rate="0.003",
    rates_status="one_source",
    minimum=Money("1.00"),
    minimum_status="uncertain",
    source="《供电营业规则》(2024), article not verified; as 1996 第98条",
    source_zh="《供电营业规则》(2024)（条款未核实，按1996年版第98条）",
)

#: The rule sets :func:`select_rule_set` chooses from, oldest first.
LATE_FEE_RULE_SETS: Final[tuple[LateFeeRuleSet, ...]] = (GYGZ1996, GYGZ2024)


def select_rule_set(
    on: date, rule_sets: Sequence[LateFeeRuleSet] = LATE_FEE_RULE_SETS
) -> LateFeeRuleSet:
    """Return the rule set in force on day ``on``.

    >>> select_rule_set(date(2024, 5, 31)).key, select_rule_set(date(2024, 6, 1)).key
    ('GYGZ1996', 'GYGZ2024')

    Raises:
        NotFound: no rule set is in force on that day.
    """
    return in_force_on(rule_sets, on, "late-fee rule set")


@attrs.frozen(kw_only=True)
class AgreedRateRange:
    """The range a contract may set a daily late-fee rate in [1/day], both ends included."""

    lowest: Decimal = attrs.field(converter=_rate, validator=_daily_rate_range)
    highest: Decimal = attrs.field(converter=_rate, validator=_daily_rate_range)
    source: str
    #: ``source`` in Chinese; empty: ``source``.
    source_zh: str = ""


#: 条例 Art. 39: the supply contract may agree a daily rate of 1‰ to 3‰.
TIAOLI_AGREED_RATE_RANGE: Final = AgreedRateRange(
    lowest="0.001", highest="0.003", source="《电力供应与使用条例》第39条"
)


@attrs.frozen(kw_only=True)
class AgreedRate:
    """A daily rate agreed in the supply contract, replacing the rule set's rates.

    ``cross_year_daily_rate`` (optional) applies to days in later calendar years; without it the
    one rate applies to every overdue day.

    Raises:
        InvalidInput: a rate outside ``allowed`` (1‰–3‰ by default).
    """

    daily_rate: Decimal = attrs.field(converter=_rate, validator=_daily_rate_range)
    cross_year_daily_rate: Decimal | None = attrs.field(
        default=None, converter=_optional_rate, validator=_daily_rate_range
    )
    contract_ref: str = ""
    allowed: AgreedRateRange = TIAOLI_AGREED_RATE_RANGE

    def __attrs_post_init__(self) -> None:
        for name in ("daily_rate", "cross_year_daily_rate"):
            value = getattr(self, name)
            if value is not None and not self.allowed.lowest <= value <= self.allowed.highest:
                raise InvalidInput(
                    name,
                    value,
                    f"a daily rate from {self.allowed.lowest} to {self.allowed.highest} "
                    f"({self.allowed.source})",
                )

    @property
    def source(self) -> str:
        """Where the rate comes from: the contract, within the statutory range."""
        contract = f"contract {self.contract_ref}" if self.contract_ref else "contract"
        return f"{contract}, agreed under {self.allowed.source}"

    @property
    def source_zh(self) -> str:
        """:attr:`source` in Chinese."""
        contract = f"合同 {self.contract_ref}" if self.contract_ref else "供用电合同"
        allowed = self.allowed
        return (
            f"{contract}（{allowed.source_zh or allowed.source}允许日费率"
            f"{_permille(allowed.lowest)}至{_permille(allowed.highest)}）"
        )


def _permille(rate: Decimal) -> str:
    """Return a daily rate in per mille: 0.002 → 2‰."""
    return f"{(rate * 1000).normalize():f}‰"


class CrossYearBoundary(enum.Enum):
    """Which overdue days count as current-year arrears (当年欠费) for non-residential users.

    * ``OVERDUE_YEAR`` (default) — days in the calendar year of the first overdue day; days from
      1 January of any later year are cross-year (跨年度欠费).
    * ``DUE_DATE_YEAR`` — days in the calendar year of the deadline (so a bill due on 31 December
      is cross-year from its first overdue day).

    Source: 《供电营业规则》(1996) 第98条 names the current-year and cross-year parts but not the
    boundary (interpretation ``[uncertain]``: a strategy).
    """

    OVERDUE_YEAR = "overdue_year"
    DUE_DATE_YEAR = "due_date_year"

    def current_year(self, first_overdue_day: date) -> int:
        """Return the calendar year whose days accrue at the current-year rate."""
        if self is CrossYearBoundary.DUE_DATE_YEAR:
            return (first_overdue_day - timedelta(days=1)).year
        return first_overdue_day.year


class CrossYearRate(enum.Enum):
    """Which days of a non-residential bill whose arrears crossed the year take the later rate.

    * ``BY_YEAR`` (default) — only the days from 1 January of the later year (see
      :class:`CrossYearBoundary`); the days before accrue at the current-year rate.
    * ``WHOLE_BILL`` — once any of the bill's principal is still unpaid on that 1 January, every
      overdue day of the bill takes the cross-year rate (as some supply companies apply 《供电营业
      规则》(1996) 第98条); the difference for the days already accrued is added that day.
    """

    BY_YEAR = "by_year"
    WHOLE_BILL = "whole_bill"


class RuleSetDate(enum.Enum):
    """Which date of a bill picks its rule set: the first overdue day (default) or period end."""

    FIRST_OVERDUE_DAY = "first_overdue_day"
    PERIOD_END = "period_end"


def _optional_date(value: object) -> date | None:
    return None if value is None else as_date(value, "date")


def _principal(_instance: object, _attribute: object, value: Money) -> None:
    if not isinstance(value, Money) or value.amount <= 0:
        raise InvalidInput("principal", value, "Money above zero")


@attrs.frozen(kw_only=True)
class LateFeeBill:
    """A bill as the late-fee calculator needs it.

    ``due_date`` is the payment deadline (the last day without penalty); ``notice_date`` is the day
    the bill notice reached the customer (for :class:`DaysAfterNotice`); ``period_end`` is the last
    day of the billing period (for :attr:`RuleSetDate.PERIOD_END`).
    """

    bill_id: str = attrs.field(converter=_bill_id)
    principal: Money = attrs.field(validator=_principal)
    customer_kind: CustomerKind = attrs.field(validator=attrs.validators.instance_of(CustomerKind))
    due_date: date | None = attrs.field(default=None, converter=_optional_date)
    notice_date: date | None = attrs.field(default=None, converter=_optional_date)
    period_end: date | None = attrs.field(default=None, converter=_optional_date)


@attrs.frozen
class GivenDueDate:
    """Deadline policy: the bill's own ``due_date`` (the default)."""

    description: str = "the due date printed on the bill"

    def deadline_of(self, bill: LateFeeBill) -> date:
        """Return the bill's deadline.

        Raises:
            InvalidInput: the bill has no ``due_date``.
        """
        if bill.due_date is None:
            raise InvalidInput(f"bills[{bill.bill_id}].due_date", None, "a due date")
        return bill.due_date


@attrs.frozen
class DaysAfterNotice:
    """Deadline policy: ``days`` calendar days after the bill notice reached the customer.

    One 1996 municipal notice started the penalty on the 8th day after the notice, i.e.
    ``DaysAfterNotice(7)``.
    """

    days: int = attrs.field()

    @days.validator
    def _non_negative(self, _attribute: object, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInput("days", value, "a whole number of days, zero or more")

    @property
    def description(self) -> str:
        """Say what the deadline is."""
        return f"{self.days} days after the bill notice"

    def deadline_of(self, bill: LateFeeBill) -> date:
        """Return the notice date plus ``days``.

        Raises:
            InvalidInput: the bill has no ``notice_date``.
        """
        if bill.notice_date is None:
            raise InvalidInput(f"bills[{bill.bill_id}].notice_date", None, "a notice date")
        return bill.notice_date + timedelta(days=self.days)


def _rule_sets(value: object) -> tuple[LateFeeRuleSet, ...]:
    if not isinstance(value, tuple | list) or not value:
        raise InvalidInput("rule_sets", value, "a non-empty sequence of LateFeeRuleSet")
    ordered = sorted(value, key=lambda rs: rs.effective.start)
    for earlier, later in itertools.pairwise(ordered):
        if earlier.effective.overlaps(later.effective):
            raise InvalidInput(
                "rule_sets", f"{earlier.key}, {later.key}", "rule sets whose dates do not overlap"
            )
    return tuple(ordered)


@attrs.frozen(kw_only=True)
class LateFeePolicy:
    """Every choice the late-fee calculator makes that the rules leave open."""

    deadline: GivenDueDate | DaysAfterNotice = attrs.field(factory=GivenDueDate)
    boundary: CrossYearBoundary = CrossYearBoundary.OVERDUE_YEAR
    cross_year_rate: CrossYearRate = CrossYearRate.BY_YEAR
    allocation: AllocationOrder = AllocationOrder.PRINCIPAL_FIRST
    rule_set_date: RuleSetDate = RuleSetDate.FIRST_OVERDUE_DAY
    rule_sets: tuple[LateFeeRuleSet, ...] = attrs.field(
        default=LATE_FEE_RULE_SETS, converter=_rule_sets
    )
    agreed_rate: AgreedRate | None = None
    rounding: Rounding = attrs.field(factory=Rounding)


@attrs.frozen(kw_only=True)
class LateFeePart:
    """A run of overdue days at one principal and one daily rate; ``amount`` is unrounded [元]."""

    first_day: date
    last_day: date
    principal: Money
    basis: RateBasis
    daily_rate: Decimal
    amount: Decimal
    source: str
    #: The rule in Chinese: the source and what it charges; empty: ``source``.
    source_zh: str = ""

    @property
    def days(self) -> int:
        """How many days the part holds (both ends included)."""
        return (self.last_day - self.first_day).days + 1

    def explain(self) -> str:
        """Return one line: the days, principal × rate × days = amount, the basis and source."""
        return (
            f"{self.first_day.isoformat()}..{self.last_day.isoformat()}: "
            f"{self.principal.amount} × {self.daily_rate} × {self.days} d = {self.amount} "
            f"[{self.basis.value} {self.basis.label_zh}] ({self.source})"
        )

    def as_dict(self) -> dict[str, object]:
        """Return the part as plain data: dates ISO, numbers and money as strings."""
        return {
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "days": self.days,
            "principal": str(self.principal.amount),
            "basis": self.basis.value,
            "daily_rate": str(self.daily_rate),
            "amount": str(self.amount),
            "source": self.source,
            "source_zh": self.source_zh,
        }

    def rule_text(self, language: str) -> str:
        """Return the rule of the part in ``"zh"`` (when it has one) or in ``"en"``."""
        return (self.source_zh or self.source) if language == "zh" else self.source


#: A rate and why: the basis, the daily rate, the source and the source in Chinese.
_Rate = tuple[RateBasis, Decimal, str, str]


def accrue(
    principal: Money,
    days: DateRange,
    *,
    first_overdue_day: date,
    customer_kind: CustomerKind,
    rule_set: LateFeeRuleSet,
    agreed_rate: AgreedRate | None = None,
    boundary: CrossYearBoundary = CrossYearBoundary.OVERDUE_YEAR,
    cross_year_rate: CrossYearRate = CrossYearRate.BY_YEAR,
) -> tuple[LateFeePart, ...]:
    """Return the unrounded penalty parts for ``principal`` unpaid over ``days`` (half-open).

    Days falling before 1 January after the current year (see ``boundary``) accrue at the
    current-year rate, later ones at the cross-year rate; residential users have one rate; an
    agreed contract rate replaces the rule set's. The parts of two adjacent ranges add up to the
    parts of their union. With ``cross_year_rate=CrossYearRate.WHOLE_BILL`` a range that reaches
    the later year accrues at the cross-year rate on every day (the bill calculator also
    reprices the days accrued before).

    Raises:
        InvalidInput: ``days`` is open, or starts before ``first_overdue_day``.

    Source: 《供电营业规则》(1996, 电力工业部令第8号) 第98条; 《电力供应与使用条例》第39条.
    """
    if days.end is None:
        raise InvalidInput("days", str(days), "a closed range of overdue days")
    if days.start < first_overdue_day:
        raise InvalidInput(
            "days.start", days.start.isoformat(), f"a day on or after {first_overdue_day}"
        )
    single, current, later = _rates(customer_kind, rule_set, agreed_rate)
    if single is not None:
        pieces: tuple[tuple[DateRange, _Rate], ...] = ((days, single),)
    elif cross_year_rate is CrossYearRate.WHOLE_BILL and days.end > _new_year(
        boundary, first_overdue_day
    ):
        pieces = ((days, later),)
    else:
        new_year = _new_year(boundary, first_overdue_day)
        pieces = tuple(
            (piece, current if piece.start < new_year else later)
            for piece in days.split_at(new_year)
        )
    return tuple(_part(principal, piece, rate) for piece, rate in pieces)


def _new_year(boundary: CrossYearBoundary, first_overdue_day: date) -> date:
    """The first day of arrears that have crossed the year."""
    return date(boundary.current_year(first_overdue_day) + 1, 1, 1)


def _part(principal: Money, piece: DateRange, rate: _Rate) -> LateFeePart:
    basis, daily, source, source_zh = rate
    return LateFeePart(
        first_day=piece.start,
        last_day=piece.last_day,
        principal=principal,
        basis=basis,
        daily_rate=daily,
        amount=MONEY_CONTEXT.multiply(principal.scaled(daily), Decimal(piece.days)),
        source=source,
        source_zh=f"{source_zh}：{basis.label_zh}每日按欠费金额的 {_permille(daily)} 计收",
    )


def _rates(
    customer_kind: CustomerKind, rule_set: LateFeeRuleSet, agreed_rate: AgreedRate | None
) -> tuple[_Rate | None, _Rate, _Rate]:
    """Return the single rate (residential, or an agreed one), the current-year and later rate."""
    if agreed_rate is not None:
        single: _Rate | None = (
            (RateBasis.AGREED, agreed_rate.daily_rate, agreed_rate.source, agreed_rate.source_zh)
            if agreed_rate.cross_year_daily_rate is None
            else None
        )
        current = (
            RateBasis.AGREED,
            agreed_rate.daily_rate,
            agreed_rate.source,
            agreed_rate.source_zh,
        )
        later = (
            RateBasis.AGREED_CROSS_YEAR,
            agreed_rate.cross_year_daily_rate or agreed_rate.daily_rate,
            agreed_rate.source,
            agreed_rate.source_zh,
        )
        return single, current, later
    zh = rule_set.source_zh or rule_set.source
    single = (
        (RateBasis.RESIDENTIAL, rule_set.residential_daily_rate, rule_set.source, zh)
        if customer_kind is CustomerKind.RESIDENTIAL
        else None
    )
    current = (RateBasis.CURRENT_YEAR, rule_set.current_year_daily_rate, rule_set.source, zh)
    later = (RateBasis.CROSS_YEAR, rule_set.cross_year_daily_rate, rule_set.source, zh)
    return single, current, later


def _paid_on(value: object) -> date:
    return as_date(value, "paid_on")


def _payment_id(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("payment_id", value, "a non-blank payment id")
    return value.strip()


def _allocation_order(_instance: object, _attribute: object, value: AllocationOrder | None) -> None:
    if value is not None and not isinstance(value, AllocationOrder):
        raise InvalidInput(
            "allocation",
            value,
            f"an AllocationOrder ({', '.join(o.name for o in AllocationOrder)})",
        )


def _payment_amount(_instance: object, _attribute: object, value: Money) -> None:
    if not isinstance(value, Money) or value.amount <= 0:
        raise InvalidInput("amount", value, "Money above zero")


@attrs.frozen(kw_only=True)
class LateFeePayment:
    """Money the customer paid on ``paid_on``, to be allocated over the account's open items.

    ``allocation`` is the order the payment was posted with, when it was not the policy's (an
    app may post a payment bill by bill); ``None`` uses ``LateFeePolicy.allocation``. Replaying
    each payment in its own order keeps the assessment on the principal the receivable says is
    unpaid.
    """

    payment_id: str = attrs.field(converter=_payment_id)
    paid_on: date = attrs.field(converter=_paid_on)
    amount: Money = attrs.field(validator=_payment_amount)
    allocation: AllocationOrder | None = attrs.field(default=None, validator=_allocation_order)


@attrs.frozen(kw_only=True)
class BillLateFee:
    """One bill's late fee, explained: the parts, the rule set, the rounding and the minimum.

    ``accrued`` is the penalty rounded to the fen (once, or once per settlement under a
    penalty-first order); ``amount`` is ``accrued`` raised to the rule set's minimum when any
    penalty accrued (``floor_applied``). ``paid`` is what payments settled of it.
    """

    bill_id: str
    customer_kind: CustomerKind
    rule_set: LateFeeRuleSet
    deadline: date
    parts: tuple[LateFeePart, ...]
    accrued: Money
    amount: Money
    floor_applied: bool
    paid: Money
    principal_outstanding: Money
    rounding_points: int

    @property
    def first_overdue_day(self) -> date:
        """The day after the deadline: the first day that accrues."""
        return self.deadline + timedelta(days=1)

    @property
    def unrounded(self) -> Decimal:
        """The exact sum of the parts [元], before any rounding."""
        return sum((part.amount for part in self.parts), Decimal(0))

    @property
    def overdue_days(self) -> int:
        """How many overdue days accrued a penalty (days with unpaid principal)."""
        return sum(part.days for part in self.parts)

    @property
    def outstanding(self) -> Money:
        """The penalty still owed."""
        return self.amount - self.paid

    def as_dict(self) -> dict[str, object]:
        """Return the late fee as plain data (for JSON): money and rates as strings."""
        minimum = self.rule_set.minimum
        return {
            "bill_id": self.bill_id,
            "customer_kind": self.customer_kind.value,
            "rule_set": self.rule_set.key,
            "rule_set_source": self.rule_set.source,
            "minimum": None if minimum is None else str(minimum.amount),
            "minimum_status": self.rule_set.minimum_status,
            "deadline": self.deadline.isoformat(),
            "parts": [part.as_dict() for part in self.parts],
            "unrounded": str(self.unrounded),
            "accrued": str(self.accrued.amount),
            "floor_applied": self.floor_applied,
            "amount": str(self.amount.amount),
            "paid": str(self.paid.amount),
            "outstanding": str(self.outstanding.amount),
            "principal_outstanding": str(self.principal_outstanding.amount),
            "rounding_points": self.rounding_points,
        }

    def explain(self) -> str:
        """Return a readable breakdown: one line per part, then the rounding and the minimum."""
        heading = (
            f"bill {self.bill_id}: late fee 电费违约金 {self.amount} "
            f"({self.rule_set.key}, deadline {self.deadline.isoformat()})"
        )
        lines = [heading]
        lines += [f"  {part.explain()}" for part in self.parts]
        if not self.parts:
            lines.append("  not overdue 未逾期: no late fee")
            return "\n".join(lines)
        when = "once" if self.rounding_points <= 1 else f"at {self.rounding_points} settlements"
        lines.append(
            f"  accrued {self.unrounded}, rounded half-up to the fen {when}: {self.accrued.amount}"
        )
        if self.floor_applied:
            lines.append(
                f"  below the minimum 不足最低额: raised to {self.amount.amount} "
                f"({self.rule_set.key}, minimum {self.rule_set.minimum_status})"
            )
        return "\n".join(lines)


@attrs.frozen(kw_only=True)
class LateFeeAssessment:
    """The late fees of an account's bills through a day, with every payment's allocation."""

    through: date
    policy: LateFeePolicy
    bills: tuple[BillLateFee, ...]
    allocations: tuple[PaymentAllocation, ...]
    credit: Money

    @property
    def total(self) -> Money:
        """The sum of the bills' late fees."""
        currency = self.credit.currency
        return sum_money((bill.amount for bill in self.bills), currency)

    def for_bill(self, bill_id: str) -> BillLateFee:
        """Return the late fee of ``bill_id``.

        Raises:
            NotFound: no such bill in the assessment.
        """
        for bill in self.bills:
            if bill.bill_id == bill_id:
                return bill
        raise NotFound("bill", bill_id)

    def explain(self) -> str:
        """Return every bill's breakdown and the total."""
        body = "\n".join(bill.explain() for bill in self.bills)
        through = self.through.isoformat()
        return f"{body}\ntotal late fees 违约金合计 through {through}: {self.total}"


@attrs.define
class _Running:
    """Mutable working state of one bill while payments are replayed (never leaves this module)."""

    bill: LateFeeBill
    rule_set: LateFeeRuleSet
    deadline: date
    principal: Money
    next_day: date
    parts: list[LateFeePart]
    pending: Decimal
    accrued: Money
    paid: Money
    rounding_points: int = 0

    @property
    def first_overdue_day(self) -> date:
        return self.deadline + timedelta(days=1)

    def accrue_through(self, last_day: date, policy: LateFeePolicy) -> None:
        end = last_day + timedelta(days=1)
        if end <= self.next_day:
            return
        if not self.principal.is_zero():
            new = accrue(
                self.principal,
                DateRange(self.next_day, end),
                first_overdue_day=self.first_overdue_day,
                customer_kind=self.bill.customer_kind,
                rule_set=self.rule_set,
                agreed_rate=policy.agreed_rate,
                boundary=policy.boundary,
                cross_year_rate=policy.cross_year_rate,
            )
            if policy.cross_year_rate is CrossYearRate.WHOLE_BILL and (
                end > _new_year(policy.boundary, self.first_overdue_day)
            ):
                self._reprice_as_cross_year(policy)
            self.parts.extend(new)
            self.pending += sum((part.amount for part in new), Decimal(0))
        self.next_day = end

    def _reprice_as_cross_year(self, policy: LateFeePolicy) -> None:
        """Reprice the parts accrued at the current-year rate at the cross-year rate."""
        _, current, later = _rates(self.bill.customer_kind, self.rule_set, policy.agreed_rate)
        parts = []
        for part in self.parts:
            if part.basis is current[0] and later[0] is not current[0]:
                repriced = _part(
                    part.principal, DateRange(part.first_day, part.last_day + timedelta(1)), later
                )
                self.pending += repriced.amount - part.amount
                parts.append(repriced)
            else:
                parts.append(part)
        self.parts[:] = parts

    def penalty_if_settled(self, rounding: Rounding) -> tuple[Money, Money]:
        """Return (accrued rounded now, amount after the minimum)."""
        accrued = self.accrued + rounding.to_money(self.pending, self.accrued.currency)
        minimum = self.rule_set.minimum
        has_accrued = any(part.amount > 0 for part in self.parts)
        if has_accrued and minimum is not None and accrued < minimum:
            return accrued, minimum
        return accrued, accrued

    def settle_rounding(self, rounding: Rounding) -> None:
        if self.pending:
            self.rounding_points += 1
        self.accrued, _ = self.penalty_if_settled(rounding)
        self.pending = Decimal(0)


def _rule_set_day(bill: LateFeeBill, first_overdue_day: date, policy: LateFeePolicy) -> date:
    if policy.rule_set_date is RuleSetDate.PERIOD_END:
        if bill.period_end is None:
            raise InvalidInput(f"bills[{bill.bill_id}].period_end", None, "a period end date")
        return bill.period_end
    return first_overdue_day


def assess_late_fees(
    bills: Sequence[LateFeeBill],
    payments: Sequence[LateFeePayment] = (),
    *,
    through: date,
    policy: LateFeePolicy | None = None,
) -> LateFeeAssessment:
    """Return each bill's late fee through day ``through`` (included), replaying ``payments``.

    Payments are applied in date order (then by id): on its day each one first lets that day
    accrue on what was unpaid, then is allocated over the open principals and penalties by its
    own ``allocation`` or else ``policy.allocation``; what is left over is account credit.
    Penalties accrue only on unpaid principal, never on penalties.

    Raises:
        InvalidInput: duplicate bill or payment ids, mixed currencies, a payment after
            ``through``, or a bill lacking the date its policy needs.
        NotFound: no rule set in force on a bill's rule-set date.

    Source: 《供电营业规则》(1996) 第98条 (allocation order and boundary are policies).
    """
    policy = policy or LateFeePolicy()
    last_day = as_date(through, "through")
    if not bills:
        raise InvalidInput("bills", (), "at least one bill")
    currency = bills[0].principal.currency
    running: dict[str, _Running] = {}
    for bill in bills:
        if bill.bill_id in running:
            raise InvalidInput("bills", bill.bill_id, "each bill id once")
        if bill.principal.currency != currency:
            raise InvalidInput(f"bills[{bill.bill_id}].principal", str(bill.principal), currency)
        deadline = policy.deadline.deadline_of(bill)
        first_overdue = deadline + timedelta(days=1)
        rule_set = select_rule_set(_rule_set_day(bill, first_overdue, policy), policy.rule_sets)
        running[bill.bill_id] = _Running(
            bill=bill,
            rule_set=rule_set,
            deadline=deadline,
            principal=bill.principal,
            next_day=first_overdue,
            parts=[],
            pending=Decimal(0),
            accrued=Money.zero(currency),
            paid=Money.zero(currency),
        )
    _check_payments(payments, currency)
    allocations: list[PaymentAllocation] = []
    credit = Money.zero(currency)
    for payment in sorted(payments, key=lambda p: (p.paid_on, p.payment_id)):
        if payment.paid_on > last_day:
            raise InvalidInput(
                f"payments[{payment.payment_id}].paid_on",
                payment.paid_on.isoformat(),
                f"a day on or before through ({last_day})",
            )
        for state in running.values():
            state.accrue_through(payment.paid_on, policy)
        result = allocate_payment(
            payment.amount, _open_items(running, policy), payment.allocation or policy.allocation
        )
        for part in result.allocations:
            state = running[part.bill_id]
            if part.kind is ItemKind.PRINCIPAL:
                state.principal = state.principal - part.amount
            else:
                state.settle_rounding(policy.rounding)
                state.paid = state.paid + part.amount
        allocations.append(result)
        credit = credit + result.credit
    results = []
    for state in running.values():
        state.accrue_through(last_day, policy)
        state.settle_rounding(policy.rounding)
        accrued, amount = state.penalty_if_settled(policy.rounding)
        results.append(
            BillLateFee(
                bill_id=state.bill.bill_id,
                customer_kind=state.bill.customer_kind,
                rule_set=state.rule_set,
                deadline=state.deadline,
                parts=tuple(state.parts),
                accrued=accrued,
                amount=amount,
                floor_applied=amount != accrued,
                paid=state.paid,
                principal_outstanding=state.principal,
                rounding_points=state.rounding_points,
            )
        )
    return LateFeeAssessment(
        through=last_day,
        policy=policy,
        bills=tuple(results),
        allocations=tuple(allocations),
        credit=credit,
    )


def _check_payments(payments: Sequence[LateFeePayment], currency: str) -> None:
    seen: set[str] = set()
    for payment in payments:
        if payment.payment_id in seen:
            raise InvalidInput("payments", payment.payment_id, "each payment id once")
        seen.add(payment.payment_id)
        if payment.amount.currency != currency:
            raise InvalidInput(
                f"payments[{payment.payment_id}].amount", str(payment.amount), currency
            )


def _open_items(running: dict[str, _Running], policy: LateFeePolicy) -> tuple[OpenItem, ...]:
    items = []
    for state in running.values():
        if not state.principal.is_zero():
            items.append(
                OpenItem(
                    bill_id=state.bill.bill_id,
                    kind=ItemKind.PRINCIPAL,
                    amount=state.principal,
                    dated=state.deadline,
                )
            )
        _, amount = state.penalty_if_settled(policy.rounding)
        owed = amount - state.paid
        if owed.amount > 0:
            items.append(
                OpenItem(
                    bill_id=state.bill.bill_id,
                    kind=ItemKind.LATE_FEE,
                    amount=owed,
                    dated=state.deadline,
                )
            )
    return tuple(items)


def late_fee(
    principal: Money,
    *,
    due_date: date,
    paid_on: date,
    customer_kind: CustomerKind,
    policy: LateFeePolicy | None = None,
    bill_id: str = "B",
) -> BillLateFee:
    """Return the late fee on ``principal``, due on ``due_date`` and paid in full on ``paid_on``.

    >>> late_fee(Money("50.00"), due_date=date(2024, 3, 1), paid_on=date(2024, 3, 4),
    ...          customer_kind=CustomerKind.RESIDENTIAL).amount
    Money(amount=Decimal('1.00'), currency='CNY')

    Raises:
        InvalidInput: see :func:`assess_late_fees`.
        NotFound: no rule set in force on the rule-set date.
    """
    bill = LateFeeBill(
        bill_id=bill_id, principal=principal, customer_kind=customer_kind, due_date=due_date
    )
    return assess_late_fees((bill,), (), through=paid_on, policy=policy).bills[0]
