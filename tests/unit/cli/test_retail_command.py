"""``powerretail retail settle`` on the demo's SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from powerretail import cli
from powerretail.adapters.sqlite import SqliteStore
from powerretail.repositories.retail import MarketMonth
from powerretail.workflows.retail import record_month


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("retail") / "demo.sqlite3"
    assert cli.main(["demo", "--store", str(path)]) == 0
    return path


def settle(store: Path, month: str, *more: str) -> int:
    return cli.main(["retail", "settle", "--store", str(store), "--month", month, *more])


def test_prints_the_demo_retailers_settled_month(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()

    assert settle(demo_store, "2025-07") == 0

    out = capsys.readouterr().out
    assert "retailer R-DEMO  2025-07" in out
    assert "penalised 20000.00 kWh × deviation_price 0.10 × 1 = 2000.00 元" in out
    assert "margin 25300.00 = revenue 413900.00" in out


def test_prints_json_with_money_as_strings(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()

    assert settle(demo_store, "2025-07", "--format", "json") == 0

    (retailer,) = json.loads(capsys.readouterr().out)
    assert retailer["settled"] is True
    assert retailer["settlement"]["margin"] == {"amount": "25300.00", "currency": "CNY"}


def test_a_month_with_nothing_stored_exits_1(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert settle(demo_store, "2025-08") == 1
    assert "no retailer has a market month stored for 2025-08" in capsys.readouterr().out


def market_month_only(path: Path) -> Path:
    """Store retailer Q's market month of July 2025 (nothing else) in a new store at ``path``."""
    store = SqliteStore(path)
    try:
        record_month(
            store.unit_of_work,
            market_month=MarketMonth(
                market_month_id="Q/2025-07",
                retailer_id="Q",
                month="2025-07",
                deviation_rule="GENERIC-3",
                deviation_prices={},
            ),
        )
    finally:
        store.close()
    return path


def test_a_retailer_that_cannot_be_settled_is_reported_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = market_month_only(tmp_path / "store.sqlite3")

    assert settle(path, "2025-07") == 1
    assert "retailer Q  2025-07: not settled: no retail_allocation" in capsys.readouterr().out
    assert settle(path, "2025-07", "--format", "json") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2025-13"], "--month: expected a month YYYY-MM"),
        (["--month", "July"], "--month: expected a month YYYY-MM"),
    ],
)
def test_bad_input_exits_2_without_a_traceback(
    demo_store: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert cli.main(["retail", "settle", "--store", str(demo_store), *args]) == 2
    assert message in capsys.readouterr().err


def test_a_missing_store_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert settle(tmp_path / "none.sqlite3", "2025-07") == 2
    assert "--store: expected an existing powerretail SQLite file" in capsys.readouterr().err


def test_an_actor_without_the_permission_is_reported_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = market_month_only(tmp_path / "store.sqlite3")

    assert settle(path, "2025-07", "--actor", "clerk-1", "--role", "customer_service") == 1

    assert (
        'not settled: actor "clerk-1" (roles: customer_service) may not settle_retail_month '
        "on retail month Q/2025-07: no role grants it"
    ) in capsys.readouterr().out
