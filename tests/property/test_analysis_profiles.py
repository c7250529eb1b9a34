"""Typical-profile shares on any class, shipped TOU tariff and period: a split, exactly."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("pandas")

from powerretail.adapters.tariff_library import load_shipped
from powerretail.analysis.profiles import (
    PROFILE_CLASSES,
    apply_profile,
    typical_profile,
    typical_profiles,
)
from powerretail.tariffs.model import TimeOfUseCharge
from powerretail.timeframe import DateRange

#: Shipped TOU tariffs and the first day of theirs the tests use (the CN calendar ends 2026).
TARIFFS = {
    "JS-RES-TOU": date(2024, 1, 1),
    "GD-CI-TOU": date(2024, 1, 1),
    "JS-CI-TOU-1P": date(2025, 6, 1),
    "JS-CI-TOU-2P": date(2025, 6, 1),
}
LAST = date(2026, 12, 31)


@st.composite
def periods(draw: st.DrawFn) -> tuple[str, DateRange]:
    code = draw(st.sampled_from(sorted(TARIFFS)))
    start = draw(st.dates(min_value=TARIFFS[code], max_value=LAST - timedelta(days=1)))
    days = draw(st.integers(min_value=1, max_value=62))
    return code, DateRange(start, min(start + timedelta(days=days), LAST + timedelta(days=1)))


def _buckets(code: str, day: date) -> set[str]:
    version = load_shipped(code).version_on(day)
    schedule = next(c.schedule for c in version.charges if isinstance(c, TimeOfUseCharge))
    return set(version.schedules[schedule].buckets)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(PROFILE_CLASSES), periods())
def test_shares_are_zero_or_more_over_the_schedules_buckets_and_add_up_to_one(
    profile_class: str, case: tuple[str, DateRange]
) -> None:
    code, period = case

    shares = typical_profile(profile_class, load_shipped(code), period)

    assert all(isinstance(s, Fraction) and s >= 0 for s in shares.values())
    assert sum(shares.values()) == 1
    assert set(shares) == _buckets(code, period.start)
    # Every hour of a day is in some bucket and every profile value is above zero, so the
    # buckets every day uses (peak, valley …) carry energy.
    assert all(shares[b] > 0 for b in ("peak", "valley"))


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(PROFILE_CLASSES),
    periods(),
    st.lists(st.decimals(min_value=0, max_value=10_000_000, places=3), min_size=1, max_size=4),
)
def test_profiled_buckets_add_up_to_each_total_within_a_thousandth_of_their_share(
    profile_class: str, case: tuple[str, DateRange], totals: list[Decimal]
) -> None:
    code, period = case
    tariff = load_shipped(code)
    usage = pd.DataFrame(
        {
            "account_id": [f"A{i}" for i in range(len(totals))],
            "period_start": period.start.isoformat(),
            "period_end": str(period.end),
            "kwh_total": [str(t) for t in totals],
            "customer_class": profile_class,
        }
    )

    profiled = apply_profile(usage, typical_profiles(tariff))

    shares = typical_profile(profile_class, tariff, period)
    for row, total in enumerate(totals):
        parts = {b: profiled.loc[row, f"kwh_{b}"] for b in shares}
        assert sum(parts.values()) == total
        for bucket, kwh in parts.items():
            assert kwh >= 0
            assert abs(Fraction(kwh) - Fraction(total) * shares[bucket]) < Fraction(1, 1000)
    assert profiled["profiled"].all()
