"""Invariants of the SLA clock (RELIABILITY R14): pauses never pull a due moment earlier."""

from __future__ import annotations

from datetime import timedelta

import pendulum
from hypothesis import example, given

from powerretail.calendars.china import ChinaMainlandCalendar
from powerretail.sla.clock import SlaClock, SlaEvent
from powerretail.sla.policy import DayOne, SlaPolicy, SlaUnit
from tests.strategies.calendars import instants, offsets, sla_policies

CHINA = ChinaMainlandCalendar.default()
ONE_SECOND = timedelta(seconds=1)
SLA_5WD = SlaPolicy(
    key="p",
    name="p",
    limit=5,
    unit=SlaUnit.WORKING_DAYS,
    day_one=DayOne.AFTER_START,
    rule_set="PROP",
    source="rules.md §19.7",
)
TUE_2025_09_30 = pendulum.datetime(2025, 9, 30, 10, tz="Asia/Shanghai")


def _clock(policy: SlaPolicy, start: pendulum.DateTime, *events: SlaEvent) -> SlaClock:
    zone = start.timezone_name or "UTC"
    return SlaClock(
        policy=policy,
        events=(SlaEvent("accepted", start), *events),
        calendar=CHINA,
        zone=zone,
    )


@given(policy=sla_policies, start=instants, offset=offsets)
@example(policy=SLA_5WD, start=TUE_2025_09_30, offset=timedelta(days=2))
def test_pausing_and_resuming_on_the_same_instant_never_moves_the_due_moment(
    policy: SlaPolicy, start: pendulum.DateTime, offset: timedelta
) -> None:
    moment = start + offset

    paused = _clock(policy, start, SlaEvent("paused", moment), SlaEvent("resumed", moment))

    assert paused.due_at == _clock(policy, start).due_at


@given(policy=sla_policies, start=instants, offset=offsets, short=offsets, extra=offsets)
@example(
    policy=SLA_5WD,
    start=TUE_2025_09_30,
    offset=timedelta(days=8),
    short=timedelta(hours=1),
    extra=timedelta(days=3),
)
def test_a_longer_pause_never_makes_the_due_moment_earlier(
    policy: SlaPolicy,
    start: pendulum.DateTime,
    offset: timedelta,
    short: timedelta,
    extra: timedelta,
) -> None:
    pause_at = start + offset
    shorter = _clock(
        policy, start, SlaEvent("paused", pause_at), SlaEvent("resumed", pause_at + short)
    )
    longer = _clock(
        policy,
        start,
        SlaEvent("paused", pause_at),
        SlaEvent("resumed", pause_at + short + extra),
    )

    assert shorter.due_at is not None
    assert longer.due_at is not None
    assert longer.due_at >= shorter.due_at


@given(policy=sla_policies, start=instants)
def test_the_due_moment_is_the_exact_breach_boundary(
    policy: SlaPolicy, start: pendulum.DateTime
) -> None:
    clock = _clock(policy, start)
    due = clock.due_at
    assert due is not None

    assert due > start
    assert not clock.is_breached(as_of=due)
    assert clock.is_breached(as_of=due + ONE_SECOND)
    assert _clock(policy, start, SlaEvent("completed", due)).is_met
    assert not _clock(policy, start, SlaEvent("completed", due + ONE_SECOND)).is_met


@given(policy=sla_policies, start=instants, offset=offsets)
def test_remaining_time_counts_down_one_for_one_while_running(
    policy: SlaPolicy, start: pendulum.DateTime, offset: timedelta
) -> None:
    clock = _clock(policy, start)

    assert clock.remaining(as_of=start + offset) == clock.remaining(as_of=start) - offset
