"""Working-day arithmetic and SLA clocks on random holiday schedules (RELIABILITY R14)."""

from __future__ import annotations

from datetime import date, timedelta

import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st

from powerretail.calendars.base import (
    add_working_days,
    count_working_days,
    next_working_day,
)
from powerretail.calendars.china import ChinaMainlandCalendar, YearSchedule, parse_year_schedule
from powerretail.sla.clock import SlaClock, SlaEvent
from powerretail.sla.policy import SlaPolicy, SlaUnit
from tests.strategies.calendars import (
    random_calendar_dates,
    random_calendars,
    working_day_counts,
    year_schedules,
)

ONE_DAY = timedelta(days=1)


@given(calendar=random_calendars, start=random_calendar_dates, days=working_day_counts)
def test_counting_after_adding_gives_back_the_days_added(
    calendar: ChinaMainlandCalendar, start: date, days: int
) -> None:
    due = add_working_days(calendar, start, days)

    assert count_working_days(calendar, start + ONE_DAY, due + ONE_DAY) == days


@given(calendar=random_calendars, day=random_calendar_dates)
def test_the_next_working_day_is_the_first_one(calendar: ChinaMainlandCalendar, day: date) -> None:
    following = next_working_day(calendar, day)

    assert calendar.is_working_day(following)
    assert count_working_days(calendar, day + ONE_DAY, following) == 0


@given(schedule=year_schedules(2030))
def test_a_schedule_survives_the_notice_format(schedule: YearSchedule) -> None:
    assert parse_year_schedule(schedule.to_mapping()) == schedule


@settings(max_examples=50)
@given(
    calendar=random_calendars,
    start=random_calendar_dates,
    limit=st.integers(1, 20),
    pause_after=st.integers(0, 30 * 24),
    short=st.integers(0, 10 * 24),
    extra=st.integers(0, 10 * 24),
)
def test_a_longer_pause_never_makes_a_working_day_due_moment_earlier(
    *,
    calendar: ChinaMainlandCalendar,
    start: date,
    limit: int,
    pause_after: int,
    short: int,
    extra: int,
) -> None:
    policy = SlaPolicy(
        key="p",
        name="p",
        limit=limit,
        unit=SlaUnit.WORKING_DAYS,
        rule_set="PROP",
        source="property test",
    )
    accepted = pendulum.datetime(start.year, start.month, start.day, 10, tz="Asia/Shanghai")
    pause = accepted.add(hours=pause_after)

    def due_with_pause(hours: int) -> pendulum.DateTime:
        events = (
            SlaEvent("accepted", accepted),
            SlaEvent("paused", pause),
            SlaEvent("resumed", pause.add(hours=hours)),
        )
        due = SlaClock(policy=policy, events=events, calendar=calendar).due_at
        assert due is not None
        return due

    unpaused = SlaClock(
        policy=policy, events=(SlaEvent("accepted", accepted),), calendar=calendar
    ).due_at
    assert unpaused is not None
    assert unpaused <= due_with_pause(short) <= due_with_pause(short + extra)
