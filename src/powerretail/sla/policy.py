"""SLA policies (a time limit and the events that drive it) and notice rules (a lead time).

An :class:`SlaPolicy` says how long a process may take: a limit in calendar days, working days,
hours or minutes, which events start, pause, resume and stop its clock, and which day counts as
day 1 (conventions in docs/explanation/time-and-calendars.md). A :class:`NoticeRule` is the
other shape of time limit found in the rules: a minimum notice *before* an event (a planned
outage announced at least 7 days ahead).

>>> from datetime import date
>>> from powerretail.calendars.china import ChinaMainlandCalendar
>>> complaint = SlaPolicy(
...     key="complaint_reply", name="Complaint reply", limit=5, unit=SlaUnit.WORKING_DAYS,
...     rule_set="EXAMPLE", source="供电服务“十项承诺”",
... )
>>> complaint.due_date(date(2025, 9, 30), calendar=ChinaMainlandCalendar.default())
datetime.date(2025, 10, 14)

Source: the clock conventions of docs/explanation/time-and-calendars.md (the instruments count
"working days" without saying which day is day 1).
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Final

import attrs
import pendulum

from powerretail.calendars.base import BusinessCalendar, add_working_days, count_working_days
from powerretail.calendars.china import ChinaMainlandCalendar
from powerretail.errors import InvalidInput
from powerretail.timeframe import DEFAULT_TIMEZONE, as_date, as_instant, timezone

__all__ = [
    "DEFAULT_PAUSE_EVENTS",
    "DEFAULT_RESUME_EVENTS",
    "DEFAULT_START_EVENTS",
    "DEFAULT_STOP_EVENTS",
    "DayOne",
    "NoticeRule",
    "SlaPolicy",
    "SlaUnit",
    "add_days",
    "elapsed",
    "end_of_day",
    "shift_elapsed",
]

#: The event names a policy listens to unless it says otherwise.
DEFAULT_START_EVENTS: Final = frozenset({"accepted"})
DEFAULT_STOP_EVENTS: Final = frozenset({"completed"})
DEFAULT_PAUSE_EVENTS: Final = frozenset({"paused"})
DEFAULT_RESUME_EVENTS: Final = frozenset({"resumed"})

_UTC: Final = pendulum.timezone("UTC")


class SlaUnit(enum.Enum):
    """The unit of a time limit."""

    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    HOURS = "hours"
    MINUTES = "minutes"

    @property
    def is_day_based(self) -> bool:
        """Whether the limit counts dates (days) rather than elapsed time (hours, minutes)."""
        return self in (SlaUnit.CALENDAR_DAYS, SlaUnit.WORKING_DAYS)


class DayOne(enum.Enum):
    """Which day is day 1 of a day-based limit (no instrument says; made configurable)."""

    #: Day 1 is the first counted day *after* the start day (the default: "within 5 working
    #: days from acceptance" — accepted Tuesday, day 1 is Wednesday).
    AFTER_START = "after_start"
    #: The start day is day 1 when it is itself a counted day.
    START_DAY = "start_day"


def elapsed(later: _dt.datetime, earlier: _dt.datetime) -> timedelta:
    """Return the elapsed time from ``earlier`` to ``later`` (negative when ``later`` is earlier).

    Both are compared in UTC: the standard library subtracts two datetimes that share a
    ``tzinfo`` by their wall clocks, which is wrong across a daylight-saving change.
    """
    return _dt.datetime.__sub__(
        as_instant(later).in_timezone(_UTC), as_instant(earlier).in_timezone(_UTC)
    )


def shift_elapsed(instant: _dt.datetime, delta: timedelta, zone: str) -> pendulum.DateTime:
    """Return ``instant`` moved by ``delta`` of elapsed time, shown in ``zone``."""
    moved = as_instant(instant).in_timezone(_UTC) + delta
    return moved.in_timezone(timezone(zone))


def end_of_day(day: date, zone: str) -> pendulum.DateTime:
    """Return 24:00 of ``day`` in ``zone``: the local midnight that starts the next day."""
    following = day + timedelta(days=1)
    return pendulum.datetime(following.year, following.month, following.day, tz=timezone(zone))


def _names(value: object, field: str) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidInput(field, value, "a set of event names")
    names = frozenset(value)
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput(field, name, "non-empty event names")
    return names


def _start_names(value: object) -> frozenset[str]:
    return _names(value, "start_events")


def _stop_names(value: object) -> frozenset[str]:
    return _names(value, "stop_events")


def _pause_names(value: object) -> frozenset[str]:
    return _names(value, "pause_events")


def _resume_names(value: object) -> frozenset[str]:
    return _names(value, "resume_events")


def _positive_whole(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(field, value, "a whole number, at least 1")
    return value


def _limit(value: object) -> int:
    return _positive_whole(value, "limit")


def _lead(value: object) -> int:
    return _positive_whole(value, "lead")


def _unit(value: object) -> SlaUnit:
    try:
        return SlaUnit(value)
    except ValueError:
        raise InvalidInput("unit", value, f"one of {[u.value for u in SlaUnit]}") from None


def _day_one(value: object) -> DayOne:
    try:
        return DayOne(value)
    except ValueError:
        raise InvalidInput("day_one", value, f"one of {[d.value for d in DayOne]}") from None


def add_days(calendar: BusinessCalendar, unit: SlaUnit, day: date, days: int) -> date:
    """Move ``day`` by ``days`` counted days of a day-based ``unit``."""
    if unit is SlaUnit.WORKING_DAYS:
        return add_working_days(calendar, day, days)
    return day + timedelta(days=days)


@attrs.frozen(kw_only=True)
class SlaPolicy:
    """A service time limit: ``limit`` ``unit`` from a start event to a stop event.

    Attributes:
        key: the limit's key inside its rule set (``"complaint_reply"``).
        name: a readable name.
        limit: the number of units allowed (a whole number, at least 1).
        unit: calendar days, working days, hours or minutes.
        start_events / stop_events / pause_events / resume_events: the event names that start,
            stop, pause and resume the clock; no name may play two roles.
        day_one: which day is day 1 of a day-based limit (ignored for hours and minutes).
        rule_set: the rule-set key the limit belongs to (``"SGCC10"``; keys in
            docs/explanation/sources.md).
        source: where the number comes from (instrument, 文号, article).
        status: how sure we are (``"confirmed: 2 sources"``, ``"1 source"``, ``"uncertain"``).
        note: anything a user of the limit must know (an average, not a per-case limit …).

    Raises:
        InvalidInput: a limit below 1, an unknown unit, an event name in two roles, no start or
            no stop event, or pause events without resume events (or the reverse).
    """

    key: str
    name: str
    limit: int = attrs.field(converter=_limit)
    unit: SlaUnit = attrs.field(converter=_unit)
    rule_set: str
    source: str
    status: str = "1 source"
    note: str = ""
    start_events: frozenset[str] = attrs.field(default=DEFAULT_START_EVENTS, converter=_start_names)
    stop_events: frozenset[str] = attrs.field(default=DEFAULT_STOP_EVENTS, converter=_stop_names)
    pause_events: frozenset[str] = attrs.field(default=DEFAULT_PAUSE_EVENTS, converter=_pause_names)
    resume_events: frozenset[str] = attrs.field(
        default=DEFAULT_RESUME_EVENTS, converter=_resume_names
    )
    day_one: DayOne = attrs.field(default=DayOne.AFTER_START, converter=_day_one)

    def __attrs_post_init__(self) -> None:
        roles = {
            "start_events": self.start_events,
            "stop_events": self.stop_events,
            "pause_events": self.pause_events,
            "resume_events": self.resume_events,
        }
        for field in ("start_events", "stop_events"):
            if not roles[field]:
                raise InvalidInput(field, "{}", "at least one event name")
        if bool(self.pause_events) != bool(self.resume_events):
            raise InvalidInput(
                "resume_events", sorted(self.resume_events), "resume events exactly when paused"
            )
        seen: dict[str, str] = {}
        for field, names in roles.items():
            for name in sorted(names):
                if name in seen:
                    raise InvalidInput(
                        field, name, f"an event name not already in {seen[name]} (one role each)"
                    )
                seen[name] = field

    def role_of(self, event_name: str) -> str | None:
        """Return ``"start"``, ``"stop"``, ``"pause"``, ``"resume"`` or ``None`` (not ours)."""
        for role, names in (
            ("start", self.start_events),
            ("stop", self.stop_events),
            ("pause", self.pause_events),
            ("resume", self.resume_events),
        ):
            if event_name in names:
                return role
        return None

    def _require_days(self, operation: str) -> None:
        if not self.unit.is_day_based:
            raise InvalidInput(
                "unit", self.unit.value, f"calendar_days or working_days to {operation}"
            )

    def first_counted_day(self, start_day: date) -> date:
        """Return the first date that may count towards the limit when the clock starts on
        ``start_day`` (the day after, or ``start_day`` itself under :attr:`DayOne.START_DAY`).

        Raises:
            InvalidInput: the limit is in hours or minutes.
        """
        self._require_days("find day 1")
        start = as_date(start_day, "start_day")
        if self.day_one is DayOne.START_DAY:
            return start
        return start + timedelta(days=1)

    def due_date(self, start_day: date, *, calendar: BusinessCalendar | None = None) -> date:
        """Return the last day allowed when the clock starts on ``start_day`` (no pauses).

        Under :attr:`DayOne.AFTER_START`, 5 working days from Tue 2025-09-30 end
        on 2025-10-14 (Oct 1-8 is the National Day holiday). Working days follow ``calendar``
        (default: the mainland-China calendar).

        Raises:
            InvalidInput: the limit is in hours or minutes.
            CalendarYearNotCovered: the count runs into a year the calendar has no data for.
        """
        first = self.first_counted_day(start_day)
        chosen = ChinaMainlandCalendar.default() if calendar is None else calendar
        base = first - timedelta(days=1)
        return add_days(chosen, self.unit, base, self.limit)

    def counted_days(
        self, start_day: date, first: date, end: date, *, calendar: BusinessCalendar
    ) -> int:
        """Return the counted days in ``[first, end)`` that are on or after day 1 of a clock
        started on ``start_day`` (working days for a working-day limit).

        Raises:
            InvalidInput: the limit is in hours or minutes.
        """
        begin = max(as_date(first, "first"), self.first_counted_day(start_day))
        stop = as_date(end, "end")
        if stop <= begin:
            return 0
        if self.unit is SlaUnit.WORKING_DAYS:
            return count_working_days(calendar, begin, stop)
        return (stop - begin).days

    def clock_duration(self) -> timedelta:
        """Return the limit as elapsed time.

        Raises:
            InvalidInput: the limit is in days.
        """
        if self.unit is SlaUnit.HOURS:
            return timedelta(hours=self.limit)
        if self.unit is SlaUnit.MINUTES:
            return timedelta(minutes=self.limit)
        raise InvalidInput("unit", self.unit.value, "hours or minutes for an elapsed duration")


@attrs.frozen(kw_only=True)
class NoticeRule:
    """A minimum notice before an event: notify at least ``lead`` ``unit`` ahead.

    Day-based leads move the event's local wall-clock time back by whole days (working days
    for a working-day lead); hour and minute leads subtract elapsed time. A notice given at
    exactly the latest moment satisfies the rule. Should the same wall-clock time not exist on
    that day (a spring daylight-saving gap), it moves forward by the gap (01:30 becomes 02:30).

    >>> rule = NoticeRule(key="planned_outage", name="Planned outage notice", lead=7,
    ...                   unit=SlaUnit.CALENDAR_DAYS, rule_set="EXAMPLE", source="条例 第28条")
    >>> outage = pendulum.datetime(2025, 10, 20, 8, tz="Asia/Shanghai")
    >>> print(rule.latest_notice_for(outage))
    2025-10-13 08:00:00+08:00
    >>> rule.is_satisfied(pendulum.datetime(2025, 10, 14, tz="Asia/Shanghai"), outage)
    False
    """

    key: str
    name: str
    lead: int = attrs.field(converter=_lead)
    unit: SlaUnit = attrs.field(converter=_unit)
    rule_set: str
    source: str
    status: str = "1 source"
    note: str = ""

    def latest_notice_for(
        self,
        event_at: _dt.datetime,
        *,
        calendar: BusinessCalendar | None = None,
        zone: str = DEFAULT_TIMEZONE,
    ) -> pendulum.DateTime:
        """Return the latest instant a notice for an event at ``event_at`` may be given.

        Raises:
            InvalidInput: ``event_at`` is not an aware instant.
            CalendarYearNotCovered: a working-day lead reaches a year without calendar data.
        """
        event = as_instant(event_at, "event_at")
        if not self.unit.is_day_based:
            delta = (
                timedelta(hours=self.lead)
                if self.unit is SlaUnit.HOURS
                else timedelta(minutes=self.lead)
            )
            return shift_elapsed(event, -delta, zone)
        local = event.in_timezone(timezone(zone))
        chosen = ChinaMainlandCalendar.default() if calendar is None else calendar
        day = add_days(chosen, self.unit, local.date(), -self.lead)
        return pendulum.datetime(
            day.year,
            day.month,
            day.day,
            local.hour,
            local.minute,
            local.second,
            local.microsecond,
            tz=timezone(zone),
        )

    def is_satisfied(
        self,
        notice_at: _dt.datetime,
        event_at: _dt.datetime,
        *,
        calendar: BusinessCalendar | None = None,
        zone: str = DEFAULT_TIMEZONE,
    ) -> bool:
        """Return whether a notice given at ``notice_at`` was early enough for ``event_at``.

        Raises:
            InvalidInput: an instant is not aware.
        """
        notice = as_instant(notice_at, "notice_at")
        return notice <= self.latest_notice_for(event_at, calendar=calendar, zone=zone)
