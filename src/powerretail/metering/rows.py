"""Rows of reads from outside (a CSV file, a spreadsheet) turned into metering values.

Pure parsing: each row is a mapping of column name to text, with its line number. A bad row
raises :class:`RowError` naming the line and the column; the loader at the edge
(:mod:`powerretail.adapters.read_csv`) turns it into a :class:`RowProblem` and keeps every good
row.

Register-read columns (``meter_id``, ``read_at``, ``value`` required): see :data:`READ_COLUMNS`.
Interval columns (``meter_id``, ``interval_start``, ``kwh`` required): see
:data:`INTERVAL_COLUMNS`. A blank ``value`` is a cycle that could not be read (to estimate); a
blank ``kwh`` is a missing interval.

>>> row = {"meter_id": "M-1", "read_at": "2025-03-01T08:00+08:00", "value": "236.8"}
>>> parse_read_row(row, line=2).value
Decimal('236.8')
>>> parse_read_row({**row, "value": "abc"}, line=3)
Traceback (most recent call last):
...
powerretail.metering.rows.RowError: line 3, column value: expected a decimal number, got "abc"
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Final, TypeVar

import attrs
import pendulum

from powerretail.errors import InvalidInput, describe_value
from powerretail.ids import MeterId, require_id
from powerretail.metering.meters import Meter, MeterEvent, MeterType, RegisterKind, parse_ratio
from powerretail.metering.reads import (
    ALLOWED_STEPS_MINUTES,
    EstimationMethod,
    IntervalQuality,
    IntervalSeries,
    ReadSource,
    RegisterRead,
    elapsed,
)
from powerretail.metering.vee import ServiceStatus
from powerretail.quantities import Energy, exact_decimal
from powerretail.timeframe import as_date, as_instant

__all__ = [
    "INTERVAL_COLUMNS",
    "NO_CONTEXT",
    "READ_COLUMNS",
    "IntervalRow",
    "MissedRead",
    "ReadContext",
    "RowError",
    "RowProblem",
    "meter_from_row",
    "parse_interval_row",
    "parse_read_row",
    "read_context_from_row",
    "series_from_rows",
]

#: Register-read columns and what they hold (the first three are required).
READ_COLUMNS: Final[Mapping[str, str]] = {
    "meter_id": "the meter's id",
    "read_at": "ISO 8601 instant with an offset, e.g. 2025-03-01T08:00:00+08:00",
    "value": "register value as shown, every decimal kept; blank = could not be read",
    "register": "active_total (default), peak, flat, valley, critical_peak, reactive, max_demand",
    "source": "actual (default), customer, estimated, substituted",
    "produced_by": "reader or rule that produced the value (default: csv)",
    "method": "estimation method, required for estimated/substituted values",
    "unreadable": "true when the estimate stands for a cycle unreadable for the customer",
    "events": "meter events separated by ';' (outage, reset, overflow, tamper, phase_loss)",
    "multiplier": "CT ratio × VT ratio, or a ratio such as 100/5 (default 1)",
    "digits": "integer dials of the register (default 6)",
    "installed_on": "date the meter was installed (default: the date of its first read)",
    "service": "energised (default), de_energised or inactive: the supply during the read period",
    "expected_kwh": "consumption expected for the period [kWh] (VEE V07), when known",
    "last_year_kwh": "consumption of the same period a year before [kWh] (seed year-on-year rule)",
    "reference_daily_kwh": "reference daily consumption [kWh/day] for the large-customer check",
    "large_customer": "true when the account is a large customer (company rule, ≥ 4000 kWh/month)",
}

#: Interval columns and what they hold (the first three are required).
INTERVAL_COLUMNS: Final[Mapping[str, str]] = {
    "meter_id": "the meter's id",
    "interval_start": "ISO 8601 instant with an offset at which the interval starts",
    "kwh": "energy in the interval [kWh]; blank = missing",
    "channel": "active_total (default) or another register kind",
    "step_minutes": "15 (default), 30 or 60",
    "quality": "actual (default), estimated, substituted, final_estimate",
    "method": "estimation method, required for estimated values",
    "events": "meter events separated by ';'",
}

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)

#: The years a read or an interval may fall in: anything else is a typo (7025 for 2025), and a
#: series from 1995 to 2025 would be a million empty intervals.
FIRST_YEAR: Final = 1970
LAST_YEAR: Final = 2199

#: How far a series of intervals may reach beyond what its rows hold: twice its rows, plus a
#: month of 15-minute intervals (2 976). The work of loading and validating is then bounded by
#: the file's own size; two rows a year apart are refused, not padded with 35 000 gaps.
SPARE_MONTH_INTERVALS: Final = 31 * 96

_TRUE = frozenset({"true", "yes", "1", "y"})
_FALSE = frozenset({"false", "no", "0", "n", ""})


class RowError(InvalidInput):
    """A row of input could not be read: ``line`` and ``column`` say where."""

    def __init__(self, line: int, column: str, value: object, expected: str) -> None:
        self.line = line
        self.column = column
        super().__init__(column, value, expected)

    def __str__(self) -> str:
        return (
            f"line {self.line}, column {self.column}: expected {self.expected}, "
            f"got {describe_value(self.value)}"
        )


@attrs.frozen
class RowProblem:
    """A row that was left out, and why (line 1 is the header)."""

    line: int
    column: str
    message: str


@attrs.frozen(kw_only=True)
class MissedRead:
    """A scheduled read with no value: the cycle could not be read and needs an estimate."""

    meter_id: MeterId
    register: RegisterKind
    read_at: pendulum.DateTime
    unreadable: bool
    line: int


def _text(row: Mapping[str, str | None], column: str) -> str:
    value = row.get(column)
    return "" if value is None else value.strip()


def _required(row: Mapping[str, str | None], column: str, line: int) -> str:
    text = _text(row, column)
    if not text:
        raise RowError(line, column, row.get(column), "a value (the column is required)")
    return text


def _field(line: int, column: str, parse: Callable[[str], T], text: str) -> T:
    try:
        return parse(text)
    except InvalidInput as err:
        raise RowError(line, column, text, err.expected) from None


def _enum_value(kind: type[E], line: int, column: str, text: str, default: E) -> E:
    if not text:
        return default
    try:
        return kind(text.lower())
    except ValueError:
        names = ", ".join(str(member.value) for member in kind)
        raise RowError(line, column, text, f"one of {names}") from None


def _flag(line: int, column: str, text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise RowError(line, column, text, "true or false")


def _events(line: int, text: str) -> frozenset[MeterEvent]:
    parts = [part.strip() for part in text.split(";") if part.strip()]
    return frozenset(
        _enum_value(MeterEvent, line, "events", part, MeterEvent.OUTAGE) for part in parts
    )


def _instant(line: int, column: str, text: str) -> pendulum.DateTime:
    instant = _field(line, column, lambda t: as_instant(t, column), text)
    if not FIRST_YEAR <= instant.year <= LAST_YEAR:
        raise RowError(line, column, text, f"a date-time in the years {FIRST_YEAR}-{LAST_YEAR}")
    return instant


def _whole(text: str) -> bool:
    """Return whether ``text`` is ASCII digits (``str.isdigit`` also takes ``²`` and ``١``)."""
    return text.isascii() and text.isdigit()


def _method(line: int, text: str) -> EstimationMethod | None:
    if not text:
        return None
    return _enum_value(EstimationMethod, line, "method", text, EstimationMethod.MANUAL)


def _meter_id(row: Mapping[str, str | None], line: int) -> MeterId:
    meter_text = _required(row, "meter_id", line)
    return MeterId(_field(line, "meter_id", lambda t: require_id(t, "meter_id"), meter_text))


def parse_read_row(row: Mapping[str, str | None], *, line: int) -> RegisterRead | MissedRead:
    """Return the register read of ``row``, or the missed read when ``value`` is blank.

    Raises:
        RowError: a required column is blank, or a column holds something it cannot.
    """
    meter_id = _meter_id(row, line)
    read_at = _instant(line, "read_at", _required(row, "read_at", line))
    register = _enum_value(
        RegisterKind, line, "register", _text(row, "register"), RegisterKind.ACTIVE_TOTAL
    )
    value_text = _text(row, "value")
    unreadable_text = _text(row, "unreadable")
    if not value_text:
        unreadable = _flag(line, "unreadable", unreadable_text or "true")
        return MissedRead(
            meter_id=meter_id, register=register, read_at=read_at, unreadable=unreadable, line=line
        )
    source = _enum_value(ReadSource, line, "source", _text(row, "source"), ReadSource.ACTUAL)
    value = _field(line, "value", lambda t: exact_decimal(t, "value"), value_text)
    method = _method(line, _text(row, "method"))
    try:
        return RegisterRead(
            meter_id=meter_id,
            register=register,
            read_at=read_at,
            value=value,
            source=source,
            produced_by=_text(row, "produced_by") or "csv",
            method=method,
            unreadable=_flag(line, "unreadable", unreadable_text),
            events=_events(line, _text(row, "events")),
        )
    except InvalidInput as err:
        raise RowError(line, err.field, err.value, err.expected) from None


@attrs.frozen(kw_only=True)
class ReadContext:
    """What a read row says about the read's circumstances, for the rules that need it.

    The fields are those of :class:`~powerretail.metering.vee.ReadSubject` with the same names;
    a row without the context columns gives :data:`NO_CONTEXT`.
    """

    service: ServiceStatus = ServiceStatus.ENERGISED
    expected: Energy | None = None
    same_period_last_year: Energy | None = None
    reference_daily: Energy | None = None
    is_large_customer: bool = False


#: The context of a row without context columns: energised, nothing else known.
NO_CONTEXT: Final = ReadContext()


def _energy(line: int, column: str, text: str) -> Energy | None:
    if not text:
        return None
    value = _field(line, column, lambda t: exact_decimal(t, column), text)
    if value < 0:
        raise RowError(line, column, text, "a number of kWh of zero or more")
    return Energy(value)


def read_context_from_row(row: Mapping[str, str | None], *, line: int) -> ReadContext:
    """Return the context columns of a read row (service, expected, last year, large customer).

    >>> read_context_from_row({"service": "de_energised", "last_year_kwh": "310"}, line=2)
    ReadContext(service=<ServiceStatus.DE_ENERGISED: 'de_energised'>, expected=None, \
same_period_last_year=Energy(value=Decimal('310')), reference_daily=None, is_large_customer=False)

    Raises:
        RowError: a column holds something it cannot (an unknown service state, a negative or
            non-numeric energy, a flag that is not true or false).
    """
    texts = [_text(row, column) for column in _CONTEXT_COLUMNS]
    if not any(texts):
        return NO_CONTEXT
    service, expected, last_year, reference, large = texts
    return ReadContext(
        service=_enum_value(ServiceStatus, line, "service", service, ServiceStatus.ENERGISED),
        expected=_energy(line, "expected_kwh", expected),
        same_period_last_year=_energy(line, "last_year_kwh", last_year),
        reference_daily=_energy(line, "reference_daily_kwh", reference),
        is_large_customer=_flag(line, "large_customer", large),
    )


_CONTEXT_COLUMNS: Final = (
    "service",
    "expected_kwh",
    "last_year_kwh",
    "reference_daily_kwh",
    "large_customer",
)


def meter_from_row(row: Mapping[str, str | None], *, line: int, first_read_on: date) -> Meter:
    """Return the meter described by a read row's optional meter columns.

    Raises:
        RowError: a multiplier, digit count or date that cannot be read.
    """
    multiplier = _field(
        line, "multiplier", lambda t: parse_ratio(t, "multiplier"), _text(row, "multiplier") or "1"
    )
    digits_text = _text(row, "digits") or "6"
    if not _whole(digits_text):
        raise RowError(line, "digits", digits_text, "a whole number of dials 1-12")
    installed_text = _text(row, "installed_on")
    installed = (
        _field(line, "installed_on", lambda t: as_date(t, "installed_on"), installed_text)
        if installed_text
        else None
    )
    try:
        return Meter(
            id=MeterId(_required(row, "meter_id", line)),
            serial=_required(row, "meter_id", line),
            meter_type=MeterType.ELECTRONIC,
            accuracy_class="1",
            ct_ratio=multiplier,
            register_digits=int(digits_text),
            registers=frozenset(RegisterKind),
            installed_on=installed or first_read_on,
        )
    except InvalidInput as err:
        raise RowError(line, err.field.removeprefix("meter."), err.value, err.expected) from None


@attrs.frozen(kw_only=True)
class IntervalRow:
    """One interval value from a row."""

    meter_id: MeterId
    channel: RegisterKind
    start: pendulum.DateTime
    step_minutes: int
    kwh: Decimal | None
    quality: IntervalQuality
    method: EstimationMethod | None
    events: frozenset[MeterEvent]
    line: int


def parse_interval_row(row: Mapping[str, str | None], *, line: int) -> IntervalRow:
    """Return the interval value of ``row``.

    Raises:
        RowError: a required column is blank, or a column holds something it cannot.
    """
    meter_id = _meter_id(row, line)
    start = _instant(line, "interval_start", _required(row, "interval_start", line))
    step_text = _text(row, "step_minutes") or "15"
    if not _whole(step_text) or int(step_text) not in ALLOWED_STEPS_MINUTES:
        raise RowError(line, "step_minutes", step_text, "15, 30 or 60")
    kwh_text = _text(row, "kwh")
    kwh = _field(line, "kwh", lambda t: exact_decimal(t, "kwh"), kwh_text) if kwh_text else None
    if kwh is not None and kwh < 0:
        raise RowError(line, "kwh", kwh_text, "an energy of zero or more")
    quality = (
        IntervalQuality.MISSING
        if kwh is None
        else _enum_value(
            IntervalQuality, line, "quality", _text(row, "quality"), IntervalQuality.ACTUAL
        )
    )
    if quality is IntervalQuality.MISSING and kwh is not None:
        raise RowError(line, "quality", "missing", "a blank kwh for a missing interval")
    method = _method(line, _text(row, "method"))
    if quality not in (IntervalQuality.ACTUAL, IntervalQuality.MISSING) and method is None:
        raise RowError(line, "method", "", f"the method of a {quality.value} value")
    return IntervalRow(
        meter_id=meter_id,
        channel=_enum_value(
            RegisterKind, line, "channel", _text(row, "channel"), RegisterKind.ACTIVE_TOTAL
        ),
        start=start,
        step_minutes=int(step_text),
        kwh=kwh,
        quality=quality,
        method=method,
        events=_events(line, _text(row, "events")),
        line=line,
    )


def series_from_rows(
    rows: Sequence[IntervalRow],
) -> tuple[tuple[IntervalSeries, ...], tuple[RowProblem, ...]]:
    """Return one series per meter and channel, from its first interval to its last.

    Intervals not in the rows are missing. A row off the series' step grid, with another step,
    or repeating an interval with a different value is a problem (the first value is kept);
    an exact repeat is dropped silently (RELIABILITY R22).
    """
    groups: dict[tuple[MeterId, RegisterKind], list[IntervalRow]] = {}
    for row in rows:
        groups.setdefault((row.meter_id, row.channel), []).append(row)
    problems: list[RowProblem] = []
    series: list[IntervalSeries] = []
    for (meter_id, channel), members in sorted(
        groups.items(), key=lambda kv: (kv[0][0], kv[0][1].value)
    ):
        members.sort(key=lambda r: (r.start, r.line))
        step_minutes = members[0].step_minutes
        step = timedelta(minutes=step_minutes)
        start = members[0].start
        placed: dict[int, IntervalRow] = {}
        for row in members:
            if row.step_minutes != step_minutes:
                problems.append(
                    RowProblem(
                        row.line,
                        "step_minutes",
                        f"{row.step_minutes}, the series has {step_minutes}",
                    )
                )
                continue
            offset = elapsed(start, row.start)
            if offset % step:
                problems.append(
                    RowProblem(
                        row.line,
                        "interval_start",
                        f"{row.start} is off the {step_minutes}-minute grid",
                    )
                )
                continue
            index = offset // step
            held = placed.get(index)
            if held is not None:
                if (held.kwh, held.quality) != (row.kwh, row.quality):
                    problems.append(
                        RowProblem(
                            row.line,
                            "kwh",
                            f"interval {row.start} repeats line {held.line} with another value",
                        )
                    )
                continue
            placed[index] = row
        count = max(placed) + 1
        if count > 2 * len(placed) + SPARE_MONTH_INTERVALS:
            last = placed[count - 1].start
            problems.extend(
                RowProblem(
                    row.line,
                    "interval_start",
                    f"meter {meter_id} {channel.value}: {len(placed)} intervals from {start} to "
                    f"{last} would be a series of {count} {step_minutes}-minute intervals, mostly "
                    f"missing (at most twice the rows given plus {SPARE_MONTH_INTERVALS}); "
                    "is a date mistyped?",
                )
                for row in placed.values()
            )
            continue
        values: list[Decimal | None] = [None] * count
        quality = [IntervalQuality.MISSING] * count
        methods: dict[int, EstimationMethod] = {}
        events: dict[int, frozenset[MeterEvent]] = {}
        for index, row in placed.items():
            values[index] = row.kwh
            quality[index] = row.quality
            if row.method is not None and row.quality is not IntervalQuality.ACTUAL:
                methods[index] = row.method
            if row.events:
                events[index] = row.events
        series.append(
            IntervalSeries(
                meter_id=meter_id,
                channel=channel,
                start=start,
                step_minutes=step_minutes,
                values=tuple(values),
                quality=tuple(quality),
                methods=methods,
                events=events,
            )
        )
    return tuple(series), tuple(sorted(problems, key=lambda p: p.line))
