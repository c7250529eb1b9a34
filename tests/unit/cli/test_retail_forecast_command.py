"""``powerretail retail forecast`` on a CSV file and a store."""

from __future__ import annotations

import json
from pathlib import Path

import pendulum
import pytest

from powerretail import cli
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.sqlite import SqliteStore
from powerretail.workflows.retail_forecast import record_monthly_usage
from tests.unit.retail.test_forecast import Y2024, Y2025, a_history

HEADER = "account_id,month,kwh,customer_class\n"


def a_file(tmp_path: Path) -> Path:
    rows = [f"A-1,2024-{i + 1:02d},{v},industrial" for i, v in enumerate(Y2024)]
    rows += [f"A-1,2025-{i + 1:02d},{v},industrial" for i, v in enumerate(Y2025)]
    rows += ["B-1,2025-11,100,commercial", "B-1,2025-12,120,commercial"]
    path = tmp_path / "usage.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> int:
    return cli.main(["retail", "forecast", *args])


def test_forecasts_by_a_named_method_with_backtests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run("--reads", str(a_file(tmp_path)), "--month", "2026-03", "--method", "seasonal_naive")

    out = capsys.readouterr().out
    assert code == 1  # B-1 has no March a year before
    assert "A-1                  1100.000 kWh  seasonal_naive     2025-03 actual 1100" in out
    assert "B-1          not forecast: cannot forecast 2026-03 for B-1 by seasonal_naive" in out
    assert "portfolio 1100.000 kWh" in out
    assert "  industrial     seasonal_naive         12     9.09     9.09    -9.09" in out


def test_auto_chooses_per_class_and_prints_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(
        "--reads", str(a_file(tmp_path)), "--month", "2026-01", "--window", "1", "--format", "json"
    )

    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert document["chosen"] == {"commercial": "moving_average", "industrial": "seasonal_naive"}
    assert [(f["account_id"], f["kwh"]) for f in document["forecasts"]] == [
        ("A-1", "1100.000"),
        ("B-1", "120.000"),
    ]
    assert document["portfolio_kwh"] == "1220.000"
    assert document["not_possible"] == []


def test_a_class_without_any_backtest_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "one.csv"
    path.write_text("account_id,month,kwh\nC-1,2025-12,5\n", encoding="utf-8")

    assert run("--reads", str(path), "--month", "2026-01") == 1
    assert "C-1          not forecast: no method could be backtested" in capsys.readouterr().out


def test_reads_the_usage_stored_in_a_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = SqliteStore(str(tmp_path / "store.sqlite3"))
    clock = FixedClock(pendulum.datetime(2026, 1, 5, tz="Asia/Shanghai"))
    counts = record_monthly_usage(
        store.unit_of_work, histories=[a_history()], key="2026-01", clock=clock
    )
    assert counts == {"added": 24, "changed": 0, "unchanged": 0}

    code = run("--store", str(tmp_path / "store.sqlite3"), "--month", "2026-03", "--format", "json")

    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert document["forecasts"][0]["kwh"] == "1100.000"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "a header line"),
        ("account,month,kwh\n", "the columns account_id, month, kwh"),
        ("account_id,month,kwh\nA,2025-13,1\n", "line 2"),
        ("account_id,month,kwh\nA,2025-01,-1\n", "at least 0"),
        ("account_id,month,kwh\nA,2025-01,1\nA,2025-01,2\n", "each account and month once"),
        ("account_id,month,kwh\nA,2025-01\n", "3 fields"),
        ("account_id,month,kwh\n,2025-01,1\n", "an account id"),
        ('account_id,month,kwh\n"A,2025-01,1\n', "CSV"),
        (
            "account_id,month,kwh,customer_class\nA,2025-01,1,x\nA,2025-02,1,y\n",
            "customer_class",
        ),
    ],
)
def test_refuses_a_bad_file_naming_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")

    assert run("--reads", str(path), "--month", "2026-01") == 2
    assert message in capsys.readouterr().err


def test_refuses_a_missing_store_a_bad_month_and_a_bad_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("--store", str(tmp_path / "none.sqlite3"), "--month", "2026-01") == 2
    assert "an existing powerretail SQLite file" in capsys.readouterr().err
    assert run("--reads", str(a_file(tmp_path)), "--month", "2026/01") == 2
    assert "YYYY-MM" in capsys.readouterr().err
    assert run("--reads", str(a_file(tmp_path)), "--month", "2026-01", "--window", "0") == 2
    assert "whole number of months" in capsys.readouterr().err


def test_refuses_an_empty_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    SqliteStore(str(tmp_path / "empty.sqlite3"))

    assert run("--store", str(tmp_path / "empty.sqlite3"), "--month", "2026-01") == 2
    assert "at least one account" in capsys.readouterr().err
