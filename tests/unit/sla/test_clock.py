"""The SLA clock: events in; due moment, remaining time and breach out (RELIABILITY R14)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pendulum
import pytest

from powerretail.calendars.base import WeekendCalendar
from powerretail.calendars.china import ChinaMainlandCalendar
from powerretail.errors import InvalidInput
from powerretail.sla.clock import Pause, SlaClock, SlaEvent, SlaState
from powerretail.sla.policy import SlaPolicy, SlaUnit

CHINA = ChinaMainlandCalendar.default()
SHANGHAI = "Asia/Shanghai"
LONDON = "Europe/London"
ONE_SECOND = timedelta(seconds=1)


def a_policy(limit: int = 5, unit: SlaUnit = SlaUnit.WORKING_DAYS) -> SlaPolicy:
    return SlaPolicy(
        key="complaint_reply",
        name="Complaint reply",
        limit=limit,
        unit=unit,
        rule_set="TEST",
        source="rules.md §16",
    )


def at(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    *,
    second: int = 0,
    tz: str = SHANGHAI,
) -> pendulum.DateTime:
    return pendulum.datetime(year, month, day, hour, minute, second, tz=tz)


def a_clock(
    *events: tuple[str, pendulum.DateTime],
    policy: SlaPolicy | None = None,
    zone: str = SHANGHAI,
) -> SlaClock:
    return SlaClock(
        policy=policy or a_policy(),
        events=[SlaEvent(name, moment) for name, moment in events],
        calendar=CHINA,
        zone=zone,
    )


ACCEPTED = ("accepted", at(2025, 9, 30, 10))
DUE = at(2025, 10, 15)  # 24:00 of 2025-10-14, rules.md §19.7


class TestRunningClock:
    def test_is_due_at_midnight_ending_the_due_date(self) -> None:
        clock = a_clock(ACCEPTED)

        assert clock.due_at == DUE
        assert clock.due_date == date(2025, 10, 14)
        assert clock.state is SlaState.RUNNING
        assert clock.started_at == ACCEPTED[1]
        assert clock.stopped_at is None
        assert clock.pauses == ()

    def test_is_not_breached_one_second_before_the_due_moment(self) -> None:
        clock = a_clock(ACCEPTED)

        assert not clock.is_breached(as_of=DUE - ONE_SECOND)
        assert clock.remaining(as_of=DUE - ONE_SECOND) == ONE_SECOND

    def test_is_not_breached_at_the_due_moment(self) -> None:
        assert not a_clock(ACCEPTED).is_breached(as_of=DUE)

    def test_is_breached_one_second_after_the_due_moment(self) -> None:
        clock = a_clock(ACCEPTED)

        assert clock.is_breached(as_of=DUE + ONE_SECOND)
        assert clock.remaining(as_of=DUE + ONE_SECOND) == -ONE_SECOND

    def test_uses_the_mainland_calendar_and_shanghai_by_default(self) -> None:
        clock = SlaClock(policy=a_policy(), events=[SlaEvent(*ACCEPTED)])

        assert clock.due_at == DUE
        assert clock.zone == SHANGHAI

    def test_takes_the_start_day_in_the_clocks_zone(self) -> None:
        late_in_london = at(2025, 9, 29, 20, tz=LONDON)  # already 30 Sep in Shanghai

        clock = a_clock(("accepted", late_in_london))

        assert clock.due_at == DUE

    def test_ignores_events_the_policy_does_not_name(self) -> None:
        clock = a_clock(ACCEPTED, ("assigned", at(2025, 9, 30, 11)))

        assert clock.due_at == DUE

    def test_refuses_an_as_of_before_the_last_event(self) -> None:
        clock = a_clock(ACCEPTED)

        with pytest.raises(InvalidInput, match="as_of: expected an instant at or after"):
            clock.remaining(as_of=ACCEPTED[1] - ONE_SECOND)


class TestStoppedClock:
    def test_is_met_when_stopped_at_the_due_moment(self) -> None:
        clock = a_clock(ACCEPTED, ("completed", DUE))

        assert clock.is_met
        assert clock.state is SlaState.STOPPED
        assert not clock.is_breached(as_of=DUE + timedelta(days=30))

    def test_is_breached_when_stopped_one_second_late(self) -> None:
        clock = a_clock(ACCEPTED, ("completed", DUE + ONE_SECOND))

        assert not clock.is_met
        assert clock.is_breached(as_of=DUE + ONE_SECOND)
        assert clock.remaining(as_of=DUE + timedelta(days=9)) == -ONE_SECOND

    def test_is_not_met_while_running(self) -> None:
        assert not a_clock(ACCEPTED).is_met


class TestOverdueBy:
    def test_is_none_at_the_due_moment(self) -> None:
        assert a_clock(ACCEPTED).overdue_by(as_of=DUE) is None

    def test_is_the_time_past_the_due_moment_while_running(self) -> None:
        assert a_clock(ACCEPTED).overdue_by(as_of=DUE + timedelta(hours=3)) == timedelta(hours=3)

    def test_judges_work_done_late_at_its_completion_when_asked_before_it(self) -> None:
        done = DUE + timedelta(hours=2)
        clock = a_clock(ACCEPTED, ("completed", done))

        assert clock.overdue_by(as_of=DUE - timedelta(days=1), done_at=done) == timedelta(hours=2)
        assert clock.overdue_by(as_of=done + timedelta(days=9), done_at=done) == timedelta(hours=2)

    def test_is_none_for_work_done_on_time(self) -> None:
        clock = a_clock(ACCEPTED, ("completed", DUE))

        assert clock.overdue_by(as_of=ACCEPTED[1], done_at=DUE) is None

    def test_refuses_a_naive_completion(self) -> None:
        with pytest.raises(InvalidInput, match="done_at"):
            a_clock(ACCEPTED).overdue_by(
                as_of=DUE,
                done_at=datetime(2025, 10, 16),  # noqa: DTZ001
            )


class TestPausesOnDays:
    def test_a_pause_and_resume_on_the_same_day_cost_nothing(self) -> None:
        clock = a_clock(ACCEPTED, ("paused", at(2025, 10, 9, 9)), ("resumed", at(2025, 10, 9, 17)))

        assert clock.due_at == DUE
        assert clock.pauses == (Pause(at(2025, 10, 9, 9), at(2025, 10, 9, 17)),)

    def test_a_pause_over_two_working_days_adds_two_working_days(self) -> None:
        clock = a_clock(ACCEPTED, ("paused", at(2025, 10, 9, 9)), ("resumed", at(2025, 10, 11, 9)))

        assert clock.due_at == at(2025, 10, 17)

    def test_a_pause_over_the_holiday_adds_nothing(self) -> None:
        clock = a_clock(ACCEPTED, ("paused", at(2025, 10, 1, 9)), ("resumed", at(2025, 10, 9, 9)))

        assert clock.due_at == DUE

    def test_a_pause_on_the_start_day_counts_only_from_day_one(self) -> None:
        clock = a_clock(ACCEPTED, ("paused", at(2025, 9, 30, 11)), ("resumed", at(2025, 10, 9, 9)))

        assert clock.due_at == DUE

    def test_a_pause_after_the_due_moment_does_not_move_it(self) -> None:
        clock = a_clock(ACCEPTED, ("paused", at(2025, 10, 16, 9)), ("resumed", at(2025, 10, 20, 9)))

        assert clock.due_at == DUE
        assert clock.is_breached(as_of=at(2025, 10, 20, 9))

    def test_counts_calendar_days_for_a_calendar_day_limit(self) -> None:
        clock = a_clock(
            ACCEPTED,
            ("paused", at(2025, 10, 2, 9)),
            ("resumed", at(2025, 10, 4, 9)),
            policy=a_policy(unit=SlaUnit.CALENDAR_DAYS),
        )

        assert clock.due_at == at(2025, 10, 8)


class TestOpenPause:
    def test_has_no_due_moment_while_paused(self) -> None:
        clock = a_clock(ACCEPTED, ("paused", at(2025, 10, 13, 12)))

        assert clock.state is SlaState.PAUSED
        assert clock.due_at is None
        assert clock.due_date is None
        assert clock.pauses == (Pause(at(2025, 10, 13, 12), None),)

    def test_freezes_the_remaining_time_at_the_pause(self) -> None:
        clock = a_clock(ACCEPTED, ("paused", at(2025, 10, 14, 12)))

        remaining = clock.remaining(as_of=at(2025, 11, 30))

        assert remaining == timedelta(hours=12)
        assert not clock.is_breached(as_of=at(2025, 11, 30))

    def test_stays_breached_when_paused_after_the_due_moment(self) -> None:
        clock = a_clock(ACCEPTED, ("paused", DUE + ONE_SECOND))

        assert clock.is_breached(as_of=DUE + timedelta(days=3))

    def test_a_stop_during_a_pause_ends_the_pause(self) -> None:
        clock = a_clock(
            ACCEPTED, ("paused", at(2025, 10, 14, 9)), ("completed", at(2025, 10, 20, 9))
        )

        assert clock.pauses == (Pause(at(2025, 10, 14, 9), at(2025, 10, 20, 9)),)
        assert clock.is_met


class TestElapsedTimeClock:
    def test_adds_minutes_and_paused_time(self) -> None:
        start = at(2025, 6, 3, 10)
        clock = a_clock(
            ("accepted", start),
            ("paused", start.add(minutes=10)),
            ("resumed", start.add(minutes=25)),
            policy=a_policy(45, SlaUnit.MINUTES),
        )

        assert clock.due_at == start.add(minutes=60)
        assert clock.due_date == date(2025, 6, 3)

    def test_a_pause_after_the_due_moment_adds_nothing(self) -> None:
        start = at(2025, 6, 3, 10)
        clock = a_clock(
            ("accepted", start),
            ("paused", start.add(minutes=50)),
            ("resumed", start.add(minutes=80)),
            policy=a_policy(45, SlaUnit.MINUTES),
        )

        assert clock.due_at == start.add(minutes=45)

    def test_runs_24_elapsed_hours_across_the_london_spring_change(self) -> None:
        start = at(2025, 3, 29, 12, tz=LONDON)  # GMT; clocks go forward 30 March 01:00
        clock = a_clock(("accepted", start), policy=a_policy(24, SlaUnit.HOURS), zone=LONDON)

        due = clock.due_at

        assert due == at(2025, 3, 30, 13, tz=LONDON)  # 13:00 BST = 12:00 UTC
        assert not clock.is_breached(as_of=due - ONE_SECOND)
        assert clock.is_breached(as_of=due + ONE_SECOND)

    def test_runs_24_elapsed_hours_across_the_london_autumn_change(self) -> None:
        start = at(2025, 10, 25, 12, tz=LONDON)  # BST; clocks go back 26 October 02:00
        clock = a_clock(("accepted", start), policy=a_policy(24, SlaUnit.HOURS), zone=LONDON)

        assert clock.due_at == at(2025, 10, 26, 11, tz=LONDON)

    def test_runs_elapsed_hours_across_shanghai_summer_time_of_1991(self) -> None:
        start = at(1991, 4, 13, 12)  # China kept summer time 1986-1991: 14 April 02:00 -> 03:00
        clock = a_clock(("accepted", start), policy=a_policy(24, SlaUnit.HOURS), zone=SHANGHAI)

        due = clock.due_at

        assert due is not None
        assert due.isoformat() == "1991-04-14T13:00:00+09:00"
        assert not clock.is_breached(as_of=due - ONE_SECOND)
        assert clock.is_breached(as_of=due + ONE_SECOND)


class TestDayClockAcrossDaylightSaving:
    def test_ends_at_local_midnight_in_london_after_the_spring_change(self) -> None:
        clock = SlaClock(
            policy=a_policy(1, SlaUnit.CALENDAR_DAYS),
            events=[SlaEvent("accepted", at(2025, 3, 29, 9, tz=LONDON))],
            calendar=WeekendCalendar(),
            zone=LONDON,
        )

        due = clock.due_at

        assert due == at(2025, 3, 31, tz=LONDON)
        assert due is not None
        assert due.utcoffset() == timedelta(hours=1)
        assert not clock.is_breached(as_of=due - ONE_SECOND)
        assert clock.is_breached(as_of=due + ONE_SECOND)


class TestEventsThatMakeNoSense:
    @pytest.mark.parametrize(
        ("events", "message"),
        [
            (
                [("completed", at(2025, 9, 30, 9)), ACCEPTED],
                r"events\[0\]\.name: expected a start event \['accepted'\] before any stop",
            ),
            ([ACCEPTED, ("accepted", at(2025, 10, 9))], r"events\[1\]\.name: expected no second"),
            (
                [ACCEPTED, ("resumed", at(2025, 10, 9))],
                r"events\[1\]\.name: expected a pause before a resume",
            ),
            (
                [ACCEPTED, ("paused", at(2025, 10, 9)), ("paused", at(2025, 10, 10))],
                r"events\[2\]\.name: expected a resume or a stop",
            ),
            (
                [ACCEPTED, ("completed", at(2025, 10, 9)), ("paused", at(2025, 10, 10))],
                r"events\[2\]\.name: expected no event after the stop",
            ),
            (
                [ACCEPTED, ("paused", at(2025, 9, 30, 9))],
                r"events\[1\]\.at: expected an instant at or after events\[0\]\.at",
            ),
            ([("assigned", at(2025, 9, 30, 9))], r"events: expected a start event"),
        ],
    )
    def test_refuses_them_naming_the_event(
        self, events: list[tuple[str, pendulum.DateTime]], message: str
    ) -> None:
        with pytest.raises(InvalidInput, match=message):
            a_clock(*events)

    def test_refuses_no_events_at_all(self) -> None:
        with pytest.raises(InvalidInput, match="events: expected a start event"):
            a_clock()

    def test_refuses_something_that_is_not_an_event(self) -> None:
        with pytest.raises(InvalidInput, match=r"events\[0\]: expected an SlaEvent"):
            SlaClock(policy=a_policy(), events=[ACCEPTED])

    def test_refuses_a_text_instead_of_events(self) -> None:
        with pytest.raises(InvalidInput, match="events: expected a sequence"):
            SlaClock(policy=a_policy(), events="accepted")

    def test_refuses_an_unknown_zone(self) -> None:
        with pytest.raises(InvalidInput, match="timezone"):
            a_clock(ACCEPTED, zone="Mars/Olympus")

    def test_refuses_a_zone_that_is_not_text(self) -> None:
        with pytest.raises(InvalidInput, match="zone"):
            SlaClock(policy=a_policy(), events=[SlaEvent(*ACCEPTED)], zone=8)


class TestSlaEvent:
    def test_refuses_a_naive_instant(self) -> None:
        with pytest.raises(InvalidInput, match="at: expected an aware datetime"):
            SlaEvent("accepted", datetime(2025, 9, 30, 10))  # noqa: DTZ001

    def test_refuses_an_empty_name(self) -> None:
        with pytest.raises(InvalidInput, match="name: expected a non-empty event name"):
            SlaEvent(" ", at(2025, 9, 30))

    def test_reads_an_iso_instant(self) -> None:
        assert SlaEvent("accepted", "2025-09-30T10:00:00+08:00").at == ACCEPTED[1]


class TestInstantsAcrossTheAutumnChange:
    """Same-zone instants either side of a fall-back compare in UTC, not by wall clock.

    In London on 2005-10-30 01:26:35 BST comes 33 minutes before 01:00 GMT (the hour repeats);
    Python compares datetimes sharing one tzinfo by their wall clocks and had it the other way
    round (found by the SLA state machine, about one run in three).
    """

    BEFORE = pendulum.datetime(2005, 10, 30, tz=LONDON).add(seconds=5195)  # 01:26:35+01:00
    AFTER = BEFORE + timedelta(seconds=2005)  # 01:00:00+00:00

    def test_an_as_of_after_the_change_is_after_the_last_event(self) -> None:
        clock = a_clock(("accepted", self.BEFORE), policy=a_policy(1, SlaUnit.CALENDAR_DAYS))

        assert self.AFTER.minute < self.BEFORE.minute  # the wall clock went back (01:00 < 01:26)
        assert clock.remaining(as_of=self.AFTER) == clock.remaining(as_of=self.BEFORE) - timedelta(
            seconds=2005
        )

    def test_events_either_side_of_the_change_are_in_order(self) -> None:
        clock = a_clock(
            ("accepted", self.BEFORE),
            ("completed", self.AFTER),
            policy=a_policy(1, SlaUnit.CALENDAR_DAYS),
        )

        assert clock.state is SlaState.STOPPED
        assert clock.is_met
