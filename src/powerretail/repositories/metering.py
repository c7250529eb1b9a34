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
from powerretail.repositories.aggregates import Aggregate, AggregateRepository
from powerretail.timeframe import as_instant

__all__ = [
    "METERS",
    "READS",
    "SERIES",
    "MeterRepository",
    "ReadRepository",
    "SeriesRepository",
    "StoredRead",
    "StoredSeries",
    "read_key",
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


#: Meters, keyed by meter id, found by service point.
METERS: Aggregate[MeterId, Meter] = Aggregate(
    kind="meter", entity_type=Meter, key_field="id", indexed=("service_point",)
)
#: Register reads, keyed by :func:`read_key`, found by meter.
READS: Aggregate[str, StoredRead] = Aggregate(
    kind="meter_read", entity_type=StoredRead, key_field="read_id", indexed=("meter_id",)
)
#: Interval series, keyed by :func:`series_key`, found by meter.
SERIES: Aggregate[str, StoredSeries] = Aggregate(
    kind="interval_series", entity_type=StoredSeries, key_field="series_id", indexed=("meter_id",)
)

MeterRepository: TypeAlias = AggregateRepository[MeterId, Meter]
ReadRepository: TypeAlias = AggregateRepository[str, StoredRead]
SeriesRepository: TypeAlias = AggregateRepository[str, StoredSeries]
