"""Periods of dates and spans of time: half-open, explicit about time zones.

* :class:`DateRange` — a half-open range of calendar dates (a billing period): ``start`` is in,
  ``end`` is out, so consecutive periods share a boundary and never a day.
* :class:`Interval` — a half-open span between two time-zone-aware instants.

Month arithmetic is anchored: the *n*-th monthly period after 31 January starts on 31 January
plus *n* months (28/29 February, 31 March, 30 April …), never on "the previous start plus one
month", which drifts.

>>> period = DateRange.month(2024, 2)
>>> period.days
29
>>> tuple(p.days for p in period.split_at(date(2024, 2, 10)))
(9, 20)
>>> for p in DateRange.monthly(date(2025, 1, 31), 3):
...     print(p)
[2025-01-31, 2025-02-28)
[2025-02-28, 2025-03-31)
[2025-03-31, 2025-04-30)
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from fractions import Fraction
from typing import Final, Protocol, TypeVar

import attrs
import pendulum
from dateutil.relativedelta import relativedelta

from powerretail.errors import InvalidInput, NotFound

__all__ = [
    "DEFAULT_TIMEZONE",
    "DateRange",
    "EffectiveDated",
    "Interval",
    "StartDated",
    "as_date",
    "as_instant",
    "in_force_on",
    "latest_in_force",
    "local_date",
    "timezone",
]

#: The default zone for calendar rules (TOU periods, billing days) — a default, never an assumption.
DEFAULT_TIMEZONE: Final = "Asia/Shanghai"


def timezone(name: str) -> pendulum.Timezone | pendulum.FixedTimezone:
    """Return the IANA time zone ``name``.

    Raises:
        InvalidInput: not a known zone name.
    """
    try:
        return pendulum.timezone(name)
    except (ValueError, OSError, TypeError):  # unknown name, unreadable zone file, not a str
        raise InvalidInput(
            "timezone", name, "an IANA time-zone name such as Asia/Shanghai"
        ) from None


def as_date(value: object, field: str = "date") -> date:
    """Return ``value`` as a calendar date: a ``date`` (not a datetime) or ISO text ``YYYY-MM-DD``.

    Raises:
        InvalidInput: a datetime (ambiguous: which zone's date?), or anything else.
    """
    if isinstance(value, _dt.datetime):
        raise InvalidInput(field, value, "a date; take the local date of an instant explicitly")
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(field, value, "an ISO date YYYY-MM-DD") from None
    raise InvalidInput(field, value, "a date")


def as_instant(value: object, field: str = "instant") -> pendulum.DateTime:
    """Return ``value`` as an aware instant: an aware ``datetime`` or ISO 8601 text with an offset.

    Raises:
        InvalidInput: a naive datetime (no zone is ever assumed), or anything else.
    """
    if isinstance(value, str):
        try:
            parsed = _dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(field, value, "an ISO 8601 date-time with an offset") from None
        value = parsed
    if not isinstance(value, _dt.datetime):
        raise InvalidInput(field, value, "an aware datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(field, value, "an aware datetime (with a time zone or offset)")
    try:
        value.astimezone(_dt.UTC)
    except OverflowError:  # 9999-12-31T23:59-14:00 is in the year 10000 in UTC
        raise InvalidInput(
            field, value, "a date-time whose UTC time is in the years 1-9999"
        ) from None
    if isinstance(value, pendulum.DateTime):
        return value
    return pendulum.instance(value)


def local_date(instant: _dt.datetime, zone: str = DEFAULT_TIMEZONE) -> date:
    """Return the calendar date of ``instant`` in ``zone``."""
    moment = as_instant(instant)
    return as_date(moment.in_timezone(timezone(zone)).date())


def _start_date(value: object) -> date:
    return as_date(value, "start")


def _end_date(value: object) -> date | None:
    return None if value is None else as_date(value, "end")


def _start_instant(value: object) -> pendulum.DateTime:
    return as_instant(value, "start")


def _end_instant(value: object) -> pendulum.DateTime:
    return as_instant(value, "end")


@attrs.frozen(order=False)
class DateRange:
    """A half-open range of dates ``[start, end)``; ``end=None`` means "no end yet".

    Raises:
        InvalidInput: ``end`` not after ``start`` (an empty range is no period).
    """

    start: date = attrs.field(converter=_start_date)
    end: date | None = attrs.field(default=None, converter=_end_date)

    def __attrs_post_init__(self) -> None:
        if self.end is not None and self.end <= self.start:
            raise InvalidInput("end", self.end, f"a date after start ({self.start})")

    @classmethod
    def month(cls, year: int, month: int) -> DateRange:
        """Return calendar month ``year``-``month``.

        Raises:
            InvalidInput: no such month.
        """
        try:
            start = date(year, month, 1)
        except (TypeError, ValueError):
            raise InvalidInput("month", f"{year}-{month}", "a year and a month 1-12") from None
        return cls(start, start + relativedelta(months=1))

    @classmethod
    def year(cls, year: int) -> DateRange:
        """Return calendar year ``year``."""
        try:
            return cls(date(year, 1, 1), date(year + 1, 1, 1))
        except (TypeError, ValueError, OverflowError):
            raise InvalidInput("year", year, "a year 1-9998") from None

    @classmethod
    def monthly(cls, anchor: date, count: int) -> tuple[DateRange, ...]:
        """Return ``count`` consecutive monthly periods, each start counted from ``anchor``.

        The *n*-th period starts at ``anchor + n months`` (clamped to the month's last day), so
        a 31st anchor gives 28/29 Feb, 31 Mar, 30 Apr …, never a drifting 28th.
        """
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise InvalidInput("count", count, "a whole number of periods, at least 1")
        first = as_date(anchor, "anchor")
        bounds = [first + relativedelta(months=n) for n in range(count + 1)]
        return tuple(cls(bounds[n], bounds[n + 1]) for n in range(count))

    @property
    def is_open(self) -> bool:
        """Whether the range has no end yet."""
        return self.end is None

    def _closed_end(self, operation: str) -> date:
        if self.end is None:
            raise InvalidInput("end", None, f"a closed range to {operation}")
        return self.end

    @property
    def days(self) -> int:
        """How many days the range holds (start in, end out).

        Raises:
            InvalidInput: the range has no end.
        """
        return (self._closed_end("count its days") - self.start).days

    @property
    def last_day(self) -> date:
        """The last day inside the range (the day before ``end``)."""
        return self._closed_end("find its last day") - timedelta(days=1)

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date) or isinstance(day, _dt.datetime):
            return False
        return self.start <= day and (self.end is None or day < self.end)

    def overlaps(self, other: DateRange) -> bool:
        """Return whether the two ranges share at least one day."""
        return self.intersection(other) is not None

    def intersection(self, other: DateRange) -> DateRange | None:
        """Return the days both ranges hold, or ``None`` when they share none."""
        start = max(self.start, other.start)
        ends = [end for end in (self.end, other.end) if end is not None]
        end = min(ends) if ends else None
        if end is not None and end <= start:
            return None
        return DateRange(start, end)

    def split_at(self, *cuts: date) -> tuple[DateRange, ...]:
        """Return the range cut before each of ``cuts`` that falls strictly inside it.

        Cuts outside the range or on its start are ignored; the pieces cover the range exactly
        once, in order.
        """
        days = {as_date(cut, "cut") for cut in cuts}
        inside = sorted({day for day in days if self.start < day} - {self.end})
        inside = [cut for cut in inside if self.end is None or cut < self.end]
        bounds: list[date | None] = [self.start, *inside, self.end]
        return tuple(DateRange(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1))

    def by_month(self) -> tuple[DateRange, ...]:
        """Return the range cut at every first of a month inside it (calendar months)."""
        end = self._closed_end("cut it into months")
        firsts = []
        cursor = date(self.start.year, self.start.month, 1) + relativedelta(months=1)
        while cursor < end:
            firsts.append(cursor)
            cursor += relativedelta(months=1)
        return self.split_at(*firsts)

    def dates(self) -> Iterator[date]:
        """Yield every day of the range, in order."""
        end = self._closed_end("list its days")
        day = self.start
        while day < end:
            yield day
            day += timedelta(days=1)

    def proration_factor(self, whole: DateRange) -> Fraction:
        """Return the exact share of ``whole`` this range covers, counted in days.

        Raises:
            InvalidInput: this range is not inside ``whole``.
        """
        inside = self.intersection(whole)
        if inside != self:
            raise InvalidInput("part", str(self), f"a range inside {whole}")
        return Fraction(self.days, whole.days)

    def to_interval(self, zone: str = DEFAULT_TIMEZONE) -> Interval:
        """Return the span from local midnight of ``start`` to local midnight of ``end``."""
        end = self._closed_end("turn it into an interval")
        tz = timezone(zone)
        return Interval(
            pendulum.datetime(self.start.year, self.start.month, self.start.day, tz=tz),
            pendulum.datetime(end.year, end.month, end.day, tz=tz),
        )

    def __str__(self) -> str:
        return f"[{self.start.isoformat()}, {self.end.isoformat() if self.end else '…'})"


@attrs.frozen(order=False)
class Interval:
    """A half-open span ``[start, end)`` between two aware instants, compared in UTC.

    Raises:
        InvalidInput: a naive instant, or ``end`` not after ``start``.
    """

    start: pendulum.DateTime = attrs.field(converter=_start_instant)
    end: pendulum.DateTime = attrs.field(converter=_end_instant)

    def __attrs_post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput(
                "end", self.end.isoformat(), f"an instant after start ({self.start})"
            )

    @property
    def duration(self) -> timedelta:
        """The elapsed time between ``start`` and ``end``."""
        return timedelta(seconds=(self.end - self.start).total_seconds())

    def __contains__(self, instant: object) -> bool:
        if not isinstance(instant, _dt.datetime) or instant.tzinfo is None:
            return False
        return self.start <= instant < self.end

    def intersection(self, other: Interval) -> Interval | None:
        """Return the span both intervals hold, or ``None``."""
        start = max(self.start, other.start)
        end = min(self.end, other.end)
        return Interval(start, end) if start < end else None

    def overlaps(self, other: Interval) -> bool:
        """Return whether the two intervals share any time."""
        return self.intersection(other) is not None

    def split_at(self, *cuts: _dt.datetime) -> tuple[Interval, ...]:
        """Return the interval cut at each instant of ``cuts`` strictly inside it."""
        moments = sorted({as_instant(cut, "cut") for cut in cuts})
        inside = [m for m in moments if self.start < m < self.end]
        bounds = [self.start, *inside, self.end]
        return tuple(Interval(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1))

    def by_local_day(self, zone: str = DEFAULT_TIMEZONE) -> tuple[Interval, ...]:
        """Return the interval cut at every local midnight of ``zone`` inside it.

        A local day is not always 24 hours where daylight saving applies; the cuts are real
        midnights, so the pieces are 23 or 25 hours on transition days.
        """
        tz = timezone(zone)
        local_start = self.start.in_timezone(tz)
        cursor = pendulum.datetime(local_start.year, local_start.month, local_start.day, tz=tz).add(
            days=1
        )
        cuts = []
        while cursor < self.end:
            cuts.append(cursor)
            following = cursor.date().add(days=1)
            cursor = pendulum.datetime(following.year, following.month, following.day, tz=tz)
        return self.split_at(*cuts)

    def __str__(self) -> str:
        return f"[{self.start.isoformat()}, {self.end.isoformat()})"


# ------------------------------------------------------------ effective-dated data


class EffectiveDated(Protocol):
    """Anything in force over a range of dates: a rule set, a tariff version, a test policy."""

    @property
    def effective(self) -> DateRange:
        """The dates it is in force: ``start`` in, ``end`` out (``None``: no end yet)."""
        ...  # pragma: no cover - protocol


class StartDated(Protocol):
    """Anything in force from a day until the next one of its kind takes over (a policy)."""

    @property
    def effective_from(self) -> date:
        """The first day it is in force."""
        ...  # pragma: no cover - protocol


_Ranged = TypeVar("_Ranged", bound=EffectiveDated)
_Started = TypeVar("_Started", bound=StartDated)


def in_force_on(items: Iterable[_Ranged], day: date, what: str) -> _Ranged:
    """Return the one item of ``items`` whose ``effective`` range holds ``day``.

    This is the one way effective-dated data (rule sets, tariff versions, policies) is chosen
    for a day; ``what`` names the kind of item in the errors.

    >>> from types import SimpleNamespace as Item
    >>> old = Item(key="old", effective=DateRange(date(1996, 10, 8), date(2024, 6, 1)))
    >>> new = Item(key="new", effective=DateRange(date(2024, 6, 1)))
    >>> in_force_on([old, new], date(2024, 5, 31), "rule set").key
    'old'
    >>> in_force_on([old, new], date(2024, 6, 1), "rule set").key
    'new'
    >>> in_force_on([old, new], date(1990, 1, 1), "rule set")
    Traceback (most recent call last):
    ...
    powerretail.errors.NotFound: no rule set in force on "1990-01-01"

    Raises:
        NotFound: no item is in force on ``day``.
        InvalidInput: more than one is (their effective ranges overlap), or ``day`` is no date.
    """
    if type(day) is not date:  # the common case skips the conversion
        day = as_date(day, "on")
    found = [item for item in items if day in item.effective]
    if not found:
        raise NotFound(f"{what} in force on", day.isoformat())
    if len(found) > 1:
        ranges = ", ".join(str(item.effective) for item in found)
        raise InvalidInput(
            "effective",
            day.isoformat(),
            f"one {what} in force on a day, not {len(found)} ({ranges})",
        )
    return found[0]


def latest_in_force(items: Iterable[_Started], day: date, what: str) -> _Started:
    """Return the item of ``items`` that took effect last on or before ``day``.

    For data that stays in force until the next of its kind takes over, so has a start and no
    end of its own.

    >>> from types import SimpleNamespace as Item
    >>> first = Item(key="2026", effective_from=date(2026, 1, 1))
    >>> second = Item(key="2027", effective_from=date(2027, 1, 1))
    >>> latest_in_force([second, first], date(2026, 12, 31), "policy").key
    '2026'

    Raises:
        NotFound: none has taken effect by ``day``.
        InvalidInput: the latest two took effect on the same day, or ``day`` is no date.
    """
    day = as_date(day, "on")
    started = sorted(
        (item for item in items if item.effective_from <= day), key=lambda item: item.effective_from
    )
    if not started:
        raise NotFound(f"{what} in force on", day.isoformat())
    if len(started) > 1 and started[-1].effective_from == started[-2].effective_from:
        raise InvalidInput(
            "effective_from",
            started[-1].effective_from.isoformat(),
            f"one {what} per effective date",
        )
    return started[-1]
