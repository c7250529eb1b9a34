"""Wide interval tables (one row per account and day) become long ones, then usage like any."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from powerretail.adapters.tariff_library import load_shipped
from powerretail.analysis.intervals import intervals_from_wide, usage_from_intervals
from powerretail.errors import InvalidInput


def _long(minutes: int) -> pd.DataFrame:
    count = 31 * 24 * 60 // minutes
    rng = np.random.default_rng(5)
    return pd.DataFrame(
        {
            "account_id": "A",
            "start": pd.date_range(
                "2025-07-01", periods=count, freq=f"{minutes}min", tz="Asia/Shanghai"
            ),
            "kwh": rng.integers(0, 40_000, count) / 1000,
            "kvarh": rng.integers(0, 20_000, count) / 1000,
        }
    )


def _wide(long: pd.DataFrame) -> pd.DataFrame:
    """The same intervals as a meter-data export: a kwh and a kvarh row per day."""
    local = long["start"].dt.tz_convert("Asia/Shanghai")
    frame = long.assign(date=local.dt.strftime("%Y-%m-%d"), clock=local.dt.strftime("%H:%M"))
    rows = []
    for channel in ("kwh", "kvarh"):
        table = frame.pivot(index=["account_id", "date"], columns="clock", values=channel)
        rows.append(table.reset_index().assign(channel=channel))
    return pd.concat(rows, ignore_index=True)


@pytest.mark.parametrize("minutes", [15, 60])
def test_a_wide_table_gives_the_long_table_and_the_same_usage(minutes: int) -> None:
    long = _long(minutes)
    periods = pd.DataFrame(
        {"account_id": ["A"], "period_start": ["2025-07-01"], "period_end": ["2025-08-01"]}
    )
    tariff = load_shipped("JS-CI-TOU-1P")

    back = intervals_from_wide(_wide(long))

    assert back["start"].tolist() == long["start"].tolist()
    assert back["kwh"].tolist() == long["kwh"].tolist()
    assert back["kvarh"].tolist() == long["kvarh"].tolist()
    pd.testing.assert_frame_equal(
        usage_from_intervals(back, periods, tariff), usage_from_intervals(long, periods, tariff)
    )


def test_without_a_channel_column_every_row_is_active_energy() -> None:
    wide = pd.DataFrame(
        {"account_id": ["A"], "date": ["2025-07-01"]}
        | {f"{h:02}:00": [float(h)] for h in range(24)}
    )

    long = intervals_from_wide(wide)

    assert list(long.columns) == ["account_id", "start", "kwh"]
    assert long["kwh"].sum() == sum(range(24))
    assert str(long["start"].iloc[0]) == "2025-07-01 00:00:00+08:00"


def test_a_local_time_that_does_not_exist_that_day_is_refused() -> None:
    """Europe/London skips 01:00-02:00 on 30 March 2025: an hourly '01:00' cannot be placed."""
    wide = pd.DataFrame(
        {"account_id": ["A"], "date": ["2025-03-30"]} | {f"{h:02}:00": [1.0] for h in range(24)}
    )

    with pytest.raises(InvalidInput, match="local times that exist once in Europe/London"):
        intervals_from_wide(wide, zone="Europe/London")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda w: w.drop(columns="date"), "a column 'date'"),
        (lambda w: w.drop(columns=[f"{h:02}:00" for h in range(24)]), "interval columns"),
        (lambda w: w.drop(columns="05:00"), "of one step covering the day"),
        (lambda w: w.assign(channel="kw"), "kwh or kvarh"),
        (lambda w: w.assign(date="1 July"), "a date such as 2025-07-01"),
        (lambda w: pd.concat([w, w]), "one row per account, day and channel"),
        (lambda w: w.assign(channel="kvarh"), "kwh rows beside the kvarh rows"),
    ],
)
def test_a_bad_wide_table_is_refused(change: object, expected: str) -> None:
    wide = pd.DataFrame(
        {"account_id": ["A"], "date": ["2025-07-01"]} | {f"{h:02}:00": [1.0] for h in range(24)}
    )

    with pytest.raises(InvalidInput, match=expected):
        intervals_from_wide(change(wide))  # type: ignore[operator]


def test_a_day_with_a_time_zone_is_refused_naming_the_row() -> None:
    # Mixed offsets in the date column once escaped as pandas' ValueError.
    wide = _wide(_long(60))
    wide.loc[1, "date"] = "7025-07-01T00:00+08:00"

    with pytest.raises(InvalidInput) as caught:
        intervals_from_wide(wide)

    assert caught.value.field == "wide[1].date"
    assert "not an instant with a time zone" in caught.value.expected
