"""Estimation: register estimates from history, interval gaps filled linearly or from like days.

* Register reads: :attr:`EstimationMethod.PREVIOUS_PERIOD` (the national rule: bill provisionally
  at the previous period's consumption) or :attr:`EstimationMethod.AVERAGE_LAST_3` (the seed rule:
  the average of the previous three months). :data:`NATIONAL_POLICY` and :data:`SEED_POLICY` hold
  the choice as data.
* Interval gaps: a gap of at most two hours between two actual values is filled on the straight
  line between them (VEE V14); a longer gap, a gap at an end of the series, or one next to an
  outage is filled from the same time on the three nearest like days (VEE V15).

Every estimate carries its method; actual values and final estimates are never replaced; filling
the gaps of an already filled series gives the same series again (RELIABILITY R17).

>>> from powerretail.metering.reads import IntervalSeries
>>> series = IntervalSeries.of_actuals(
...     meter_id="M-1", start="2025-01-01T00:00+08:00", values=["1.0", None, None, "2.5"])
>>> filled, gaps = fill_interval_gaps(series)
>>> filled.values
(Decimal('1.0'), Decimal('1.5000'), Decimal('2.0000'), Decimal('2.5'))
>>> gaps[0].method
<EstimationMethod.LINEAR: 'linear'>
"""

from __future__ import annotations

import datetime as _dt
import decimal
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

import attrs

from powerretail.calendars import WeekendCalendar
from powerretail.errors import InvalidInput
from powerretail.metering.consumption import consumption
from powerretail.metering.meters import Meter, MeterEvent
from powerretail.metering.reads import (
    EstimationMethod,
    IntervalQuality,
    IntervalSeries,
    ReadSource,
    RegisterRead,
    utc_instants,
)
from powerretail.quantities import MONEY_CONTEXT, Energy
from powerretail.timeframe import DEFAULT_TIMEZONE, as_instant, timezone

__all__ = [
    "NATIONAL_POLICY",
    "SEED_POLICY",
    "EstimationPolicy",
    "Gap",
    "RegisterEstimate",
    "WorkingDayCalendar",
    "estimate_register_read",
    "fill_interval_gaps",
    "find_gaps",
    "scale_estimates",
]

#: Interval qualities VEE may (re)estimate; actual, substituted and final values are kept.
_REESTIMABLE = frozenset({IntervalQuality.MISSING, IntervalQuality.ESTIMATED})


class WorkingDayCalendar(Protocol):
    """Anything that says whether a local date is a working day (for like-day estimation).

    The business calendars of :mod:`powerretail.calendars` have this method, so the
    mainland-China calendar (holidays and make-up working days, 调休) can be passed as it is.
    """

    def is_working_day(self, day: date) -> bool:
        """Return whether ``day`` is a working day."""


@attrs.frozen(kw_only=True)
class EstimationPolicy:
    """Which estimation methods to use, as data with a source."""

    name: str
    register_method: EstimationMethod
    short_gap_minutes: int = 120
    like_days: int = 3
    source: str


#: The national rule: previous period's consumption; CA's 2-hour linear limit; 3 like days.
NATIONAL_POLICY = EstimationPolicy(
    name="national",
    register_method=EstimationMethod.PREVIOUS_PERIOD,
    source=(
        "《供电营业规则》(1996, 电力工业部令第8号) (暂按前次用电量); "
        "VEE V14 (≤ 2 h linear), V15 (3 like days)"
    ),
)
#: The seed documents' rule: the average of the previous three months.
SEED_POLICY = EstimationPolicy(
    name="seed",
    register_method=EstimationMethod.AVERAGE_LAST_3,
    source="SEED 供电所抄、核、收管理制度 (按该户前三个月平均电量估算); VEE V14, V15",
)


@attrs.frozen(kw_only=True)
class RegisterEstimate:
    """An estimated read and how it was made: the energy [kWh] and the periods it came from."""

    read: RegisterRead
    energy: Energy
    basis: tuple[Energy, ...]


def _places(values: Sequence[Decimal]) -> Decimal:
    exponent = min((v.as_tuple().exponent for v in values), default=0)
    return Decimal(1).scaleb(min(int(exponent), 0))


def estimate_register_read(
    *,
    meter: Meter,
    history: Sequence[RegisterRead],
    at: _dt.datetime,
    method: EstimationMethod = EstimationMethod.PREVIOUS_PERIOD,
    produced_by: str = "VEE",
    unreadable: bool = False,
) -> RegisterEstimate:
    """Return an estimated read of ``meter`` at ``at`` from the reads before it.

    ``PREVIOUS_PERIOD`` repeats the last period's consumption; ``AVERAGE_LAST_3`` uses the average
    of the last three periods. The register value keeps as many decimals as the reads have
    (rounded half up) and rolls over at ``10 ** register_digits``.

    Raises:
        InvalidInput: a method that is not a register method, or too few earlier reads (two for
            the previous period, four for three periods).

    Source: 《供电营业规则》(1996, 电力工业部令第8号) (national), 供电所抄、核、收管理制度 (seed).
    """
    moment = as_instant(at, "at")
    earlier = sorted((r for r in history if r.read_at < moment), key=lambda r: r.read_at)
    periods = {EstimationMethod.PREVIOUS_PERIOD: 1, EstimationMethod.AVERAGE_LAST_3: 3}
    if method not in periods:
        raise InvalidInput("method", method.value, "previous_period or average_last_3")
    needed = periods[method]
    if len(earlier) < needed + 1:
        raise InvalidInput(
            "history",
            len(earlier),
            f"at least {needed + 1} reads before {moment} for {method.value}",
        )
    window = earlier[-(needed + 1) :]
    basis = tuple(consumption(window[i], window[i + 1], meter) for i in range(needed))
    energy = Energy(MONEY_CONTEXT.divide(sum(e.kwh for e in basis), Decimal(needed)))
    last = window[-1]
    step = _places([r.value for r in window])
    units = MONEY_CONTEXT.divide(energy.kwh, meter.multiplier)
    value = (last.value + units).quantize(step, rounding=decimal.ROUND_HALF_UP) % meter.rollover_at
    read = RegisterRead(
        meter_id=meter.id,
        register=last.register,
        read_at=moment,
        value=value,
        source=ReadSource.ESTIMATED,
        produced_by=produced_by,
        method=method,
        unreadable=unreadable,
    )
    return RegisterEstimate(read=read, energy=energy, basis=basis)


@attrs.frozen(kw_only=True)
class Gap:
    """A run of intervals to estimate: ``[first, first + length)``, and how it will be filled."""

    first: int
    length: int
    method: EstimationMethod
    left_anchor: int | None
    right_anchor: int | None

    @property
    def indices(self) -> range:
        """The interval indices of the gap."""
        return range(self.first, self.first + self.length)


def _is_anchor(series: IntervalSeries, index: int) -> bool:
    if not 0 <= index < len(series.values):
        return False
    if series.quality[index] is not IntervalQuality.ACTUAL:
        return False
    return MeterEvent.OUTAGE not in series.events.get(index, frozenset())


def find_gaps(series: IntervalSeries, *, short_gap_minutes: int = 120) -> tuple[Gap, ...]:
    """Return the runs of missing (or earlier estimated) intervals, each with its method.

    A run is LINEAR when it lasts at most ``short_gap_minutes`` and has an actual,
    non-outage value on both sides (VEE V12, V14); otherwise LIKE_DAY (V15).
    """
    gaps: list[Gap] = []
    index = 0
    count = len(series.quality)
    while index < count:
        if series.quality[index] not in _REESTIMABLE:
            index += 1
            continue
        first = index
        while index < count and series.quality[index] in _REESTIMABLE:
            index += 1
        length = index - first
        left = first - 1 if _is_anchor(series, first - 1) else None
        right = index if _is_anchor(series, index) else None
        short = length * series.step_minutes <= short_gap_minutes
        method = (
            EstimationMethod.LINEAR
            if short and left is not None and right is not None
            else EstimationMethod.LIKE_DAY
        )
        gaps.append(
            Gap(first=first, length=length, method=method, left_anchor=left, right_anchor=right)
        )
    return tuple(gaps)


_QUANTUM = Decimal("0.0001")


def _linear(series: IntervalSeries, gap: Gap) -> dict[int, Decimal]:
    assert gap.left_anchor is not None
    assert gap.right_anchor is not None
    low = series.values[gap.left_anchor]
    high = series.values[gap.right_anchor]
    assert low is not None
    assert high is not None
    bottom, top = min(low, high), max(low, high)
    steps = Decimal(gap.length + 1)
    filled = {}
    for k, index in enumerate(gap.indices, start=1):
        exact = low + MONEY_CONTEXT.divide((high - low) * k, steps)
        value = exact.quantize(_QUANTUM, rounding=decimal.ROUND_HALF_EVEN)
        filled[index] = min(max(value, bottom), top)
    return filled


def _day_kind(day: date, calendar: WorkingDayCalendar) -> str:
    # A working Saturday (调休) is a workday; a non-working weekday is a holiday.
    if calendar.is_working_day(day):
        return "workday"
    weekday = day.weekday()
    return "saturday" if weekday == 5 else "sunday" if weekday == 6 else "holiday"


def _like_day(
    series: IntervalSeries,
    gap: Gap,
    *,
    zone: str,
    holidays: WorkingDayCalendar,
    like_days: int,
    slots: dict[tuple[date, _dt.time, int], int],
    days: Sequence[date],
) -> dict[int, Decimal]:
    tz = timezone(zone)
    filled = {}
    instants = utc_instants(series.start, series.step, len(series.values))
    nearest: dict[tuple[date, str], list[date]] = {}
    for index in gap.indices:
        local = instants[index].astimezone(tz)
        day = local.date()
        kind = _day_kind(day, holidays)
        kinds = [kind, "sunday"] if kind == "holiday" else [kind]
        references: list[Decimal] = []
        for wanted in kinds:
            candidates = nearest.get((day, wanted))
            if candidates is None:
                candidates = sorted(
                    (d for d in days if d != day and _day_kind(d, holidays) == wanted),
                    key=lambda d: (abs((d - day).days), d),
                )
                nearest[(day, wanted)] = candidates
            for candidate in candidates:
                slot = slots.get((candidate, local.time(), local.fold))
                if slot is None or not _is_anchor(series, slot):
                    continue
                value = series.values[slot]
                assert value is not None
                references.append(value)
                if len(references) == like_days:
                    break
            if len(references) == like_days:
                break
        if references:
            mean = MONEY_CONTEXT.divide(sum(references, Decimal(0)), Decimal(len(references)))
            filled[index] = mean.quantize(_QUANTUM, rounding=decimal.ROUND_HALF_EVEN)
    return filled


def fill_interval_gaps(
    series: IntervalSeries,
    *,
    policy: EstimationPolicy = NATIONAL_POLICY,
    zone: str = DEFAULT_TIMEZONE,
    holidays: WorkingDayCalendar | None = None,
) -> tuple[IntervalSeries, tuple[Gap, ...]]:
    """Return ``series`` with its gaps estimated, and the gaps found.

    Actual, substituted and final-estimate values are never touched. A like-day gap with no
    reference day left stays missing (the caller sees it in the returned gap and in V15).
    """
    gaps = find_gaps(series, short_gap_minutes=policy.short_gap_minutes)
    if not gaps:
        return series, gaps
    calendar = holidays if holidays is not None else WeekendCalendar()
    values = list(series.values)
    quality = list(series.quality)
    methods = dict(series.methods)
    slots: dict[tuple[date, _dt.time, int], int] = {}
    days: list[date] = []
    if any(gap.method is EstimationMethod.LIKE_DAY for gap in gaps):
        tz = timezone(zone)
        for index, instant in enumerate(utc_instants(series.start, series.step, len(values))):
            local = instant.astimezone(tz)
            slots[(local.date(), local.time(), local.fold)] = index
        days = sorted({key[0] for key in slots})
    for gap in gaps:
        if gap.method is EstimationMethod.LINEAR:
            filled = _linear(series, gap)
        else:
            filled = _like_day(
                series,
                gap,
                zone=zone,
                holidays=calendar,
                like_days=policy.like_days,
                slots=slots,
                days=days,
            )
        for index in gap.indices:
            if index in filled:
                values[index] = filled[index]
                quality[index] = IntervalQuality.ESTIMATED
                methods[index] = gap.method
            else:
                values[index] = None
                quality[index] = IntervalQuality.MISSING
                methods.pop(index, None)
    return (
        attrs.evolve(series, values=tuple(values), quality=tuple(quality), methods=methods),
        gaps,
    )


def scale_estimates(series: IntervalSeries, register_advance: Energy) -> IntervalSeries:
    """Return ``series`` with its estimates scaled so the series adds up to ``register_advance``.

    Only ``ESTIMATED`` values change (actuals and final estimates stay); each keeps four decimals
    and the last estimate takes the rounding residue, so the total is exact (VEE V16:
    interval estimates reconcile to the register).

    Raises:
        InvalidInput: no estimates to scale, estimates adding up to zero, or a target below the
            values that may not change.
    """
    estimated = [i for i, flag in enumerate(series.quality) if flag is IntervalQuality.ESTIMATED]
    if not estimated:
        raise InvalidInput("series", "no estimates", "a series with estimated values to scale")
    fixed = sum(
        (
            value
            for i, value in enumerate(series.values)
            if value is not None and series.quality[i] is not IntervalQuality.ESTIMATED
        ),
        Decimal(0),
    )
    current = sum((series.values[i] or Decimal(0) for i in estimated), Decimal(0))
    target = register_advance.kwh - fixed
    if current == 0 or target < 0:
        raise InvalidInput(
            "register_advance",
            str(register_advance),
            f"an advance above the fixed values ({fixed} kWh) with estimates to scale",
        )
    factor = MONEY_CONTEXT.divide(target, current)
    values = list(series.values)
    for index in estimated[:-1]:
        value = values[index]
        assert value is not None
        values[index] = (value * factor).quantize(_QUANTUM, rounding=decimal.ROUND_HALF_EVEN)
    last = estimated[-1]
    values[last] = target - sum((values[i] or Decimal(0) for i in estimated[:-1]), Decimal(0))
    return attrs.evolve(series, values=tuple(values))
