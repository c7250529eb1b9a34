"""Interval data to a usage table: the batch bill equals the engine's bill of the same intervals."""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd
import pytest

from powerretail.adapters.tariff_library import load_shipped
from powerretail.analysis import compile_tariff
from powerretail.analysis.intervals import usage_from_intervals
from powerretail.analysis.pricer import NotVectorisable
from powerretail.billing.determinants import AccountFacts
from powerretail.billing.engine import BillingEngine
from powerretail.billing.usage import IntervalSeries
from powerretail.errors import InvalidInput
from powerretail.tariffs.model import Tariff
from powerretail.timeframe import DateRange

JULY = DateRange.month(2025, 7)


def _intervals(account: str, minutes: int = 15, seed: int = 3) -> pd.DataFrame:
    count = 31 * 24 * 60 // minutes
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "account_id": account,
            "start": pd.date_range("2025-07-01", periods=count, freq=f"{minutes}min", tz="+08:00"),
            "kwh": rng.integers(0, 40_000, count) / 1000,
            "kvarh": rng.integers(0, 20_000, count) / 1000,
        }
    )


@pytest.mark.parametrize(
    ("code", "minutes"), [("JS-CI-TOU-1P", 15), ("JS-CI-TOU-1P", 60), ("JS-RES-TOU", 15)]
)
def test_bucketed_intervals_price_like_the_engine_prices_the_series(
    code: str, minutes: int
) -> None:
    tariff = load_shipped(code)
    intervals = pd.concat([_intervals("A", minutes), _intervals("B", minutes, seed=4)])
    periods = pd.DataFrame(
        {
            "account_id": ["A", "B"],
            "period_start": ["2025-07-01", "2025-07-01"],
            "period_end": ["2025-08-01", "2025-08-01"],
            "ytd_kwh": [0, 0],
        }
    )

    usage = usage_from_intervals(intervals, periods, tariff)
    priced = compile_tariff(tariff).price(usage)

    engine = BillingEngine(tariff)
    for row, account in enumerate(["A", "B"]):
        one = intervals[intervals["account_id"] == account]
        series = IntervalSeries(
            start=one["start"].iloc[0].to_pydatetime(),
            minutes=minutes,
            active_units=(one["kwh"] * 1000).round().astype(int).tolist(),
            reactive_units=(one["kvarh"] * 1000).round().astype(int).tolist(),
            unit_exponent=-3,
        )
        bill = engine.bill_intervals(series, JULY, AccountFacts())
        got = priced.lines[priced.lines["row"] == row]
        assert sorted(zip(got["code"].astype(str), got["amount_fen"], strict=True)) == sorted(
            (line.code, int(line.amount.amount * 100)) for line in bill.lines
        )


def test_a_period_across_a_version_change_is_refused() -> None:
    tariff = load_shipped("JS-CI-TOU-1P")
    periods = pd.DataFrame(
        {"account_id": ["A"], "period_start": ["2025-05-15"], "period_end": ["2025-06-15"]}
    )
    with pytest.raises(NotVectorisable, match="starts or ends inside the period"):
        usage_from_intervals(_intervals("A"), periods, _two_versions(tariff))


def _two_versions(tariff: Tariff) -> Tariff:
    version = tariff.versions[0]
    earlier = attrs.evolve(
        version, label="old", effective_from="2025-01-01", effective_to=version.effective_from
    )
    return attrs.evolve(tariff, versions=(earlier, version))


def test_gaps_and_unknown_accounts_are_refused() -> None:
    intervals = _intervals("A").drop(index=5)
    periods = pd.DataFrame(
        {"account_id": ["A"], "period_start": ["2025-07-01"], "period_end": ["2025-08-01"]}
    )
    with pytest.raises(InvalidInput, match="consecutive intervals of 15 minutes"):
        usage_from_intervals(intervals, periods, load_shipped("JS-RES-TOU"))
    with pytest.raises(InvalidInput, match="an account with intervals"):
        usage_from_intervals(_intervals("B"), periods, load_shipped("JS-RES-TOU"))
    with pytest.raises(InvalidInput, match="a column 'kwh'"):
        usage_from_intervals(
            _intervals("A").drop(columns="kwh"), periods, load_shipped("JS-RES-TOU")
        )


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (["2025-07-01T00:00"], "an instant with a time zone offset"),
        (["2025-07-01T99:00+08:00"], "aware instants"),
    ],
)
def test_instants_without_a_zone_or_unreadable_are_refused(start: list[str], expected: str) -> None:
    intervals = pd.DataFrame({"account_id": ["A"], "start": start, "kwh": [1.0]})
    periods = pd.DataFrame(
        {"account_id": ["A"], "period_start": ["2025-07-01"], "period_end": ["2025-07-02"]}
    )
    with pytest.raises(InvalidInput, match=expected):
        usage_from_intervals(intervals, periods, load_shipped("JS-RES-TOU"))
    naive = intervals.assign(start=pd.to_datetime(intervals["start"].str[:16], errors="coerce"))
    if expected.startswith("an instant"):
        with pytest.raises(InvalidInput, match=expected):
            usage_from_intervals(naive, periods, load_shipped("JS-RES-TOU"))
