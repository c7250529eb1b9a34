"""The SLA clock: due moment, time remaining and breach, computed from events passed in.

An :class:`SlaClock` is a pure function of an :class:`~powerretail.sla.policy.SlaPolicy`, a
business calendar, a time zone and the timestamped :class:`SlaEvent` s of one case. It never
reads the clock: "now" is the ``as_of`` instant a caller passes to :meth:`SlaClock.remaining`
and :meth:`SlaClock.is_breached`.

Conventions (documented in ``docs/explanation/time-and-calendars.md``):

* **On time** iff the stop instant is at or before :attr:`SlaClock.due_at`.
* **Day-based limits** end at 24:00 of the due date in the clock's zone (the local midnight
  that starts the next day). Day 1 is set by the policy's ``day_one``.
* **Hour and minute limits** run on elapsed time: ``due_at = start + limit + paused time``,
  so a daylight-saving change neither adds nor removes an hour.
* **Pauses.** An hour or minute limit is extended by the elapsed time of each pause. A
  day-based limit is extended by the counted days (working days for a working-day limit) from
  the pause's local date up to, not including, the resume's local date, counting only days on
  or after day 1 — a pause and resume on the same day cost nothing. A pause that begins after
  the due moment extends nothing: the limit was already breached.
* **An open pause** (paused, not yet resumed) has no due moment: :attr:`SlaClock.due_at` is
  ``None`` and :meth:`SlaClock.remaining` is frozen at what was left when the pause began.
* Events whose names the policy does not list are ignored (a case's event stream holds more
  than its SLA needs); the listed ones must make sense in order, or :class:`InvalidInput`
  names the offending event.

>>> from powerretail.sla.policy import SlaPolicy, SlaUnit
>>> policy = SlaPolicy(key="repair_arrival", name="Repair arrival", limit=45,
...                    unit=SlaUnit.MINUTES, rule_set="EXAMPLE", source="供电服务“十项承诺”")
>>> t = pendulum.datetime(2025, 6, 3, 10, tz="Asia/Shanghai")
>>> clock = SlaClock(policy=policy, events=[SlaEvent("accepted", t)])
>>> print(clock.due_at)
2025-06-03 10:45:00+08:00
>>> clock.remaining(as_of=t.add(minutes=40)), clock.is_breached(as_of=t.add(minutes=46))
(datetime.timedelta(seconds=300), True)
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable
from datetime import date, timedelta

import attrs
import pendulum

from powerretail.calendars.base import BusinessCalendar
from powerretail.calendars.china import ChinaMainlandCalendar
from powerretail.errors import InvalidInput
from powerretail.sla.policy import SlaPolicy, add_days, elapsed, end_of_day, shift_elapsed
from powerretail.timeframe import DEFAULT_TIMEZONE, as_instant, local_date, timezone

__all__ = ["Pause", "SlaClock", "SlaEvent", "SlaState"]


def _instant(value: object) -> pendulum.DateTime:
    return as_instant(value, "at")


def _before(first: _dt.datetime, second: _dt.datetime) -> bool:
    """Return whether ``first`` is before ``second``, in UTC.

    Python compares two datetimes that share one tzinfo by their wall clocks, so in a zone with
    daylight saving 01:00 after the autumn change would come before 01:26 ahead of it.
    """
    return first.astimezone(_dt.UTC) < second.astimezone(_dt.UTC)


def _event_name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("name", value, "a non-empty event name")
    return value


@attrs.frozen
class SlaEvent:
    """Something that happened to a case at an aware instant (``accepted``, ``paused`` …)."""

    name: str = attrs.field(converter=_event_name)
    at: pendulum.DateTime = attrs.field(converter=_instant)


@attrs.frozen
class Pause:
    """A span during which the clock stood still; ``end`` is ``None`` while it still stands."""

    start: pendulum.DateTime
    end: pendulum.DateTime | None


class SlaState(enum.Enum):
    """Where a clock stands after its last event."""

    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


def _events(value: object) -> tuple[SlaEvent, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidInput("events", value, "a sequence of SlaEvent")
    events = tuple(value)
    for index, event in enumerate(events):
        if not isinstance(event, SlaEvent):
            raise InvalidInput(f"events[{index}]", event, "an SlaEvent")
    return events


def _default_calendar() -> BusinessCalendar:
    return ChinaMainlandCalendar.default()


def _zone(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("zone", value, "an IANA time-zone name such as Asia/Shanghai")
    timezone(value)
    return value


@attrs.frozen
class _Walk:
    """What the events say, checked: when the clock started and stopped, and its pauses."""

    started_at: pendulum.DateTime
    stopped_at: pendulum.DateTime | None
    pauses: tuple[Pause, ...]
    last_at: pendulum.DateTime


def _walk(policy: SlaPolicy, events: tuple[SlaEvent, ...]) -> _Walk:
    started_at: pendulum.DateTime | None = None
    stopped_at: pendulum.DateTime | None = None
    paused_at: pendulum.DateTime | None = None
    pauses: list[Pause] = []
    for index, event in enumerate(events):
        if index and _before(event.at, events[index - 1].at):
            raise InvalidInput(
                f"events[{index}].at",
                event.at.isoformat(),
                f"an instant at or after events[{index - 1}].at ({events[index - 1].at})",
            )
        role = policy.role_of(event.name)
        if role is None:
            continue
        where = f"events[{index}].name"
        if stopped_at is not None:
            raise InvalidInput(where, event.name, f"no event after the stop at {stopped_at}")
        if started_at is None:
            if role != "start":
                raise InvalidInput(
                    where,
                    event.name,
                    f"a start event {sorted(policy.start_events)} before any {role}",
                )
            started_at = event.at
        elif role == "start":
            raise InvalidInput(where, event.name, f"no second start (started at {started_at})")
        elif role == "pause":
            if paused_at is not None:
                raise InvalidInput(
                    where, event.name, f"a resume or a stop (paused since {paused_at})"
                )
            paused_at = event.at
        elif role == "resume":
            if paused_at is None:
                raise InvalidInput(where, event.name, "a pause before a resume")
            pauses.append(Pause(paused_at, event.at))
            paused_at = None
        else:
            stopped_at = event.at
            if paused_at is not None:
                pauses.append(Pause(paused_at, event.at))
                paused_at = None
    if started_at is None:
        raise InvalidInput(
            "events",
            [event.name for event in events],
            f"a start event {sorted(policy.start_events)}",
        )
    if paused_at is not None:
        pauses.append(Pause(paused_at, None))
    return _Walk(started_at, stopped_at, tuple(pauses), events[-1].at)


@attrs.frozen(kw_only=True)
class SlaClock:
    """The state of one case's time limit, computed from its events.

    Attributes:
        policy: the limit and the event names it listens to.
        events: the case's events, in time order (ties keep their given order).
        calendar: the business calendar for working-day limits (default: mainland China).
        zone: the IANA zone whose dates and midnights day-based limits use
            (default Asia/Shanghai).

    Raises:
        InvalidInput: events out of time order, no start, a stop/pause/resume before the start,
            a second start, a pause while paused, a resume without a pause, or an event after
            the stop.
        CalendarYearNotCovered: the due date falls in a year the calendar has no data for.
    """

    policy: SlaPolicy
    events: tuple[SlaEvent, ...] = attrs.field(converter=_events)
    calendar: BusinessCalendar = attrs.field(factory=_default_calendar)
    zone: str = attrs.field(default=DEFAULT_TIMEZONE, converter=_zone)
    _walk: _Walk = attrs.field(init=False, eq=False, repr=False)
    _due: pendulum.DateTime = attrs.field(init=False, eq=False, repr=False)
    _due_day: date = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        walk = _walk(self.policy, self.events)
        object.__setattr__(self, "_walk", walk)
        closed = tuple(pause for pause in walk.pauses if pause.end is not None)
        due, due_day = self._due_after(closed)
        object.__setattr__(self, "_due", due)
        object.__setattr__(self, "_due_day", due_day)

    # ------------------------------------------------------------------ the due moment
    def _due_after(self, pauses: tuple[Pause, ...]) -> tuple[pendulum.DateTime, date]:
        """Return the due moment and date after the closed ``pauses``, applied in order."""
        started = self._walk.started_at
        if not self.policy.unit.is_day_based:
            due = shift_elapsed(started, self.policy.clock_duration(), self.zone)
            for pause in pauses:
                if not _before(due, pause.start) and pause.end is not None:
                    due = shift_elapsed(due, elapsed(pause.end, pause.start), self.zone)
            return due, due.date()
        start_day = local_date(started, self.zone)
        due_day = self.policy.due_date(start_day, calendar=self.calendar)
        for pause in pauses:
            if not _before(end_of_day(due_day, self.zone), pause.start) and pause.end is not None:
                extra = self.policy.counted_days(
                    start_day,
                    local_date(pause.start, self.zone),
                    local_date(pause.end, self.zone),
                    calendar=self.calendar,
                )
                due_day = add_days(self.calendar, self.policy.unit, due_day, extra)
        return end_of_day(due_day, self.zone), due_day

    @property
    def started_at(self) -> pendulum.DateTime:
        """When the clock started."""
        return self._walk.started_at

    @property
    def stopped_at(self) -> pendulum.DateTime | None:
        """When the clock stopped, or ``None`` while it has not."""
        return self._walk.stopped_at

    @property
    def pauses(self) -> tuple[Pause, ...]:
        """Every pause, in order; the last one has no end while the clock is paused."""
        return self._walk.pauses

    @property
    def state(self) -> SlaState:
        """Whether the clock is running, paused or stopped after its last event."""
        if self._walk.stopped_at is not None:
            return SlaState.STOPPED
        if self._walk.pauses and self._walk.pauses[-1].end is None:
            return SlaState.PAUSED
        return SlaState.RUNNING

    @property
    def due_at(self) -> pendulum.DateTime | None:
        """The instant by which the clock must stop, or ``None`` while it is paused.

        A paused clock has no due moment yet: it depends on when the pause ends. See
        :meth:`remaining` for what is left.
        """
        if self.state is SlaState.PAUSED:
            return None
        return self._due

    @property
    def due_date(self) -> date | None:
        """The last local date allowed, or ``None`` while the clock is paused.

        For a day-based limit this is the due date of the worked examples in
        docs/explanation/sources.md (:attr:`due_at` is the midnight that ends it); for an hour or
        minute limit, the local date of :attr:`due_at`.
        """
        if self.state is SlaState.PAUSED:
            return None
        return self._due_day

    # ------------------------------------------------------------------ as of an instant
    def _check_as_of(self, as_of: _dt.datetime) -> pendulum.DateTime:
        moment = as_instant(as_of, "as_of")
        if _before(moment, self._walk.last_at):
            raise InvalidInput(
                "as_of",
                moment.isoformat(),
                f"an instant at or after the last event ({self._walk.last_at})",
            )
        return moment

    def remaining(self, as_of: _dt.datetime) -> timedelta:
        """Return the time left until the due moment as of ``as_of`` (negative once overdue).

        A stopped clock keeps what was left when it stopped; a paused clock keeps what was
        left when the pause began.

        Raises:
            InvalidInput: ``as_of`` is naive or before the last event the clock was given.
        """
        moment = self._check_as_of(as_of)
        stopped, pauses = self._walk.stopped_at, self._walk.pauses
        if stopped is not None:
            return elapsed(self._due, stopped)
        if pauses and pauses[-1].end is None:
            return elapsed(self._due, pauses[-1].start)
        return elapsed(self._due, moment)

    def is_breached(self, as_of: _dt.datetime) -> bool:
        """Return whether the limit is breached as of ``as_of``.

        A stopped clock is breached iff it stopped after its due moment; a running clock iff
        ``as_of`` is after it; a paused clock iff the pause began after it.

        Raises:
            InvalidInput: ``as_of`` is naive or before the last event the clock was given.
        """
        return self.remaining(as_of) < timedelta(0)

    def overdue_by(
        self, as_of: _dt.datetime, *, done_at: _dt.datetime | None = None
    ) -> timedelta | None:
        """Return how far past its due moment the clock is as of ``as_of``, or None when the
        limit is not breached.

        ``done_at`` is when the work was done (the clock's stop): a breach record asked for
        before it is judged at ``done_at`` instead, so that work done late stays late whatever
        ``as_of`` is asked.

        Raises:
            InvalidInput: ``as_of`` is naive or before the last event the clock was given.
        """
        moment = as_instant(as_of, "as_of")
        if done_at is not None:
            moment = max(moment, as_instant(done_at, "done_at"))
        late = -self.remaining(moment)
        return late if late > timedelta(0) else None

    @property
    def is_met(self) -> bool:
        """Whether the clock has stopped on time (at or before its due moment)."""
        stopped = self._walk.stopped_at
        return stopped is not None and not _before(self._due, stopped)
