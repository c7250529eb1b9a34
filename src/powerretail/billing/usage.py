"""Determinants from usage: register reads, or interval series bucketed by a TOU schedule.

Billing keeps its inputs simple values, so they can be fed from the metering model or from any
meter data an embedder has:

* :class:`RegisterRead` — one register's previous and current reading and the multiplier
  (CT × VT); energy is ``(current − previous) × multiplier`` with every decimal kept;
* :class:`IntervalSeries` — consecutive 15-minute or hourly energies from an aware start.

:func:`determinants_from_registers` and :func:`determinants_from_intervals` turn them into
:class:`~powerretail.billing.determinants.Determinants`.

>>> reads = [
...     RegisterRead(register="peak", previous="1000.2", current="1236.8", multiplier=40),
...     RegisterRead(register="valley", previous="500", current="600", multiplier=40),
...     RegisterRead(register="demand", kind="demand", current="16.5", multiplier=40),
... ]
>>> d = determinants_from_registers(reads)
>>> d.energy_kwh, d.max_demand_kw
({'peak': Decimal('9464.0'), 'valley': Decimal('4000')}, Decimal('660.0'))

Source: multiplier and kept decimals rules.md §18.3; 15-minute demand rules.md §12.2.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import functools
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Final, cast

import attrs

from powerretail.billing.determinants import Determinants
from powerretail.errors import InvalidInput
from powerretail.quantities import MONEY_CONTEXT, exact_decimal
from powerretail.tariffs.tou import MINUTES_PER_SLOT, SLOTS_PER_DAY, TouSchedule
from powerretail.timeframe import DateRange, as_instant, timezone

__all__ = [
    "IntervalSeries",
    "RegisterRead",
    "bucket_energy",
    "determinants_from_intervals",
    "determinants_from_registers",
    "interval_demand_and_reactive",
]

_KINDS: Final = ("active", "reactive", "demand")
_EPOCH: Final = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_EPOCH_ORDINAL: Final = _dt.date(1970, 1, 1).toordinal()
_ZERO: Final = Decimal(0)
_FOUR: Final = Decimal(4)


def _reading(value: object) -> Decimal:
    return exact_decimal(value, "reading")


def _optional_reading(value: object) -> Decimal | None:
    return None if value is None else exact_decimal(value, "previous")


def _multiplier(value: object) -> Decimal:
    number = exact_decimal(value, "multiplier")
    if number <= 0:
        raise InvalidInput("multiplier", value, "a multiplier above zero (CT ratio × VT ratio)")
    return number


def _kind(value: object) -> str:
    if value not in _KINDS:
        raise InvalidInput("kind", value, f"one of {', '.join(_KINDS)}")
    return str(value)


@attrs.frozen(kw_only=True)
class RegisterRead:
    """One register over a period: ``(current − previous) × multiplier``.

    ``kind`` is ``active`` (``register`` names the TOU bucket, or ``total``), ``reactive``
    (import or export: both count) or ``demand`` (the register shows the period's maximum, so
    ``previous`` is not used). Reads of different ``meter`` s add up (a demand per feeder,
    summed; rules.md §12.2).
    """

    register: str
    current: Decimal = attrs.field(converter=_reading)
    previous: Decimal | None = attrs.field(default=None, converter=_optional_reading)
    multiplier: Decimal = attrs.field(default=Decimal(1), converter=_multiplier)
    kind: str = attrs.field(default="active", converter=_kind)
    meter: str = ""

    def __attrs_post_init__(self) -> None:
        if self.kind != "demand" and self.previous is None:
            raise InvalidInput("previous", None, f"a previous reading for a {self.kind} register")

    @property
    def quantity(self) -> Decimal:
        """The energy [kWh or kvarh] or the demand [kW] the read shows, multiplier applied."""
        if self.previous is None:
            return self.current * self.multiplier
        return (self.current - self.previous) * self.multiplier


def determinants_from_registers(reads: Iterable[RegisterRead]) -> Determinants:
    """Return the determinants of a set of register reads (one period).

    Raises:
        InvalidInput: no active register.
    """
    energy: dict[str, Decimal] = {}
    reactive: Decimal | None = None
    demand_by_meter: dict[str, Decimal] = {}
    for read in reads:
        if read.kind == "active":
            energy[read.register] = energy.get(read.register, _ZERO) + read.quantity
        elif read.kind == "reactive":
            reactive = (reactive or _ZERO) + abs(read.quantity)
        else:
            demand_by_meter[read.meter] = max(demand_by_meter.get(read.meter, _ZERO), read.quantity)
    if not energy:
        raise InvalidInput("reads", [], "at least one active-energy register")
    demand = sum(demand_by_meter.values(), _ZERO) if demand_by_meter else None
    return Determinants(energy_kwh=energy, max_demand_kw=demand, reactive_kvarh=reactive)


def _decimal_tuple(value: Iterable[object], field: str) -> tuple[Decimal, ...]:
    values = tuple(value)
    if all(type(v) is Decimal and v.is_finite() for v in values):
        return cast(tuple[Decimal, ...], values)
    return tuple(exact_decimal(v, f"{field}[{i}]") for i, v in enumerate(values))


def _active(value: Iterable[object]) -> tuple[Decimal, ...]:
    return _decimal_tuple(value, "active_kwh")


def _reactive(value: Iterable[object] | None) -> tuple[Decimal, ...] | None:
    return None if value is None else _decimal_tuple(value, "reactive_kvarh")


def _minutes(value: object) -> int:
    if type(value) is int and value in (15, 60):
        return value
    raise InvalidInput("minutes", value, "15 or 60")


def _start(value: object) -> _dt.datetime:
    return as_instant(value, "start")


@attrs.frozen(kw_only=True)
class IntervalSeries:
    """Consecutive interval energies [kWh] of ``minutes`` each, the first starting at ``start``.

    ``reactive_kvarh``, when given, has one value per interval too.
    """

    start: _dt.datetime = attrs.field(converter=_start)
    minutes: int = attrs.field(converter=_minutes)
    active_kwh: tuple[Decimal, ...] = attrs.field(converter=_active)
    reactive_kvarh: tuple[Decimal, ...] | None = attrs.field(default=None, converter=_reactive)
    start_second: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "start_second", int((self.start - _EPOCH).total_seconds()))
        if self.reactive_kvarh is not None and len(self.reactive_kvarh) != len(self.active_kwh):
            raise InvalidInput(
                "reactive_kvarh", len(self.reactive_kvarh), f"{len(self.active_kwh)} values"
            )

    def index_range(self, period: DateRange, zone: str) -> tuple[int, int]:
        """Return the indexes ``[first, last)`` of the intervals in local ``period`` of ``zone``.

        Raises:
            InvalidInput: the series does not cover the whole period on interval boundaries.
        """
        first = self._index_of(period.start, zone)
        last = self._index_of(period._closed_end("index it"), zone)
        if first < 0 or last > len(self.active_kwh):
            raise InvalidInput(
                "series",
                f"{len(self.active_kwh)} intervals from {self.start.isoformat()}",
                f"intervals covering the whole period {period}",
            )
        return first, last

    def _index_of(self, day: _dt.date, zone: str) -> int:
        seconds = _local_midnight_second(day, zone) - self.start_second
        step = self.minutes * 60
        if seconds % step:
            raise InvalidInput("start", self.start.isoformat(), "intervals aligned to local days")
        return seconds // step


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> _dt.tzinfo:
    return timezone(name)


@functools.lru_cache(maxsize=65536)
def _local_midnight_second(day: _dt.date, zone: str) -> int:
    tz = _zone(zone)
    offset = _dt.datetime(day.year, day.month, day.day, tzinfo=tz).utcoffset()
    assert offset is not None
    return (day.toordinal() - _EPOCH_ORDINAL) * 86_400 - int(offset.total_seconds())


def _runs(slots: Sequence[str], per_value: int) -> tuple[tuple[str, int, int], ...]:
    """Return (bucket, first, last) runs of values with one bucket; ``per_value`` slots a value."""
    runs: list[tuple[str, int, int]] = []
    for index in range(len(slots) // per_value):
        bucket = slots[index * per_value]
        if runs and runs[-1][0] == bucket and runs[-1][2] == index:
            runs[-1] = (bucket, runs[-1][1], index + 1)
        else:
            runs.append((bucket, index, index + 1))
    return tuple(runs)


class _Plans:
    """Per-day summing plans of one schedule, cached by the day's slot pattern."""

    def __init__(self, schedule: TouSchedule, minutes: int) -> None:
        self.schedule = schedule
        self.minutes = minutes
        self._cache: dict[tuple[str, ...], tuple[tuple[tuple[str, int, int], ...], bool]] = {}

    def plan(self, slots: tuple[str, ...]) -> tuple[tuple[tuple[str, int, int], ...], bool]:
        """Return the runs of a day and whether every value falls in one bucket."""
        cached = self._cache.get(slots)
        if cached is None:
            if self.minutes == MINUTES_PER_SLOT:
                cached = (_runs(slots, 1), True)
            else:
                per_hour = 60 // MINUTES_PER_SLOT
                uniform = all(
                    len(set(slots[h * per_hour : (h + 1) * per_hour])) == 1 for h in range(24)
                )
                cached = (_runs(slots, per_hour), uniform)
            self._cache[slots] = cached
        return cached


def bucket_energy(
    series: IntervalSeries, schedule: TouSchedule, period: DateRange
) -> dict[str, Decimal]:
    """Return the energy [kWh] of ``period`` per bucket of ``schedule`` (in its time zone).

    Hourly values whose hour straddles a bucket boundary (19:30) are shared a quarter per
    quarter hour. Days that are not 24 hours long (daylight saving) are bucketed interval by
    interval on the local clock.

    Raises:
        InvalidInput: the series does not cover the period.
    """
    zone = schedule.timezone
    first, last = series.index_range(period, zone)
    if series.minutes == MINUTES_PER_SLOT and last - first == period.days * SLOTS_PER_DAY:
        return _bucket_by_columns(series.active_kwh, first, schedule, period)
    values = series.active_kwh
    per_day = 24 * 60 // series.minutes
    plans = _Plans(schedule, series.minutes)
    totals: dict[str, Decimal] = {}
    with decimal.localcontext(MONEY_CONTEXT):
        index = first
        for day in period.dates():
            length = (
                _local_midnight_second(day + _dt.timedelta(days=1), zone)
                - _local_midnight_second(day, zone)
            ) // (series.minutes * 60)
            slots = schedule.slots_on(day)
            if length != per_day:
                _bucket_by_clock(
                    series, index=index, length=length, slots=slots, zone=zone, totals=totals
                )
            else:
                runs, uniform = plans.plan(slots)
                if uniform:
                    for bucket, a, b in runs:
                        totals[bucket] = sum(
                            values[index + a : index + b], totals.get(bucket, _ZERO)
                        )
                else:
                    _bucket_quarters(values, index, slots, totals)
            index += length
    return totals


def _bucket_by_columns(
    values: Sequence[Decimal], first: int, schedule: TouSchedule, period: DateRange
) -> dict[str, Decimal]:
    """Bucket whole days of quarter hours: sum each quarter hour of the day over all days.

    Days whose pattern differs from the most common one (holidays, declared dates) are then
    moved slot by slot, so the work is 96 strided sums plus the exceptions.
    """
    patterns = [schedule.slots_on(day) for day in period.dates()]
    counts: dict[int, int] = {}
    for pattern in patterns:
        counts[id(pattern)] = counts.get(id(pattern), 0) + 1
    common_id = max(counts, key=counts.__getitem__)
    common = next(p for p in patterns if id(p) == common_id)
    end = first + len(patterns) * SLOTS_PER_DAY
    totals: dict[str, Decimal] = {}
    with decimal.localcontext(MONEY_CONTEXT):
        for slot, bucket in enumerate(common):
            column = sum(values[first + slot : end : SLOTS_PER_DAY], _ZERO)
            totals[bucket] = totals.get(bucket, _ZERO) + column
        for day, pattern in enumerate(patterns):
            if pattern is common:
                continue
            offset = first + day * SLOTS_PER_DAY
            for slot, usual, bucket in _differences(common, pattern):
                value = values[offset + slot]
                totals[usual] -= value
                totals[bucket] = totals.get(bucket, _ZERO) + value
    return totals


@functools.lru_cache(maxsize=1024)
def _differences(
    common: tuple[str, ...], pattern: tuple[str, ...]
) -> tuple[tuple[int, str, str], ...]:
    """Return (slot, usual bucket, this day's bucket) where a day's pattern differs."""
    return tuple(
        (slot, usual, bucket)
        for slot, (usual, bucket) in enumerate(zip(common, pattern, strict=True))
        if usual != bucket
    )


def _bucket_quarters(
    values: Sequence[Decimal], index: int, slots: Sequence[str], totals: dict[str, Decimal]
) -> None:
    per_hour = 60 // MINUTES_PER_SLOT
    for hour in range(24):
        quarter = values[index + hour] / _FOUR
        for slot in range(hour * per_hour, (hour + 1) * per_hour):
            totals[slots[slot]] = totals.get(slots[slot], _ZERO) + quarter


def _bucket_by_clock(
    series: IntervalSeries,
    *,
    index: int,
    length: int,
    slots: Sequence[str],
    zone: str,
    totals: dict[str, Decimal],
) -> None:
    tz = _zone(zone)
    step = _dt.timedelta(minutes=series.minutes)
    moment = series.start + step * index
    for offset in range(length):
        local = moment.astimezone(tz)
        slot = (local.hour * 60 + local.minute) // MINUTES_PER_SLOT
        value = series.active_kwh[index + offset]
        if series.minutes == MINUTES_PER_SLOT:
            totals[slots[slot]] = totals.get(slots[slot], _ZERO) + value
        else:
            quarter = value / _FOUR
            for part in range(slot, slot + 60 // MINUTES_PER_SLOT):
                bucket = slots[part % SLOTS_PER_DAY]
                totals[bucket] = totals.get(bucket, _ZERO) + quarter
        moment += step


def determinants_from_intervals(
    series: IntervalSeries, schedule: TouSchedule, period: DateRange
) -> Determinants:
    """Return the determinants of ``period``: energy per bucket, demand and reactive energy.

    Maximum demand is the largest 15-minute average [kW] (energy × 4); hourly data can only give
    the largest hourly average, which is never above the 15-minute one.

    Raises:
        InvalidInput: the series does not cover the period.
    """
    energy = bucket_energy(series, schedule, period)
    demand, reactive = interval_demand_and_reactive(series, period, schedule.timezone)
    return Determinants(energy_kwh=energy, max_demand_kw=demand, reactive_kvarh=reactive)


def interval_demand_and_reactive(
    series: IntervalSeries, period: DateRange, zone: str
) -> tuple[Decimal, Decimal | None]:
    """Return the largest 15-minute (or hourly) average demand [kW] and the reactive energy.

    Raises:
        InvalidInput: the series does not cover the period.
    """
    first, last = series.index_range(period, zone)
    with decimal.localcontext(MONEY_CONTEXT):
        peak = max(series.active_kwh[first:last], default=_ZERO)
        demand = peak * (_FOUR if series.minutes == MINUTES_PER_SLOT else 1)
        reactive = None
        if series.reactive_kvarh is not None:
            reactive = sum(series.reactive_kvarh[first:last], _ZERO)
    return demand, reactive
