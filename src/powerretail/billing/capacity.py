"""Changes of capacity inside a billing period (变更用电): suspension, reduction, swap, increase.

An account's capacity is a dated history: the capacity installed before the first change
(:attr:`CapacityHistory.installed_kva`) and the changes in date order (:class:`CapacityChange`).
The bill engine cuts a period where the capacity (or what is charged for it) changes and prices
the basic charge, the kWh-per-kVA discount and the power-factor standard per piece; each piece's
basic-charge line says what changed, for how many days, and on which capacity it is billed.

The rules of each kind of change are data (:class:`ChangeRules`, with their source):

* 暂停 (suspension, 《供电营业规则》(1996) 第二十四条): at most 2 a calendar year, 180 days a year
  in all (six months of 30 days); the suspended capacity pays no basic charge from the sealing
  day, but a suspension shorter than 15 days pays it for its whole time, and past the yearly
  total the charge resumes;
* 减容 (capacity reduction, 第二十三条): the reduced capacity pays no basic charge from the sealing
  day; it is restored no earlier than 6 and no later than 24 calendar months after;
* within 2 years of a new or increased capacity, or of the end of a reduction, a suspension or
  reduction pays 50 % of the basic charge on its capacity (1996 rule; 发改办价格〔2016〕1583号
  lifted it: :data:`FGW2016`);
* 暂换 (temporary swap, 第二十五条): billed on the replacement transformer from the swap day; the
  replacement is used at most 2 calendar months at 10 kV and below, 3 at 35 kV and above
  (:class:`SwapLimit`, by :attr:`CapacityHistory.supply_voltage`): a swap back after that is
  refused, naming the rule (past it the supplier may stop supply, 中止供电);
* 新装/增容 (new or increased capacity): billed from the day it is connected.

:func:`check_change` is the same check as a pure validator a service workflow can call before it
accepts a request.

>>> history = CapacityHistory(installed_kva=630, changes=(
...     CapacityChange(kind=ChangeKind.SUSPEND, on="2025-07-11", kva=315),
...     CapacityChange(kind=ChangeKind.RESUME, on="2025-08-21", kva=315)))
>>> for segment in history.segments(DateRange.month(2025, 7)):
...     print(segment.period.start, segment.period.days, segment.billed_kva)
2025-07-01 10 630
2025-07-11 21 315
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

import attrs
from dateutil.relativedelta import relativedelta

from powerretail.billing._i18n import note_text
from powerretail.customers.parties import VoltageLevel
from powerretail.errors import InvalidInput
from powerretail.quantities import exact_decimal
from powerretail.timeframe import DateRange, as_date

__all__ = [
    "FGW2016",
    "GYGZ1996",
    "RULE_SETS",
    "SWAP_LIMITS_1996",
    "CapacityChange",
    "CapacityHistory",
    "CapacitySegment",
    "ChangeDecision",
    "ChangeKind",
    "ChangeRules",
    "SwapLimit",
    "check_change",
]

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)


class ChangeKind(enum.StrEnum):
    """A kind of change of use that changes the billed capacity."""

    INCREASE = "increase"
    SUSPEND = "suspend"
    RESUME = "resume"
    REDUCE = "reduce"
    RESTORE = "restore"
    SWAP = "swap"
    SWAP_BACK = "swap_back"

    @property
    def label_zh(self) -> str:
        """The Chinese term of the change."""
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        """The English term of the change."""
        return _LABELS[self][1]


_LABELS: Final = {
    ChangeKind.INCREASE: ("新装/增容", "new or increased capacity"),
    ChangeKind.SUSPEND: ("暂停", "suspension"),
    ChangeKind.RESUME: ("暂停恢复", "end of suspension"),
    ChangeKind.REDUCE: ("减容", "capacity reduction"),
    ChangeKind.RESTORE: ("减容恢复", "end of capacity reduction"),
    ChangeKind.SWAP: ("暂换", "temporary transformer swap"),
    ChangeKind.SWAP_BACK: ("暂换恢复", "end of transformer swap"),
}
#: The change each closing change ends.
_CLOSES: Final = {
    ChangeKind.RESUME: ChangeKind.SUSPEND,
    ChangeKind.RESTORE: ChangeKind.REDUCE,
    ChangeKind.SWAP_BACK: ChangeKind.SWAP,
}


def _check_int(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(field, value, "a whole number above zero")
    return value


def _to_suspension_times_per_year(value: object) -> int:
    return _check_int("suspension_times_per_year", value)


def _to_suspension_min_days(value: object) -> int:
    return _check_int("suspension_min_days", value)


def _to_suspension_days_per_year(value: object) -> int:
    return _check_int("suspension_days_per_year", value)


def _to_reduction_min_months(value: object) -> int:
    return _check_int("reduction_min_months", value)


def _to_reduction_max_months(value: object) -> int:
    return _check_int("reduction_max_months", value)


def _optional_notice(value: object) -> int | None:
    return None if value is None else _check_int("notice_days", value)


def _optional_years(value: object) -> int | None:
    return None if value is None else _check_int("two_year_rule_years", value)


def _share(value: object) -> Decimal:
    number = exact_decimal(value, "two_year_rule_share")
    if not _ZERO <= number <= _ONE:
        raise InvalidInput("two_year_rule_share", value, "a share from 0 to 1")
    return number


def _optional_band_kv(value: object) -> Decimal | None:
    return None if value is None else exact_decimal(value, "kv")


def _to_swap_months(value: object) -> int:
    return _check_int("swap_limit.months", value)


@attrs.frozen(kw_only=True)
class SwapLimit:
    """The longest a swapped-in transformer may be used (暂换), for supply voltages in a band.

    ``up_to_kv`` / ``from_kv`` bound the band, both ends included (``None``: open). ``months``
    are calendar months from the swap day: the swap back is due on the same day ``months``
    later at the latest (a legal period in months, 《民法典》第二百零二条).

    >>> SwapLimit(months=2, up_to_kv=10).band_zh
    '10千伏及以下'
    """

    months: int = attrs.field(converter=_to_swap_months)
    up_to_kv: Decimal | None = attrs.field(default=None, converter=_optional_band_kv)
    from_kv: Decimal | None = attrs.field(default=None, converter=_optional_band_kv)

    def __attrs_post_init__(self) -> None:
        if self.up_to_kv is None and self.from_kv is None:
            raise InvalidInput("swap_limit", self, "a band: up_to_kv, from_kv or both")

    def covers(self, kv: Decimal) -> bool:
        """Return whether a supply at ``kv`` [kV] is in the band."""
        return (self.from_kv is None or kv >= self.from_kv) and (
            self.up_to_kv is None or kv <= self.up_to_kv
        )

    @property
    def band_zh(self) -> str:
        """The band in the rule's words (``35千伏及以上``)."""
        low = f"{self.from_kv}千伏及以上" if self.from_kv is not None else ""
        high = f"{self.up_to_kv}千伏及以下" if self.up_to_kv is not None else ""
        return "、".join(part for part in (low, high) if part)


def _swap_limits(value: object) -> tuple[SwapLimit, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise InvalidInput("swap_limits", value, "a sequence of SwapLimit")
    if not all(isinstance(limit, SwapLimit) for limit in value):
        raise InvalidInput("swap_limits", value, "a sequence of SwapLimit")
    return tuple(value)


#: 《供电营业规则》(1996) 第二十五条: 暂换变压器的使用时间，10千伏及以下的不得超过二个月，
#: 35千伏及以上的不得超过三个月。
SWAP_LIMITS_1996: Final = (SwapLimit(months=2, up_to_kv=10), SwapLimit(months=3, from_kv=35))


@attrs.frozen(kw_only=True)
class ChangeRules:
    """The limits and charges of capacity changes under one rule set, with their source.

    * ``suspension_times_per_year`` / ``suspension_min_days`` / ``suspension_days_per_year`` —
      at most so many suspensions a calendar year; one shorter than the minimum pays the basic
      charge for its whole time; days suspended past the yearly total pay it again (six months
      are counted as 6 × 30 = 180 days, the 1/30-a-day convention of the basic charge);
    * ``reduction_min_months`` / ``reduction_max_months`` — a reduction is restored no earlier
      and no later than so many calendar months after its start (a legal period in months ends
      on the same day of the last month, 《民法典》第二百零二条);
    * ``two_year_rule_years`` / ``two_year_rule_share`` — a suspension or reduction starting
      within so many calendar years of a new or increased capacity or of the end of a reduction
      pays that share of the basic charge on its capacity; ``None`` when the rule set has no
      such rule;
    * ``notice_days`` — a change applied for (``CapacityChange.applied_on``) fewer than so many
      calendar days before its day is refused; ``None``: not checked (the 2016 notice counts
      5 working days: check those with :mod:`powerretail.calendars` before);
    * ``demand_suspends_whole`` — a user billed by maximum demand suspends its whole capacity
      (the bill engine refuses a partial suspension on the demand basis);
    * ``swap_limits`` — how long a swapped-in transformer may be used, by supply voltage: a swap
      back later than that is refused (``()``: no limit). A supply voltage not given, or in no
      band (20 kV), is held to the shortest limit, and the refusal says it assumed it.
    """

    name: str
    source: str
    suspension_times_per_year: int = attrs.field(default=2, converter=_to_suspension_times_per_year)
    suspension_min_days: int = attrs.field(default=15, converter=_to_suspension_min_days)
    suspension_days_per_year: int = attrs.field(default=180, converter=_to_suspension_days_per_year)
    reduction_min_months: int = attrs.field(default=6, converter=_to_reduction_min_months)
    reduction_max_months: int = attrs.field(default=24, converter=_to_reduction_max_months)
    two_year_rule_years: int | None = attrs.field(default=2, converter=_optional_years)
    two_year_rule_share: Decimal = attrs.field(default=Decimal("0.5"), converter=_share)
    demand_suspends_whole: bool = True
    notice_days: int | None = attrs.field(default=5, converter=_optional_notice)
    swap_limits: tuple[SwapLimit, ...] = attrs.field(
        default=SWAP_LIMITS_1996, converter=_swap_limits
    )


#: 《供电营业规则》(1996, 电力工业部令第8号) 第二十三条 (减容), 第二十四条 (暂停),
#: 第二十五条 (暂换).
GYGZ1996: Final = ChangeRules(
    name="GYGZ1996",
    source="《供电营业规则》(1996, 电力工业部令第8号) 第二十三条、第二十四条、第二十五条",
)
#: The 1996 rules as relaxed by 发改办价格〔2016〕1583号: no 50 % charge within two years.
FGW2016: Final = ChangeRules(
    name="FGW2016",
    source="《供电营业规则》(1996) 第二十三条至第二十五条；发改办价格〔2016〕1583号",
    two_year_rule_years=None,
    notice_days=None,
)
#: The rule sets by name.
RULE_SETS: Final = {rules.name: rules for rules in (GYGZ1996, FGW2016)}


def _kind(value: object) -> ChangeKind:
    if isinstance(value, ChangeKind):
        return value
    try:
        return ChangeKind(str(value))
    except ValueError:
        raise InvalidInput(
            "kind", value, "one of " + ", ".join(kind.value for kind in ChangeKind)
        ) from None


def _kva(value: object) -> Decimal:
    number = exact_decimal(value, "kva")
    if number <= 0:
        raise InvalidInput("kva", value, "a capacity above zero [kVA]")
    return number


def _optional_kva(value: object) -> Decimal | None:
    return None if value is None else _kva(value)


def _optional_standard(value: object) -> Decimal | None:
    return None if value is None else exact_decimal(value, "pf_standard")


def _on(value: object) -> date:
    return as_date(value, "on")


def _optional_applied(value: object) -> date | None:
    return None if value is None else as_date(value, "applied_on")


@attrs.frozen(kw_only=True)
class CapacityChange:
    """One change of capacity, in force from ``on`` (the sealing, unsealing or connection day).

    ``kva`` is the capacity the change concerns: added (increase), taken out of service
    (suspension, reduction, the transformer swapped out) or put back (their ends, which must
    name the capacity of the change they end). A swap gives the replacement's capacity in
    ``to_kva``. ``pf_standard`` is the power-factor standard from that day, when the change
    moves the account into another class (e.g. an increase past 100 kVA). ``applied_on`` is
    the day the user applied, when the rules' notice period is to be checked.
    """

    kind: ChangeKind = attrs.field(converter=_kind)
    on: date = attrs.field(converter=_on)
    kva: Decimal = attrs.field(converter=_kva)
    to_kva: Decimal | None = attrs.field(default=None, converter=_optional_kva)
    pf_standard: Decimal | None = attrs.field(default=None, converter=_optional_standard)
    applied_on: date | None = attrs.field(default=None, converter=_optional_applied)

    def __attrs_post_init__(self) -> None:
        if self.applied_on is not None and self.applied_on > self.on:
            raise InvalidInput("applied_on", self.applied_on, f"a day on or before {self.on}")
        if (self.kind is ChangeKind.SWAP) != (self.to_kva is not None):
            raise InvalidInput(
                "to_kva", self.to_kva, "the replacement's capacity on a swap, and only on a swap"
            )


@attrs.frozen(kw_only=True)
class ChangeDecision:
    """Whether a requested change is allowed; when refused, the rule and why."""

    allowed: bool
    rule: str = ""
    reason: str = ""


@attrs.frozen(kw_only=True)
class CapacitySegment:
    """Days over which the capacity and what is charged for it do not change.

    ``running_kva`` is the capacity in service (after suspensions, reductions and swaps);
    ``billed_kva`` the capacity the basic charge is billed on (the running capacity plus the
    share of suspended or reduced capacity the rules still charge). ``explanation_en`` /
    ``explanation_zh`` say the days and capacities, which changes are in force, why each is
    charged or not, and the rule (the basic-charge line's note).
    """

    period: DateRange
    installed_kva: Decimal
    running_kva: Decimal
    billed_kva: Decimal
    #: The capacity under suspension over the segment [kVA].
    suspended_kva: Decimal
    pf_standard: Decimal | None
    #: Whether any change is in force over the segment.
    changed: bool
    explanation_en: str
    explanation_zh: str


#: Installed, running, billed and suspended kVA on a day, with the reasons (note parts).
_State = tuple[Decimal, Decimal, Decimal, Decimal, tuple[str, ...]]


@attrs.frozen
class _Open:
    """A suspension, reduction or swap, from its start to its end (``None``: not ended)."""

    change: CapacityChange
    end: date | None
    #: The charged share under the two-year rule (0 when the rule does not apply).
    two_year_share: Decimal


def _sorted_changes(value: object) -> tuple[CapacityChange, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise InvalidInput("changes", value, "a sequence of CapacityChange")
    for index, change in enumerate(value):
        if not isinstance(change, CapacityChange):
            raise InvalidInput(f"changes[{index}]", change, "a CapacityChange")
    return tuple(value)


def _voltage(value: object) -> VoltageLevel | None:
    if value is None or isinstance(value, VoltageLevel):
        return value
    try:
        return VoltageLevel(str(value))
    except ValueError:
        raise InvalidInput(
            "supply_voltage", value, "a VoltageLevel or its kV, e.g. '10' or '0.38'"
        ) from None


def _rules(value: object) -> ChangeRules:
    if isinstance(value, ChangeRules):
        return value
    if isinstance(value, str) and value in RULE_SETS:
        return RULE_SETS[value]
    raise InvalidInput("rules", value, "a ChangeRules or one of " + ", ".join(RULE_SETS))


@attrs.frozen(kw_only=True)
class CapacityHistory:
    """An account's capacity over time: ``installed_kva`` before the first change, then ``changes``.

    Changes are given in date order and each must be allowed by ``rules`` given those before it
    (:func:`check_change`); a history that breaks a rule is refused, naming the rule. Give every
    change of the calendar year (and the last increase or reduction end of the past two years):
    the yearly limits count them. ``supply_voltage`` is the account's supply voltage, which sets
    how long a swap may last (``None``: not given, the shortest limit is assumed).

    Raises:
        InvalidInput: a change out of date order, or refused by ``rules``.
    """

    installed_kva: Decimal = attrs.field(converter=_kva)
    changes: tuple[CapacityChange, ...] = attrs.field(default=(), converter=_sorted_changes)
    rules: ChangeRules = attrs.field(default=GYGZ1996, converter=_rules)
    supply_voltage: VoltageLevel | None = attrs.field(default=None, converter=_voltage)

    def __attrs_post_init__(self) -> None:
        for index in range(len(self.changes)):
            before = CapacityHistory._unchecked(self, index)
            decision = check_change(before, self.changes[index])
            if not decision.allowed:
                raise InvalidInput(
                    f"changes[{index}]",
                    f"{self.changes[index].kind.value} on {self.changes[index].on}",
                    f"a change allowed by {decision.rule}: {decision.reason}",
                )

    @staticmethod
    def _unchecked(history: CapacityHistory, count: int) -> CapacityHistory:
        """Return ``history`` with its first ``count`` changes, without checking them again."""
        partial = object.__new__(CapacityHistory)
        object.__setattr__(partial, "installed_kva", history.installed_kva)
        object.__setattr__(partial, "changes", history.changes[:count])
        object.__setattr__(partial, "rules", history.rules)
        object.__setattr__(partial, "supply_voltage", history.supply_voltage)
        return partial

    def segments(self, period: DateRange) -> tuple[CapacitySegment, ...]:
        """Return ``period`` cut where the running or billed capacity or its reasons change."""
        return _segments(self, period)

    def refuse_partial_demand_suspension(self, segment: CapacitySegment) -> None:
        """Refuse a partial suspension over ``segment`` for a user billed by maximum demand.

        Raises:
            InvalidInput: part of the capacity is suspended, part runs, and the rules say a
                demand-billed user suspends its whole capacity.
        """
        if segment.suspended_kva and segment.running_kva and self.rules.demand_suspends_whole:
            raise InvalidInput(
                "account.capacity_history",
                f"{segment.suspended_kva} of {segment.installed_kva} kVA suspended "
                f"from {segment.period.start}",
                f"a suspension of the whole capacity on the demand basis "
                f"({self.rules.source}: 按最大需量计收基本电费的用户，暂停须全部容量)",
            )

    def running_kva_on(self, day: date) -> Decimal:
        """Return the capacity in service on ``day`` [kVA]."""
        return self._state_on(day, self._spells())[1]

    # ------------------------------------------------------------------ internals
    def _spells(self) -> tuple[_Open, ...]:
        """Every suspension, reduction and swap with its end and its two-year share."""
        spells: list[_Open] = []
        ends: dict[int, date] = {}
        for index, change in enumerate(self.changes):
            opened = _CLOSES.get(change.kind)
            if opened is None:
                continue
            for start_index in range(index):
                start = self.changes[start_index]
                if (
                    start.kind is opened
                    and start.kva == change.kva
                    and start_index not in ends
                    and start.on <= change.on
                ):
                    ends[start_index] = change.on
                    break
        for index, change in enumerate(self.changes):
            if change.kind in (ChangeKind.SUSPEND, ChangeKind.REDUCE, ChangeKind.SWAP):
                share = _ZERO
                if change.kind is not ChangeKind.SWAP and self._within_two_years(index):
                    share = self.rules.two_year_rule_share
                spells.append(_Open(change, ends.get(index), share))
        return tuple(spells)

    def _within_two_years(self, index: int) -> bool:
        years = self.rules.two_year_rule_years
        if years is None:
            return False
        on = self.changes[index].on
        return any(
            earlier.kind in (ChangeKind.INCREASE, ChangeKind.RESTORE)
            and earlier.on <= on < earlier.on + relativedelta(years=years)
            for earlier in self.changes[:index]
        )

    def _state_on(self, day: date, spells: tuple[_Open, ...]) -> _State:
        """Return installed, running and billed kVA on ``day`` with the reasons (zh, en)."""
        installed = self.installed_kva + sum(
            (c.kva for c in self.changes if c.kind is ChangeKind.INCREASE and c.on <= day), _ZERO
        )
        running = installed
        billed_extra = _ZERO
        suspended = _ZERO
        parts: list[str] = []
        rules = self.rules
        for spell in spells:
            change = spell.change
            if not (change.on <= day and (spell.end is None or day < spell.end)):
                continue
            since = f"{change.kind.label_en} of {change.kva} kVA from {change.on}"
            if change.kind is ChangeKind.SWAP:
                assert change.to_kva is not None
                running += change.to_kva - change.kva
                parts.append(f"{since} for {change.to_kva} kVA: billed on the replacement")
                continue
            running -= change.kva
            share, why = _ZERO, "not billed"
            if change.kind is ChangeKind.SUSPEND:
                suspended += change.kva
                short = (
                    spell.end is not None
                    and (spell.end - change.on).days < rules.suspension_min_days
                )
                if short:
                    share = _ONE
                    why = f"shorter than {rules.suspension_min_days} days, billed in full"
                elif self._suspended_days_before(day, spells) >= rules.suspension_days_per_year:
                    share = _ONE
                    why = f"{rules.suspension_days_per_year} days suspended this year, billed again"
            if not share and spell.two_year_share:
                share = spell.two_year_share
                why = (
                    f"within {rules.two_year_rule_years} years of an increase or restoration, "
                    f"billed at {share}"
                )
            billed_extra += change.kva * share
            parts.append(f"{since}: {why}")
        return installed, running, running + billed_extra, suspended, tuple(parts)

    def _suspended_days_before(self, day: date, spells: tuple[_Open, ...]) -> int:
        """Days of suspension in ``day``'s calendar year before ``day`` (all suspensions)."""
        year_start = date(day.year, 1, 1)
        total = 0
        for spell in spells:
            if spell.change.kind is not ChangeKind.SUSPEND:
                continue
            start = max(spell.change.on, year_start)
            end = day if spell.end is None else min(spell.end, day)
            total += max((end - start).days, 0)
        return total


def _segments(history: CapacityHistory, period: DateRange) -> tuple[CapacitySegment, ...]:
    if period.end is None:
        raise InvalidInput("period.end", None, "a closed period")
    spells = history._spells()
    segments: list[CapacitySegment] = []
    start = period.start
    key: tuple[_State, Decimal | None] | None = None
    for day in _days(period):
        state = (history._state_on(day, spells), _standard_on(history, day))
        if key is not None and state != key:
            segments.append(_segment(history, DateRange(start, day), *key))
            start = day
        key = state
    assert key is not None
    segments.append(_segment(history, DateRange(start, period.end), *key))
    return tuple(segments)


def _segment(
    history: CapacityHistory, period: DateRange, state: _State, standard: Decimal | None
) -> CapacitySegment:
    installed, running, billed, suspended, parts = state
    head = (
        f"{period.days} days: {installed} kVA installed, {running} kVA in service, "
        f"{billed} kVA billed"
    )
    english = "; ".join((head, *parts, f"rule: {history.rules.source}") if parts else (head,))
    return CapacitySegment(
        period=period,
        installed_kva=installed,
        running_kva=running,
        billed_kva=billed,
        suspended_kva=suspended,
        pf_standard=standard,
        changed=bool(parts),
        explanation_en=english,
        explanation_zh=note_text(english, "zh"),
    )


def _standard_on(history: CapacityHistory, day: date) -> Decimal | None:
    standard = None
    for change in history.changes:
        if change.on <= day and change.pf_standard is not None:
            standard = change.pf_standard
    return standard


def _days(period: DateRange) -> Iterator[date]:
    assert period.end is not None
    day = period.start
    while day < period.end:
        yield day
        day += timedelta(days=1)


def _swap_limit(history: CapacityHistory) -> tuple[SwapLimit, str] | None:
    """Return the swap limit of ``history``'s supply voltage and what was assumed (``""``)."""
    limits = history.rules.swap_limits
    if not limits:
        return None
    voltage = history.supply_voltage
    if voltage is not None:
        for limit in limits:
            if limit.covers(voltage.kv):
                return limit, ""
        why = f"{voltage.kv} kV is in no band of the rule"
    else:
        why = "supply voltage not given"
    shortest = min(limits, key=lambda limit: limit.months)
    return shortest, f"{why}: the shortest limit, {shortest.months} months, assumed"


def _swap_overrun(history: CapacityHistory, start: date, back: date) -> ChangeDecision | None:
    """Refuse a swap back on ``back`` of a swap from ``start`` that overran its limit."""
    found = _swap_limit(history)
    if found is None:
        return None
    limit, assumed = found
    latest = start + relativedelta(months=limit.months)
    if back <= latest:
        return None
    return ChangeDecision(
        allowed=False,
        rule=(
            f"{history.rules.source}：暂换变压器的使用时间，{limit.band_zh}的不得超过"
            f"{limit.months}个月，逾期不办理手续的，供电企业可中止供电"
        ),
        reason=(
            f"swapped from {start}: swap back on {latest} at the latest"
            + (f" ({assumed})" if assumed else "")
            + "; past it the supplier may stop supply"
        ),
    )


def check_change(history: CapacityHistory, request: CapacityChange) -> ChangeDecision:
    """Return whether ``request`` may follow ``history`` under ``history.rules``.

    A pure validator for a service workflow: nothing is changed. A refusal names the rule (its
    source) and says what the request breaks.

    >>> history = CapacityHistory(installed_kva=630)
    >>> check_change(history, CapacityChange(kind="suspend", on="2025-03-01", kva=800)).reason
    '800 kVA to take out of service, but 630 kVA runs on 2025-03-01'
    """
    rules = history.rules
    source = rules.source
    last = history.changes[-1].on if history.changes else None
    if last is not None and request.on < last:
        return ChangeDecision(
            allowed=False,
            rule=source,
            reason=f"changes in date order: {request.on} is before {last}",
        )
    spells = history._spells()
    kind = request.kind
    notice = rules.notice_days
    if notice is not None and request.applied_on is not None:
        lead = (request.on - request.applied_on).days
        if lead < notice:
            return ChangeDecision(
                allowed=False,
                rule=f"{source}：变更用电须提前{notice}天申请",
                reason=f"applied on {request.applied_on}, {lead} days before {request.on}",
            )
    if kind in (ChangeKind.SUSPEND, ChangeKind.REDUCE, ChangeKind.SWAP):
        running = history.running_kva_on(request.on)
        if request.kva > running:
            return ChangeDecision(
                allowed=False,
                rule=source,
                reason=(
                    f"{request.kva} kVA to take out of service, but {running} kVA runs on "
                    f"{request.on}"
                ),
            )
    if kind is ChangeKind.SUSPEND:
        year = request.on.year
        count = sum(
            1 for s in spells if s.change.kind is ChangeKind.SUSPEND and s.change.on.year == year
        )
        if count >= rules.suspension_times_per_year:
            return ChangeDecision(
                allowed=False,
                rule=f"{source}：暂停每一日历年内不超过{rules.suspension_times_per_year}次",
                reason=f"{count} suspensions already in {year}",
            )
        used = history._suspended_days_before(request.on, spells)
        if used >= rules.suspension_days_per_year:
            return ChangeDecision(
                allowed=False,
                rule=f"{source}：暂停累计时间每年不超过{rules.suspension_days_per_year}天",
                reason=f"{used} days suspended in {year} already",
            )
    if kind is ChangeKind.SWAP and any(
        s.change.kind is ChangeKind.SWAP and s.end is None for s in spells
    ):
        return ChangeDecision(
            allowed=False, rule=source, reason="one swap at a time: a swap is still in force"
        )
    opened = _CLOSES.get(kind)
    if opened is not None:
        spell = next(
            (
                s
                for s in spells
                if s.change.kind is opened and s.end is None and s.change.kva == request.kva
            ),
            None,
        )
        if spell is None:
            return ChangeDecision(
                allowed=False,
                rule=source,
                reason=f"no {opened.label_en} of {request.kva} kVA in force to end",
            )
        if kind is ChangeKind.SWAP_BACK:
            refused = _swap_overrun(history, spell.change.on, request.on)
            if refused is not None:
                return refused
        if kind is ChangeKind.RESTORE:
            start = spell.change.on
            earliest = start + relativedelta(months=rules.reduction_min_months)
            latest = start + relativedelta(months=rules.reduction_max_months)
            if request.on < earliest:
                return ChangeDecision(
                    allowed=False,
                    rule=f"{source}：减容期限不得少于{rules.reduction_min_months}个月",
                    reason=f"reduced from {start}: restore on {earliest} or later",
                )
            if request.on > latest:
                return ChangeDecision(
                    allowed=False,
                    rule=f"{source}：减容期限不超过{rules.reduction_max_months}个月",
                    reason=(
                        f"reduced from {start}: past {latest} the reduction stands and more "
                        "capacity is a new application"
                    ),
                )
    return ChangeDecision(allowed=True)
