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

Source: multiplier and kept decimals: metering practice; 15-minute demand: common practice (one
source).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import functools
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Final, TypeVar, cast

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
#: A number summed in bulk: whole units (int) or decimals.
_N = TypeVar("_N", int, Decimal)
_FOUR: Final = Decimal(4)


def _current(value: object) -> Decimal:
    return exact_decimal(value, "current")


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
    ``previous`` is not used). A register that went backwards is refused: the engine has no
    dials to roll it over with, and a negative advance would make a negative bill. Reads of
    different ``meter`` s add up (a demand per feeder, summed; 发改办价格〔2016〕1583号).
    """

    register: str
    current: Decimal = attrs.field(converter=_current)
    previous: Decimal | None = attrs.field(default=None, converter=_optional_reading)
    multiplier: Decimal = attrs.field(default=Decimal(1), converter=_multiplier)
    kind: str = attrs.field(default="active", converter=_kind)
    meter: str = ""

    def __attrs_post_init__(self) -> None:
        if self.kind != "demand" and self.previous is None:
            raise InvalidInput("previous", None, f"a previous reading for a {self.kind} register")
        if self.previous is not None and self.current < self.previous:
            raise InvalidInput(
                "current",
                self.current,
                f"a reading at or above the previous reading {self.previous} (a register that "
                "rolled over or was exchanged: one row up to the roll-over or the old meter's "
                "final read, one from there on; rows of a register add up)",
            )
        if self.current < 0:
            raise InvalidInput("current", self.current, "a reading of zero or more")

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


def _not_negative(values: Sequence[_N], field: str) -> None:
    if values and min(values) < 0:
        index = next(i for i, v in enumerate(values) if v < 0)
        raise InvalidInput(f"{field}[{index}]", values[index], "an energy of zero or more")


def _decimal_tuple(value: Iterable[object], field: str) -> tuple[Decimal, ...]:
    values = tuple(value)
    if all(type(v) is Decimal and v.is_finite() for v in values):
        result = cast(tuple[Decimal, ...], values)
    else:
        result = tuple(exact_decimal(v, f"{field}[{i}]") for i, v in enumerate(values))
    _not_negative(result, field)
    return result


def _active(value: Iterable[object] | None) -> tuple[Decimal, ...] | None:
    return None if value is None else _decimal_tuple(value, "active_kwh")


def _reactive(value: Iterable[object] | None) -> tuple[Decimal, ...] | None:
    return None if value is None else _decimal_tuple(value, "reactive_kvarh")


def _int_tuple(value: Iterable[object] | None, field: str) -> tuple[int, ...] | None:
    if value is None:
        return None
    values = tuple(value)
    for index, item in enumerate(values):
        if type(item) is not int:
            raise InvalidInput(f"{field}[{index}]", item, "a whole number of units")
    result = cast(tuple[int, ...], values)
    _not_negative(result, field)
    return result


def _active_units(value: Iterable[object] | None) -> tuple[int, ...] | None:
    return _int_tuple(value, "active_units")


def _reactive_units(value: Iterable[object] | None) -> tuple[int, ...] | None:
    return _int_tuple(value, "reactive_units")


def _exponent(value: object) -> int:
    if type(value) is not int or not -9 <= value <= 3:
        raise InvalidInput("unit_exponent", value, "a power of ten from -9 to 3 (-3: Wh)")
    return value


def _minutes(value: object) -> int:
    if type(value) is int and value in (15, 60):
        return value
    raise InvalidInput("minutes", value, "15 or 60")


def _start(value: object) -> _dt.datetime:
    return as_instant(value, "start")


@attrs.frozen(kw_only=True)
class IntervalSeries:
    """Consecutive interval energies of ``minutes`` each, the first starting at ``start``.

    Give the energies either as ``active_kwh`` (decimals [kWh]) or, as meters store them, as
    ``active_units``: whole numbers of ``10**unit_exponent`` kWh (``unit_exponent=-3``: Wh).
    Whole units are summed as integers, which is several times faster and just as exact.
    Reactive energy, when given, comes the same way (``reactive_kvarh`` or
    ``reactive_units``), one value per interval. Two series are equal when they were given the
    same values the same way.

    Raises:
        InvalidInput: neither or both of ``active_kwh`` and ``active_units``, reactive values in
            the other form or of another length, or values that are not exact numbers or are
            below zero (an interval cannot deliver negative energy).
    """

    start: _dt.datetime = attrs.field(converter=_start)
    minutes: int = attrs.field(converter=_minutes)
    _active: tuple[Decimal, ...] | None = attrs.field(
        default=None, alias="active_kwh", converter=_active
    )
    _reactive: tuple[Decimal, ...] | None = attrs.field(
        default=None, alias="reactive_kvarh", converter=_reactive
    )
    _active_ints: tuple[int, ...] | None = attrs.field(
        default=None, alias="active_units", converter=_active_units
    )
    _reactive_ints: tuple[int, ...] | None = attrs.field(
        default=None, alias="reactive_units", converter=_reactive_units
    )
    unit_exponent: int = attrs.field(default=-3, converter=_exponent)
    start_second: int = attrs.field(init=False, eq=False, repr=False)
    _decimals: dict[str, tuple[Decimal, ...]] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "start_second", int((self.start - _EPOCH).total_seconds()))
        object.__setattr__(self, "_decimals", {})
        if (self._active is None) == (self._active_ints is None):
            raise InvalidInput("active_kwh", None, "either active_kwh or active_units")
        if self._active is not None and self._reactive_ints is not None:
            raise InvalidInput("reactive_units", "", "reactive_kvarh with active_kwh")
        if self._active_ints is not None and self._reactive is not None:
            raise InvalidInput("reactive_kvarh", "", "reactive_units with active_units")
        reactive = self._reactive if self._reactive is not None else self._reactive_ints
        if reactive is not None and len(reactive) != self.count:
            raise InvalidInput("reactive_kvarh", len(reactive), f"{self.count} values")

    @property
    def count(self) -> int:
        """How many intervals the series holds."""
        values = self._active if self._active is not None else self._active_ints
        assert values is not None
        return len(values)

    @property
    def active_kwh(self) -> tuple[Decimal, ...]:
        """The interval energies [kWh] as decimals (made once from whole units if need be)."""
        if self._active is not None:
            return self._active
        return self._as_decimals("active", self._active_ints)

    @property
    def reactive_kvarh(self) -> tuple[Decimal, ...] | None:
        """The interval reactive energies [kvarh], or ``None``."""
        if self._reactive is not None or self._reactive_ints is None:
            return self._reactive
        return self._as_decimals("reactive", self._reactive_ints)

    @property
    def units(self) -> tuple[tuple[int, ...], tuple[int, ...] | None] | None:
        """The whole units (active, reactive) when the series was given them, else ``None``."""
        if self._active_ints is None:
            return None
        return self._active_ints, self._reactive_ints

    def _as_decimals(self, name: str, ints: tuple[int, ...] | None) -> tuple[Decimal, ...]:
        made = self._decimals.get(name)
        if made is None:
            assert ints is not None
            made = self._decimals[name] = tuple(self.to_kwh(v) for v in ints)
        return made

    def to_kwh(self, units: int) -> Decimal:
        """Return ``units`` whole units as an exact decimal [kWh]."""
        return Decimal(units).scaleb(self.unit_exponent, MONEY_CONTEXT)

    def index_range(self, period: DateRange, zone: str) -> tuple[int, int]:
        """Return the indexes ``[first, last)`` of the intervals in local ``period`` of ``zone``.

        Raises:
            InvalidInput: the series does not cover the whole period on interval boundaries.
        """
        first = self._index_of(period.start, zone)
        last = self._index_of(period._closed_end("index it"), zone)
        if first < 0 or last > self.count:
            raise InvalidInput(
                "series",
                f"{self.count} intervals from {self.start.isoformat()}",
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
        units = series.units
        if units is not None:
            counted = _bucket_by_columns(units[0], first, schedule, period, 0)
            return {bucket: series.to_kwh(total) for bucket, total in counted.items()}
        return _bucket_by_columns(series.active_kwh, first, schedule, period, _ZERO)
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
    values: Sequence[_N], first: int, schedule: TouSchedule, period: DateRange, zero: _N
) -> dict[str, _N]:
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
    totals: dict[str, _N] = {}
    with decimal.localcontext(MONEY_CONTEXT):
        for slot, bucket in enumerate(common):
            column = sum(values[first + slot : end : SLOTS_PER_DAY], zero)
            totals[bucket] = totals.get(bucket, zero) + column
        for day, pattern in enumerate(patterns):
            if pattern is common:
                continue
            offset = first + day * SLOTS_PER_DAY
            for slot, usual, bucket in _differences(common, pattern):
                value = values[offset + slot]
                totals[usual] -= value
                totals[bucket] = totals.get(bucket, zero) + value
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
    factor = _FOUR if series.minutes == MINUTES_PER_SLOT else 1
    units = series.units
    if units is not None:
        active, reactive_units = units
        peak_units = max(active[first:last], default=0)
        reactive_total = None if reactive_units is None else sum(reactive_units[first:last])
        return (
            MONEY_CONTEXT.multiply(series.to_kwh(peak_units), Decimal(factor)),
            None if reactive_total is None else series.to_kwh(reactive_total),
        )
    with decimal.localcontext(MONEY_CONTEXT):
        peak = max(series.active_kwh[first:last], default=_ZERO)
        demand = peak * factor
        reactive = None
        if series.reactive_kvarh is not None:
            reactive = sum(series.reactive_kvarh[first:last], _ZERO)
    return demand, reactive
