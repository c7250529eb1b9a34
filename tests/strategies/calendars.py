"""Hypothesis strategies for business calendars and working-day arithmetic."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from powerretail.calendars import ChinaMainlandCalendar, WeekendCalendar

CHINA = ChinaMainlandCalendar.default()
WEEKEND = WeekendCalendar()

#: Dates inside the shipped China coverage with room left for ~60 working days after them.
china_dates = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 9, 30))

#: Any date the weekend calendar can work with, far from date.min / date.max.
weekend_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))

#: (calendar, start date) pairs over both shipped calendars.
calendar_and_date = st.one_of(
    st.tuples(st.just(CHINA), china_dates),
    st.tuples(st.just(WEEKEND), weekend_dates),
)

#: A working-day count an SLA would ask for.
working_day_counts = st.integers(min_value=0, max_value=45)
