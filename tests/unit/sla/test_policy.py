"""SLA policies and notice rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pendulum
import pytest

from powerretail.calendars.base import WeekendCalendar
from powerretail.calendars.china import ChinaMainlandCalendar
from powerretail.errors import InvalidInput
from powerretail.sla.policy import DayOne, NoticeRule, SlaPolicy, SlaUnit, elapsed

CHINA = ChinaMainlandCalendar.default()
SHANGHAI = "Asia/Shanghai"


def a_policy(**overrides: object) -> SlaPolicy:
    fields: dict[str, object] = {
        "key": "complaint_reply",
        "name": "Complaint reply",
        "limit": 5,
        "unit": SlaUnit.WORKING_DAYS,
        "rule_set": "TEST",
        "source": "rules.md §16",
    }
    fields.update(overrides)
    return SlaPolicy(**fields)  # type: ignore[arg-type]


def a_notice_rule(**overrides: object) -> NoticeRule:
    fields: dict[str, object] = {
        "key": "planned_outage_notice",
        "name": "Planned outage notice",
        "lead": 7,
        "unit": SlaUnit.CALENDAR_DAYS,
        "rule_set": "TEST",
        "source": "rules.md §16",
    }
    fields.update(overrides)
    return NoticeRule(**fields)  # type: ignore[arg-type]


class TestSlaPolicy:
    def test_listens_to_accepted_completed_paused_and_resumed_by_default(self) -> None:
        policy = a_policy()

        roles = [policy.role_of(n) for n in ("accepted", "completed", "paused", "resumed", "x")]

        assert roles == ["start", "stop", "pause", "resume", None]

    def test_takes_the_unit_and_day_one_as_text(self) -> None:
        policy = a_policy(unit="calendar_days", day_one="start_day")

        assert (policy.unit, policy.day_one) == (SlaUnit.CALENDAR_DAYS, DayOne.START_DAY)

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"limit": 0}, "limit: expected a whole number, at least 1"),
            ({"limit": True}, "limit: expected a whole number"),
            ({"unit": "fortnights"}, "unit: expected one of"),
            ({"day_one": "tomorrow"}, "day_one: expected one of"),
            ({"start_events": "accepted"}, "start_events: expected a set of event names"),
            ({"stop_events": {""}}, "stop_events: expected non-empty event names"),
            ({"start_events": set()}, "start_events: expected at least one event name"),
            ({"stop_events": ()}, "stop_events: expected at least one event name"),
            ({"resume_events": ()}, "resume_events: expected resume events exactly when paused"),
            ({"stop_events": {"accepted"}}, "stop_events: expected an event name not already"),
        ],
    )
    def test_refuses_an_inconsistent_definition(
        self, overrides: dict[str, object], message: str
    ) -> None:
        with pytest.raises(InvalidInput, match=message):
            a_policy(**overrides)

    def test_may_have_no_pause_at_all(self) -> None:
        policy = a_policy(pause_events=(), resume_events=())

        assert policy.role_of("paused") is None


class TestDueDate:
    def test_counts_day_one_after_the_start_day_by_default(self) -> None:
        assert a_policy().due_date(date(2025, 9, 30), calendar=CHINA) == date(2025, 10, 14)

    def test_counts_a_working_start_day_as_day_one_when_asked(self) -> None:
        policy = a_policy(day_one=DayOne.START_DAY)

        assert policy.due_date(date(2025, 9, 30), calendar=CHINA) == date(2025, 10, 13)

    def test_counts_from_the_next_working_day_when_the_start_day_is_off(self) -> None:
        policy = a_policy(day_one=DayOne.START_DAY, limit=1)

        assert policy.due_date(date(2025, 10, 3), calendar=CHINA) == date(2025, 10, 9)

    def test_counts_calendar_days_under_both_conventions(self) -> None:
        after = a_policy(unit=SlaUnit.CALENDAR_DAYS)
        same = a_policy(unit=SlaUnit.CALENDAR_DAYS, day_one=DayOne.START_DAY)

        assert after.due_date(date(2025, 9, 30)) == date(2025, 10, 5)
        assert same.due_date(date(2025, 9, 30)) == date(2025, 10, 4)

    def test_uses_the_mainland_calendar_unless_told_otherwise(self) -> None:
        assert a_policy().due_date(date(2025, 9, 30)) == date(2025, 10, 14)
        assert a_policy().due_date(date(2025, 9, 30), calendar=WeekendCalendar()) == date(
            2025, 10, 7
        )

    def test_refuses_an_hour_limit(self) -> None:
        with pytest.raises(InvalidInput, match="unit: expected calendar_days or working_days"):
            a_policy(unit=SlaUnit.HOURS).due_date(date(2025, 9, 30))


class TestCountedDays:
    def test_ignores_days_before_day_one(self) -> None:
        policy = a_policy()

        counted = policy.counted_days(
            date(2025, 9, 29), date(2025, 9, 29), date(2025, 10, 1), calendar=CHINA
        )

        assert counted == 1

    def test_is_zero_for_an_empty_range(self) -> None:
        policy = a_policy(unit=SlaUnit.CALENDAR_DAYS)

        assert (
            policy.counted_days(
                date(2025, 9, 1), date(2025, 9, 10), date(2025, 9, 10), calendar=CHINA
            )
            == 0
        )

    def test_counts_calendar_days_for_a_calendar_day_limit(self) -> None:
        policy = a_policy(unit=SlaUnit.CALENDAR_DAYS)

        assert (
            policy.counted_days(
                date(2025, 9, 1), date(2025, 9, 10), date(2025, 9, 13), calendar=CHINA
            )
            == 3
        )


class TestClockDuration:
    def test_turns_hours_and_minutes_into_elapsed_time(self) -> None:
        assert a_policy(unit=SlaUnit.HOURS, limit=3).clock_duration() == timedelta(hours=3)
        assert a_policy(unit=SlaUnit.MINUTES, limit=45).clock_duration() == timedelta(minutes=45)

    def test_refuses_a_day_limit(self) -> None:
        with pytest.raises(InvalidInput, match="hours or minutes"):
            a_policy().clock_duration()


class TestElapsed:
    def test_measures_real_time_across_a_daylight_saving_change(self) -> None:
        before = pendulum.datetime(2025, 3, 29, 12, tz="Europe/London")
        after = pendulum.datetime(2025, 3, 30, 13, tz="Europe/London")

        assert elapsed(after, before) == timedelta(hours=24)


class TestNoticeRule:
    def test_gives_the_same_local_time_seven_days_before(self) -> None:
        outage = pendulum.datetime(2025, 10, 20, 8, tz=SHANGHAI)

        latest = a_notice_rule().latest_notice_for(outage)

        assert latest == pendulum.datetime(2025, 10, 13, 8, tz=SHANGHAI)

    def test_accepts_a_notice_at_exactly_the_latest_moment(self) -> None:
        outage = pendulum.datetime(2025, 10, 20, 8, tz=SHANGHAI)
        rule = a_notice_rule()

        assert rule.is_satisfied(pendulum.datetime(2025, 10, 13, 8, tz=SHANGHAI), outage)
        assert not rule.is_satisfied(pendulum.datetime(2025, 10, 13, 8, 0, 1, tz=SHANGHAI), outage)

    def test_subtracts_elapsed_hours_across_a_daylight_saving_change(self) -> None:
        rule = a_notice_rule(lead=24, unit=SlaUnit.HOURS)
        event = pendulum.datetime(2025, 3, 30, 13, tz="Europe/London")

        latest = rule.latest_notice_for(event, zone="Europe/London")

        assert latest == pendulum.datetime(2025, 3, 29, 12, tz="Europe/London")

    def test_moves_a_wall_time_that_does_not_exist_forward_by_the_gap(self) -> None:
        rule = a_notice_rule(lead=1)
        event = pendulum.datetime(2025, 3, 31, 1, 30, tz="Europe/London")

        latest = rule.latest_notice_for(event, zone="Europe/London")

        assert latest.isoformat() == "2025-03-30T02:30:00+01:00"

    def test_subtracts_minutes(self) -> None:
        rule = a_notice_rule(lead=30, unit=SlaUnit.MINUTES)
        event = pendulum.datetime(2025, 6, 1, 9, tz=SHANGHAI)

        assert rule.latest_notice_for(event) == pendulum.datetime(2025, 6, 1, 8, 30, tz=SHANGHAI)

    def test_counts_working_days_back_over_a_holiday(self) -> None:
        rule = a_notice_rule(lead=7, unit=SlaUnit.WORKING_DAYS)
        expiry = pendulum.datetime(2025, 10, 14, 17, tz=SHANGHAI)

        latest = rule.latest_notice_for(expiry, calendar=CHINA)

        # back from Oct 14: 13, Sat 11, 10, 9, Sep 30, 29, Sun 28 (Oct 1-8 off, 28 and 11 worked)
        assert latest == pendulum.datetime(2025, 9, 28, 17, tz=SHANGHAI)

    def test_refuses_a_naive_event_time(self) -> None:
        with pytest.raises(InvalidInput, match="event_at"):
            a_notice_rule().latest_notice_for(datetime(2025, 10, 20, 8))  # noqa: DTZ001

    def test_refuses_a_lead_of_zero(self) -> None:
        with pytest.raises(InvalidInput, match="lead"):
            a_notice_rule(lead=0)
