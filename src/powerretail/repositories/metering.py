"""Ports of metering: meters, register reads with their VEE findings, and interval series.

A stored read is a :class:`StoredRead`: the domain
:class:`~powerretail.metering.reads.RegisterRead` with the findings of its validation and whether
billing may use it. Its key is :func:`read_key` — the meter, the register and the instant — so a
read submitted twice is stored once (RELIABILITY R22). An interval series is a
:class:`StoredSeries` keyed by meter, channel and first instant.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import TypeAlias

import attrs

from powerretail.ids import MeterId
from powerretail.metering.meters import Meter, MeterEvent, RegisterKind
from powerretail.metering.reads import (
    EstimationMethod,
    IntervalQuality,
    IntervalSeries,
    RegisterRead,
)
from powerretail.metering.vee import Finding
from powerretail.repositories.aggregates import Aggregate, AggregateRepository, OrderedIndex
from powerretail.timeframe import as_instant

__all__ = [
    "METERS",
    "READS",
    "READS_BY_DAY",
    "SERIES",
    "SERIES_BY_END",
    "MeterRepository",
    "ReadRepository",
    "SeriesRepository",
    "StoredRead",
    "StoredSeries",
    "read_key",
    "reads_in",
    "series_ending_from",
    "series_key",
]


def read_key(meter_id: str, register: RegisterKind, read_at: object) -> str:
    """Return the key a read is stored under: ``M-1/peak/2025-07-01T00:00:00+00:00`` (UTC).

    >>> read_key("M-1", RegisterKind.PEAK, "2025-07-01T08:00+08:00")
    'M-1/peak/2025-07-01T00:00:00+00:00'
    """
    instant = as_instant(read_at, "read_at").in_timezone("UTC")
    return f"{meter_id}/{register.value}/{instant.isoformat()}"


def series_key(series: IntervalSeries) -> str:
    """Return the key a series is stored under: meter, channel and first instant (UTC)."""
    return read_key(series.meter_id, series.channel, series.start)


@attrs.frozen(kw_only=True)
class StoredRead:
    """A register read as stored: the read, its VEE findings and whether billing may use it.

    Attributes:
        read_id: :func:`read_key` of the read.
        meter_id: the meter (indexed).
        read: the read itself (an estimate has ``source`` estimated and its ``method``).
        findings: what validation found (VEE).
        billable: whether billing uses it (False when a finding rejected it).
        replaces: the read id an estimate stands in for, if any.
    """

    read_id: str
    meter_id: MeterId
    read: RegisterRead
    findings: tuple[Finding, ...] = ()
    billable: bool = True
    replaces: str | None = None


@attrs.frozen(kw_only=True)
class StoredSeries:
    """An interval series as stored, gaps estimated, with the findings of its validation.

    A :class:`~powerretail.metering.reads.IntervalSeries` keeps its estimation methods and meter
    events by interval index (mappings with ``int`` keys, which JSON objects cannot hold), so
    storage keeps its fields as a plain record — the methods and events as ``(index, value)``
    pairs. :meth:`of` and :attr:`series` convert both ways.

    ``billable`` is False when a finding rejected the series (action ``reject`` or ``drop``):
    it is kept, with its findings, for provenance, and billing never uses it. Records stored
    before the field existed load as billable.
    """

    series_id: str
    meter_id: MeterId
    channel: RegisterKind
    start: _dt.datetime
    step_minutes: int
    values: tuple[Decimal | None, ...]
    quality: tuple[IntervalQuality, ...]
    methods: tuple[tuple[int, EstimationMethod], ...] = ()
    events: tuple[tuple[int, frozenset[MeterEvent]], ...] = ()
    findings: tuple[Finding, ...] = ()
    billable: bool = True

    @classmethod
    def of(
        cls, series: IntervalSeries, findings: tuple[Finding, ...] = (), *, billable: bool = True
    ) -> StoredSeries:
        """Return ``series`` as stored, under :func:`series_key`."""
        return cls(
            series_id=series_key(series),
            meter_id=series.meter_id,
            channel=series.channel,
            start=series.start,
            step_minutes=series.step_minutes,
            values=series.values,
            quality=series.quality,
            methods=tuple(sorted(series.methods.items())),
            events=tuple(sorted(series.events.items())),
            findings=findings,
            billable=billable,
        )

    @property
    def series(self) -> IntervalSeries:
        """The series, with its methods and events by index."""
        return IntervalSeries(
            meter_id=self.meter_id,
            channel=self.channel,
            start=self.start,
            step_minutes=self.step_minutes,
            values=self.values,
            quality=self.quality,
            methods=dict(self.methods),
            events=dict(self.events),
        )


def _read_day(stored: StoredRead) -> _dt.date:
    return as_instant(stored.read.read_at, "read_at").in_timezone("UTC").date()


def _series_end_day(stored: StoredSeries) -> _dt.date:
    end = as_instant(stored.start, "start").add(minutes=stored.step_minutes * len(stored.values))
    return end.in_timezone("UTC").date()


#: The ordered index of :data:`READS` by meter, in order of the read's day (UTC):
#: ``query_range(READS_BY_DAY, first, after_last, meter_id=...)`` reads the reads of a period.
READS_BY_DAY = "meter_read_day"
#: The ordered index of :data:`SERIES` by meter, in order of the day (UTC) the series ends on:
#: a series overlapping a period ends on or after the period's first day.
SERIES_BY_END = "meter_series_end_day"

#: Meters, keyed by meter id, found by service point.
METERS: Aggregate[MeterId, Meter] = Aggregate(
    kind="meter", entity_type=Meter, key_field="id", indexed=("service_point",)
)
#: Register reads, keyed by :func:`read_key`, found by meter, and by meter in a range of days
#: (:data:`READS_BY_DAY`).
READS: Aggregate[str, StoredRead] = Aggregate(
    kind="meter_read",
    entity_type=StoredRead,
    key_field="read_id",
    indexed=("meter_id",),
    ordered=(OrderedIndex(READS_BY_DAY, ("meter_id",), _read_day),),
)
#: Interval series, keyed by :func:`series_key`, found by meter, and by meter in a range of the
#: days they end on (:data:`SERIES_BY_END`).
SERIES: Aggregate[str, StoredSeries] = Aggregate(
    kind="interval_series",
    entity_type=StoredSeries,
    key_field="series_id",
    indexed=("meter_id",),
    ordered=(OrderedIndex(SERIES_BY_END, ("meter_id",), _series_end_day),),
)


def reads_in(
    repository: AggregateRepository[str, StoredRead],
    meter_id: str,
    after: _dt.datetime,
    until: _dt.datetime,
) -> tuple[StoredRead, ...]:
    """Return the stored reads of ``meter_id`` taken after ``after``, up to ``until`` (inclusive).

    Reads only the days of that window (:data:`READS_BY_DAY`), not the meter's whole history;
    ordered by read key.
    """
    low = as_instant(after, "after").in_timezone("UTC").date()
    high = as_instant(until, "until").in_timezone("UTC").date() + _dt.timedelta(days=1)
    found = repository.query_range(READS_BY_DAY, low, high, meter_id=meter_id)
    within = (v.entity for v in found if after < v.entity.read.read_at <= until)
    return tuple(sorted(within, key=lambda stored: stored.read_id))


def series_ending_from(
    repository: AggregateRepository[str, StoredSeries], meter_id: str, instant: _dt.datetime
) -> tuple[StoredSeries, ...]:
    """Return the stored series of ``meter_id`` that end at or after ``instant``, by series key.

    Every series overlapping a period that starts at ``instant`` is among them; series that
    ended before are not read (:data:`SERIES_BY_END`).
    """
    low = as_instant(instant, "instant").in_timezone("UTC").date()
    found = repository.query_range(SERIES_BY_END, low, None, meter_id=meter_id)
    later = (v.entity for v in found if v.entity.series.end >= instant)
    return tuple(sorted(later, key=lambda stored: stored.series_id))


MeterRepository: TypeAlias = AggregateRepository[MeterId, Meter]
ReadRepository: TypeAlias = AggregateRepository[str, StoredRead]
SeriesRepository: TypeAlias = AggregateRepository[str, StoredSeries]
