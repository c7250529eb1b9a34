"""Reading and checking usage tables: every refusal names the column, the row and the rule."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from powerretail.analysis import read_usage
from powerretail.errors import InvalidInput


def _frame(**columns: Any) -> pd.DataFrame:
    base: dict[str, Any] = {
        "account_id": ["A", "B"],
        "period_start": ["2025-07-01", "2025-07-01"],
        "period_end": ["2025-08-01", "2025-08-01"],
        "kwh_total": [100.5, 200.0],
    }
    base.update(columns)
    return pd.DataFrame({k: v for k, v in base.items() if v is not None})


def test_a_frame_an_arrow_table_a_csv_and_a_parquet_file_read_alike(tmp_path: Path) -> None:
    frame = _frame(kwh_total=["100.125", "7"], residential=["true", "no"])
    frame.to_csv(tmp_path / "u.csv", index=False)
    frame.to_parquet(tmp_path / "u.parquet")

    sources = [frame, pa.Table.from_pandas(frame), tmp_path / "u.csv", str(tmp_path / "u.parquet")]
    for source in sources:
        usage = read_usage(source)
        assert usage.energy["total"].values.tolist() == [100125, 7000]
        assert usage.residential.tolist() == [True, False]
        assert usage.customer_class.tolist() == ["residential", "non-residential"]


@pytest.mark.parametrize(
    ("columns", "field", "expected"),
    [
        ({"account_id": None}, "usage", "a column 'account_id'"),
        ({"kwh_total": None}, "usage", "at least one energy column"),
        ({"colour": ["red", "blue"]}, "usage", "a documented column"),
        ({"account_id": ["A", None]}, "usage[1].account_id", "a non-blank value"),
        ({"account_id": ["A", " "]}, "usage[1].account_id", "a non-blank value"),
        ({"period_start": ["2025-07-01", None]}, "usage[1].period_start", "a date"),
        ({"period_start": ["2025-07-01", "July"]}, "usage[1].period_start", "a date"),
        (
            {"period_start": ["2025-07-01", "2025-07-01 12:00"]},
            "usage[1].period_start",
            "a date",
        ),
        ({"period_end": ["2025-08-01", "2025-07-01"]}, "usage[1].period_end", "a date after"),
        ({"kwh_total": [1.0, -2.0]}, "usage[1].kwh_total", "zero or more"),
        ({"kwh_total": [1.0, 0.0001]}, "usage[1].kwh_total", "at most 3 decimals"),
        ({"kwh_total": ["1", "lots"]}, "usage[1].kwh_total", "at most 3 decimals"),
        ({"kwh_total": ["1", "1.0005"]}, "usage[1].kwh_total", "at most 3 decimals"),
        ({"kwh_total": [1, -1]}, "usage[1].kwh_total", "zero or more"),
        ({"kwh_total": [1.0, None]}, "usage[1].kwh_*", "energy in at least one"),
        ({"kwh_": [1.0, 2.0]}, "usage", "a bucket name after kwh_"),
        ({"ytd_kwh": [1.0, 1e-9]}, "usage[1].ytd_kwh", "at most 3 decimals"),
        ({"ytd_kwh": [1.0, -1.0]}, "usage[1].ytd_kwh", "zero or more"),
        ({"contract_demand_kw": [600.0, 0.0]}, "usage[1].contract_demand_kw", "above zero"),
        ({"residential": ["yes", "maybe"]}, "usage[1].residential", "true or false"),
        ({"pf_standard": ["0.9", "0.95"]}, "usage[1].pf_standard", "one of 0.90"),
        ({"pf_standard": ["0.9", "high"]}, "usage[1].pf_standard", "one of 0.90"),
        ({"basic_charge_basis": ["demand", "both"]}, "usage[1].basic_charge_basis", "capacity"),
        (
            {"opened_on": ["2025-07-05", "2025-07-05"], "closed_on": [None, "2025-07-01"]},
            "usage[1].closed_on",
            "a date after",
        ),
        ({"customer_class": ["x", None]}, "usage[1].customer_class", "a non-blank value"),
        # An instant is not a day; mixed offsets once escaped as pandas' ValueError.
        (
            {"period_start": ["2025-07-01", "2025-07-01T00:00+08:00"]},
            "usage[1].period_start",
            "not an instant with a time zone",
        ),
        (
            {"period_start": ["2025-07-01T00:00Z", "2025-07-01T00:00+08:00"]},
            "usage[0].period_start",
            "not an instant with a time zone",
        ),
        (
            {"period_start": pd.to_datetime(["2025-07-01", "2025-07-01"]).tz_localize("UTC")},
            "usage[0].period_start",
            "not an instant with a time zone",
        ),
        ({"period_start": ["2025-07-01", "7025-13-01"]}, "usage[1].period_start", "a date such"),
    ],
)
def test_bad_tables_are_refused_naming_column_row_and_rule(
    columns: dict[str, Any], field: str, expected: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_usage(_frame(**columns))

    assert caught.value.field == field
    assert expected in caught.value.expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [("usage.xlsx", "a .csv or .parquet file"), ("missing.csv", "a readable usage file")],
)
def test_bad_files_are_refused(tmp_path: Path, source: str, expected: str) -> None:
    with pytest.raises(InvalidInput, match=expected):
        read_usage(tmp_path / source)


def test_something_that_is_no_table_is_refused() -> None:
    with pytest.raises(InvalidInput, match="a pandas DataFrame"):
        read_usage([1, 2, 3])


def test_decimals_booleans_and_choices_are_read_exactly() -> None:
    usage = read_usage(
        _frame(
            kwh_total=[Decimal("0.001"), Decimal("12")],
            residential=[True, float("nan")],
            pf_standard=[Decimal("0.9"), None],
            basic_charge_basis=[None, "demand"],
            capacity_kva=[None, 315],
        )
    )

    assert usage.energy["total"].values.tolist() == [1, 12000]
    assert usage.residential.tolist() == [True, False]
    assert usage.pf_standard.tolist() == ["0.90", None]
    assert usage.basic_charge_basis.tolist() == [None, "demand"]
    assert usage.quantities["capacity_kva"].present.tolist() == [False, True]
    assert usage.carries_position
