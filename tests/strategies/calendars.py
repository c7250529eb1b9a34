"""Hypothesis strategies for business calendars, working-day arithmetic and SLA clocks."""

from __future__ import annotations

from datetime import date, timedelta

import pendulum
from hypothesis import strategies as st

from powerretail.calendars import ChinaMainlandCalendar, NamedDay, WeekendCalendar, YearSchedule
from powerretail.sla.policy import DayOne, SlaPolicy, SlaUnit

CHINA = ChinaMainlandCalendar.default()
WEEKEND = WeekendCalendar()

#: Dates inside the shipped China coverage with room left after them for 120 calendar days (the
#: longest span a property adds), which also holds 45 working days.
china_dates = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 8, 31))

#: Any date the weekend calendar can work with, far from date.min / date.max.
weekend_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))

#: (calendar, start date) pairs over both shipped calendars.
calendar_and_date = st.one_of(
    st.tuples(st.just(CHINA), china_dates),
    st.tuples(st.just(WEEKEND), weekend_dates),
)

#: A working-day count an SLA would ask for.
working_day_counts = st.integers(min_value=0, max_value=45)


#: Instants in covered years, at whole seconds, in a few zones (Shanghai, London with DST, UTC).
instants = st.builds(
    lambda day, seconds, zone: pendulum.datetime(day.year, day.month, day.day, tz=zone).add(
        seconds=seconds
    ),
    st.dates(min_value=date(2005, 1, 1), max_value=date(2025, 12, 31)),
    st.integers(min_value=0, max_value=86_399),
    st.sampled_from(["Asia/Shanghai", "Europe/London", "UTC"]),
)

#: SLA limits in every unit.
sla_policies = st.builds(
    lambda limit, unit, day_one: SlaPolicy(
        key="prop",
        name="prop",
        limit=limit,
        unit=unit,
        day_one=day_one,
        rule_set="PROP",
        source="property test",
    ),
    st.integers(min_value=1, max_value=30),
    st.sampled_from(list(SlaUnit)),
    st.sampled_from(list(DayOne)),
)

#: An elapsed time from a start to an event (up to ~40 days, at whole seconds).
offsets = st.integers(min_value=0, max_value=40 * 86_400).map(lambda s: timedelta(seconds=s))


@st.composite
def year_schedules(draw: st.DrawFn, year: int) -> YearSchedule:
    """Draw a valid but random holiday schedule for ``year`` (RELIABILITY R14: random calendars)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    days_off = draw(st.sets(st.dates(min_value=first, max_value=last), max_size=40))
    weekend = st.dates(min_value=first, max_value=last).filter(lambda d: d.weekday() >= 5)
    worked = draw(st.sets(weekend, max_size=8)) - days_off
    return YearSchedule(
        year=year,
        holidays=tuple(NamedDay(day, "random holiday") for day in days_off),
        makeup_workdays=tuple(NamedDay(day, "random make-up day") for day in worked),
        source="hypothesis",
        version="random",
    )


#: Random mainland-style calendars covering 2030-2032, for invariants that must hold on any data.
random_calendars = st.builds(
    lambda *schedules: ChinaMainlandCalendar(schedules, name="random"),
    year_schedules(2030),
    year_schedules(2031),
    year_schedules(2032),
)

#: Start dates inside random calendars, with room for 45 working days after them.
random_calendar_dates = st.dates(min_value=date(2030, 1, 1), max_value=date(2031, 12, 31))
