"""Register reads with provenance, meter exchanges and interval series.

Every value says where it came from (VEE V17): a read is ``ACTUAL`` (read by us or by the meter),
``CUSTOMER`` (read by the customer), ``ESTIMATED`` or ``SUBSTITUTED``; estimated and substituted
values name their :class:`EstimationMethod` and whoever (person or rule) produced them.

>>> read = RegisterRead(
...     meter_id=MeterId("M-1"),
...     read_at="2025-03-01T08:00:00+08:00",
...     value="236.8",
...     source=ReadSource.ACTUAL,
...     produced_by="reader-07",
... )
>>> read.value, read.is_actual
(Decimal('236.8'), True)
>>> expected_interval_count(date(2025, 3, 30), "Europe/London", 15)
92
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

import attrs
import pendulum

from powerretail.errors import InvalidInput
from powerretail.ids import MeterId, ReadId, require_id
from powerretail.metering.meters import MeterEvent, RegisterKind
from powerretail.quantities import exact_decimal
from powerretail.timeframe import DEFAULT_TIMEZONE, as_instant, timezone

__all__ = [
    "ALLOWED_STEPS_MINUTES",
    "ESTIMATED_QUALITIES",
    "EstimationMethod",
    "IntervalQuality",
    "IntervalSeries",
    "MeterExchange",
    "ReadSource",
    "RegisterRead",
    "elapsed",
    "expected_interval_count",
    "utc_instants",
]

#: Interval lengths an interval series may have [minutes].
ALLOWED_STEPS_MINUTES = frozenset({15, 30, 60})


class ReadSource(enum.Enum):
    """Who produced a register value (its provenance)."""

    ACTUAL = "actual"
    CUSTOMER = "customer"
    ESTIMATED = "estimated"
    SUBSTITUTED = "substituted"

    @property
    def is_actual(self) -> bool:
        """Whether a person or the meter really read it (actual or customer read)."""
        return self in (ReadSource.ACTUAL, ReadSource.CUSTOMER)


class EstimationMethod(enum.Enum):
    """How an estimated or substituted value was made (the VEE catalogue's estimation methods)."""

    #: The previous period's consumption (national rule: 暂按前次用电量, 《供电营业规则》).
    PREVIOUS_PERIOD = "previous_period"
    #: The average of the previous three months (company rule: 供电所抄、核、收管理制度).
    AVERAGE_LAST_3 = "average_last_3"
    #: Straight line between the actual values either side of a short gap (VEE V14).
    LINEAR = "linear"
    #: Average of the same time on like days (VEE V15).
    LIKE_DAY = "like_day"
    #: A check meter's value put in the main meter's place.
    CHECK_METER = "check_meter"
    #: Keyed by a person (an edit), with the reason in ``produced_by``.
    MANUAL = "manual"


def _meter_id(value: object) -> MeterId:
    return MeterId(require_id(value, "meter_id"))


def _optional_read_id(value: object) -> ReadId | None:
    return None if value is None else ReadId(require_id(value, "read_id"))


def _register_value(value: object) -> Decimal:
    number = exact_decimal(value, "value")
    if number < 0:
        raise InvalidInput("value", value, "a register value of zero or more")
    return number


def _events(value: object) -> frozenset[MeterEvent]:
    if not isinstance(value, frozenset | set | tuple | list):
        raise InvalidInput("events", value, "a set of MeterEvent")
    events = frozenset(value)
    if not all(isinstance(event, MeterEvent) for event in events):
        raise InvalidInput("events", value, "a set of MeterEvent")
    return events


def _read_at(value: object) -> pendulum.DateTime:
    return as_instant(value, "read_at")


def _start(value: object) -> pendulum.DateTime:
    return as_instant(value, "start")


def _produced_by(value: object) -> str:
    return require_id(value, "produced_by")


def _qualities(value: object) -> tuple[IntervalQuality, ...]:
    if not isinstance(value, tuple | list) or not all(
        isinstance(flag, IntervalQuality) for flag in value
    ):
        raise InvalidInput("quality", value, "a sequence of IntervalQuality")
    return tuple(value)


def _optional_instant(value: object) -> pendulum.DateTime | None:
    return None if value is None else as_instant(value, "meter_clock_at")


@attrs.frozen(kw_only=True)
class RegisterRead:
    """One reading of one register, with where it came from.

    Attributes:
        meter_id: the meter read.
        register: which register.
        read_at: when it was read (aware).
        value: the register value as shown on the dials, every decimal kept.
        source: actual, customer, estimated or substituted.
        produced_by: who read it, or which rule or method made it.
        method: how an estimated or substituted value was made (required for those, else None).
        unreadable: the cycle could not be read for the customer's reasons and this estimate
            stands in for the read (counts towards the company's 2- and 6-cycle rules).
        is_final: a "final" estimate that later VEE must not replace (VEE V17).
        meter_clock_at: the meter's own clock at ``read_at``, when it reports one (VEE V05).
        events: events the meter reported with the read (VEE V12).
        read_id: the read's id in the embedding system, if any.

    Raises:
        InvalidInput: a negative value; an estimate without a method; an actual with one.
    """

    meter_id: MeterId = attrs.field(converter=_meter_id)
    register: RegisterKind = RegisterKind.ACTIVE_TOTAL
    read_at: pendulum.DateTime = attrs.field(converter=_read_at)
    value: Decimal = attrs.field(converter=_register_value)
    source: ReadSource
    produced_by: str = attrs.field(converter=_produced_by)
    method: EstimationMethod | None = None
    unreadable: bool = False
    is_final: bool = False
    meter_clock_at: pendulum.DateTime | None = attrs.field(
        default=None, converter=_optional_instant
    )
    events: frozenset[MeterEvent] = attrs.field(factory=frozenset, converter=_events)
    read_id: ReadId | None = attrs.field(default=None, converter=_optional_read_id)

    def __attrs_post_init__(self) -> None:
        if self.source.is_actual and self.method is not None:
            raise InvalidInput("method", self.method.value, "no method on an actual read")
        if not self.source.is_actual and self.method is None:
            raise InvalidInput(
                "method", None, f"the method that made this {self.source.value} read"
            )
        if self.unreadable and self.source.is_actual:
            raise InvalidInput("unreadable", True, "an estimate when the meter could not be read")

    @property
    def is_actual(self) -> bool:
        """Whether this is an actual (or customer) read."""
        return self.source.is_actual

    @property
    def key(self) -> tuple[MeterId, RegisterKind, pendulum.DateTime]:
        """The identity of a read: meter, register and instant (VEE V03)."""
        return (self.meter_id, self.register, self.read_at)

    def describe(self) -> str:
        """Return a short description for messages: meter, register, time, value, source."""
        return (
            f"{self.meter_id}/{self.register.value} at {self.read_at.isoformat()} = {self.value} "
            f"({self.source.value})"
        )


@attrs.frozen(kw_only=True)
class MeterExchange:
    """One meter replaced by another inside a period: the old meter's final read, the new initial.

    Raises:
        InvalidInput: the reads belong to the same meter, are not actual, or the new initial read
            comes before the old final read.
    """

    old_final: RegisterRead
    new_initial: RegisterRead

    def __attrs_post_init__(self) -> None:
        if self.old_final.meter_id == self.new_initial.meter_id:
            raise InvalidInput(
                "new_initial.meter_id", self.new_initial.meter_id, "a different meter from the old"
            )
        if self.new_initial.read_at < self.old_final.read_at:
            raise InvalidInput(
                "new_initial.read_at",
                self.new_initial.read_at.isoformat(),
                f"an instant at or after the old meter's final read ({self.old_final.read_at})",
            )
        for name, read in (("old_final", self.old_final), ("new_initial", self.new_initial)):
            if not read.is_actual:
                raise InvalidInput(f"{name}.source", read.source.value, "an actual read")


class IntervalQuality(enum.Enum):
    """The quality flag of one interval value."""

    ACTUAL = "actual"
    MISSING = "missing"
    ESTIMATED = "estimated"
    SUBSTITUTED = "substituted"
    #: An estimate a person has confirmed; VEE never replaces it (VEE V17).
    FINAL_ESTIMATE = "final_estimate"


#: Qualities of values that were not read but made: each needs its method.
ESTIMATED_QUALITIES: Final = frozenset(
    {IntervalQuality.ESTIMATED, IntervalQuality.SUBSTITUTED, IntervalQuality.FINAL_ESTIMATE}
)


def elapsed(start: _dt.datetime, end: _dt.datetime) -> timedelta:
    """Return the elapsed time from ``start`` to ``end`` as a plain ``timedelta``."""
    # Plain datetime subtraction in UTC: pendulum's builds a calendar-aware Interval (slowly), and
    # plain subtraction of two instants sharing one tzinfo would ignore a DST change between them.
    return _dt.datetime.__sub__(
        _dt.datetime.astimezone(end, _dt.UTC), _dt.datetime.astimezone(start, _dt.UTC)
    )


def utc_instants(start: _dt.datetime, step: timedelta, count: int) -> list[_dt.datetime]:
    """Return ``count`` instants ``start + i·step`` as plain UTC datetimes (fast to compare)."""
    origin = _dt.datetime.fromtimestamp(0, _dt.UTC) + elapsed(
        _dt.datetime.fromtimestamp(0, _dt.UTC), start
    )
    return [origin + step * index for index in range(count)]


def expected_interval_count(day: date, zone: str = DEFAULT_TIMEZONE, step_minutes: int = 15) -> int:
    """Return how many intervals of ``step_minutes`` local ``day`` holds in ``zone``.

    A day with a daylight-saving change is 23 or 25 hours long, so it holds 92 or 100
    quarter-hours; every Shanghai day holds 96.

    Raises:
        InvalidInput: a step that is not one of 15, 30 or 60 minutes.
    """
    if step_minutes not in ALLOWED_STEPS_MINUTES:
        raise InvalidInput("step_minutes", step_minutes, "15, 30 or 60")
    tz = timezone(zone)
    following = day + timedelta(days=1)
    start = pendulum.datetime(day.year, day.month, day.day, tz=tz)
    end = pendulum.datetime(following.year, following.month, following.day, tz=tz)
    return elapsed(start, end) // timedelta(minutes=step_minutes)


def _values(value: object) -> tuple[Decimal | None, ...]:
    if not isinstance(value, tuple | list):
        raise InvalidInput("values", value, "a sequence of kWh values or None")
    return tuple(
        None if v is None else exact_decimal(v, f"values[{i}]") for i, v in enumerate(value)
    )


@attrs.frozen(kw_only=True)
class IntervalSeries:
    """Consecutive interval values [kWh] of one channel, with a quality flag per interval.

    ``values[i]`` covers ``[start + i·step, start + (i+1)·step)`` in elapsed time; ``None`` is a
    missing value (its quality must be ``MISSING``). ``methods`` and ``events`` are sparse: they map
    an interval's index to its estimation method or its meter events.

    Raises:
        InvalidInput: a naive start, a step other than 15/30/60 minutes, qualities that do not match
            the values one for one, a missing value not flagged ``MISSING`` (or the reverse), an
            estimate without a method.
    """

    meter_id: MeterId = attrs.field(converter=_meter_id)
    channel: RegisterKind = RegisterKind.ACTIVE_TOTAL
    start: pendulum.DateTime = attrs.field(converter=_start)
    step_minutes: int = 15
    values: tuple[Decimal | None, ...] = attrs.field(converter=_values)
    quality: tuple[IntervalQuality, ...] = attrs.field(converter=_qualities)
    methods: Mapping[int, EstimationMethod] = attrs.field(factory=dict)
    events: Mapping[int, frozenset[MeterEvent]] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        if self.step_minutes not in ALLOWED_STEPS_MINUTES:
            raise InvalidInput("step_minutes", self.step_minutes, "15, 30 or 60")
        if len(self.quality) != len(self.values):
            raise InvalidInput(
                "quality", len(self.quality), f"one flag per value ({len(self.values)})"
            )
        for index, (value, flag) in enumerate(zip(self.values, self.quality, strict=True)):
            if (value is None) != (flag is IntervalQuality.MISSING):
                raise InvalidInput(
                    f"quality[{index}]", flag.value, "MISSING exactly where the value is None"
                )
            estimated = flag in ESTIMATED_QUALITIES
            if estimated and index not in self.methods:
                raise InvalidInput(f"methods[{index}]", None, "the method of an estimated value")

    @classmethod
    def of_actuals(
        cls,
        *,
        meter_id: str,
        start: _dt.datetime | str,
        values: Sequence[Decimal | int | str | None],
        step_minutes: int = 15,
        channel: RegisterKind = RegisterKind.ACTIVE_TOTAL,
        events: Mapping[int, frozenset[MeterEvent]] | None = None,
    ) -> IntervalSeries:
        """Return a series of actual values, ``None`` marking the missing ones."""
        return cls(
            meter_id=MeterId(meter_id),
            channel=channel,
            start=start,
            step_minutes=step_minutes,
            values=tuple(values),
            quality=tuple(
                IntervalQuality.MISSING if value is None else IntervalQuality.ACTUAL
                for value in values
            ),
            events=dict(events or {}),
        )

    @property
    def step(self) -> timedelta:
        """The length of one interval."""
        return timedelta(minutes=self.step_minutes)

    @property
    def end(self) -> pendulum.DateTime:
        """The instant after the last interval."""
        return self.start + self.step * len(self.values)

    def instant(self, index: int) -> pendulum.DateTime:
        """Return the start of interval ``index``."""
        return self.start + self.step * index

    def total(self) -> Decimal:
        """Return the sum of the values present [kWh]."""
        return sum((value for value in self.values if value is not None), Decimal(0))

    def missing_indices(self) -> tuple[int, ...]:
        """Return the indices of the missing values."""
        return tuple(i for i, flag in enumerate(self.quality) if flag is IntervalQuality.MISSING)
