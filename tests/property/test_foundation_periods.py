"""Invariants of periods (RELIABILITY R4): splits cover a period exactly once."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import assume, example, given
from hypothesis import strategies as st

from powerretail.quantities import Money, allocate
from powerretail.timeframe import DateRange
from tests.strategies.foundation import dates, money


@given(start=dates, length=st.integers(1, 800), cuts=st.lists(dates, max_size=10))
@example(start=date(2024, 2, 1), length=29, cuts=[date(2024, 2, 29)])
def test_splits_conserve_days_and_never_double_count(
    start: date, length: int, cuts: list[date]
) -> None:
    period = DateRange(start, start + timedelta(days=length))

    pieces = period.split_at(*cuts)

    assert sum(p.days for p in pieces) == period.days
    assert pieces[0].start == period.start
    assert pieces[-1].end == period.end
    for left, right in itertools.pairwise(pieces):
        assert left.end == right.start
    assert sum((p.proration_factor(period) for p in pieces), Fraction(0)) == 1


@given(start=dates, length=st.integers(1, 800))
def test_calendar_months_cover_a_period_once(start: date, length: int) -> None:
    period = DateRange(start, start + timedelta(days=length))

    assert sum(p.days for p in period.by_month()) == period.days


@given(anchor=dates, count=st.integers(1, 36))
@example(anchor=date(2024, 1, 31), count=14)
def test_anchored_months_never_drift(anchor: date, count: int) -> None:
    periods = DateRange.monthly(anchor, count)

    for n, period in enumerate(periods):
        months = anchor.month - 1 + n
        year, month = anchor.year + months // 12, months % 12 + 1
        assume(year <= 2099)
        assert (period.start.year, period.start.month) == (year, month)
        assert period.start.day == min(anchor.day, DateRange.month(year, month).days)


@given(start=dates, length=st.integers(1, 400), cuts=st.lists(dates, max_size=6), charge=money)
def test_a_standing_charge_prorated_over_a_split_sums_to_the_whole(
    start: date, length: int, cuts: list[date], charge: Money
) -> None:
    period = DateRange(start, start + timedelta(days=length))
    pieces = period.split_at(*cuts)

    shares = allocate(charge, [p.days for p in pieces])

    assert sum(shares, Money.zero()) == charge
