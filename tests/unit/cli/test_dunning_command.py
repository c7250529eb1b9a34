"""``powerretail dunning run`` and ``powerretail arrears`` on the demo's SQLite store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pendulum
import pytest

from powerretail import cli
from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.sqlite import SqliteStore
from powerretail.quantities import Money
from powerretail.repositories.dunning import DUNNING_ORDERS
from powerretail.workflows.collections import grant_payment_plan


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dunning") / "demo.sqlite3"
    assert cli.main(["demo", "--store", str(path)]) == 0
    return path


def run(store: Path, day: str, *more: str) -> int:
    return cli.main(["dunning", "run", "--store", str(store), "--as-of", day, *more])


def test_reminds_notices_and_stops_the_unpaid_accounts_once_a_day(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run(demo_store, "2025-09-01") == 0
    out = capsys.readouterr().out
    assert "dunning run 2025-09-01 (GYGZ1996): 3 orders" in out
    assert "JS-C-0042  reminder" in out
    assert "JS-R-0001" not in out  # paid in full
    assert run(demo_store, "2025-09-17", "--format", "json") == 0
    report = json.loads(capsys.readouterr().out)
    assert {o["kind"] for o in report["orders"]} == {"stop_notice"}
    assert run(demo_store, "2025-09-20") == 0
    assert "JS-I-0007  stop" in capsys.readouterr().out
    assert run(demo_store, "2025-09-20") == 0  # the same day again: nothing new is stored
    with SqliteStore(demo_store).unit_of_work() as uow:
        assert len(uow.repository(DUNNING_ORDERS).keys(account_id="JS-I-0007")) == 3


def test_a_clerk_run_cannot_stop_supply(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.sqlite3"
    assert cli.main(["demo", "--store", str(path)]) == 0
    for day in ("2025-09-01", "2025-09-17"):
        assert run(path, day, "--role", "customer_service") == 0
    capsys.readouterr()
    assert run(path, "2025-09-20", "--role", "customer_service") == 0
    assert "JS-I-0007  refused" in capsys.readouterr().out


def test_prints_the_arrears_register(demo_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert cli.main(["arrears", "--store", str(demo_store), "--as-of", "2025-09-30"]) == 0
    out = capsys.readouterr().out
    assert "arrears as of 2025-09-30: 290576.89 CNY" in out
    assert "JS-C-0042: 31-60 8306.10" in out
    assert (
        cli.main(
            ["arrears", "--store", str(demo_store), "--as-of", "2025-09-30", "--format", "json"]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == "290576.89"
    assert data["by_area"]["GD"] == {"31-60": "88440.59"}
    assert cli.main(["arrears", "--store", str(demo_store)]) == 0  # as of today


def test_bad_input_exits_2_without_a_traceback(
    tmp_path: Path, demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path / "missing.sqlite3", "2025-09-01") == 2
    assert run(demo_store, "2025-13-01") == 2
    err = capsys.readouterr().err
    assert "expected an existing powerretail SQLite file" in err
    assert "expected a date YYYY-MM-DD" in err
    assert "Traceback" not in err


def test_a_bill_under_a_payment_plan_is_reported_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "planned.sqlite3"
    assert cli.main(["demo", "--store", str(path)]) == 0
    store = SqliteStore(path)
    try:
        grant_payment_plan(
            store.unit_of_work,
            clock=FixedClock(pendulum.datetime(2025, 8, 10, 10, tz="Asia/Shanghai")),
            key="plan-1",
            account_id="JS-C-0042",
            bill_id="JS-C-0042-20250701",
            instalments=[
                (date(2025, 9, 30), Money("4000.00")),
                (date(2025, 10, 31), Money("4306.10")),
            ],
            actor=Actor(id="kam", name="Zhou", roles={"regional_key_account_manager"}),
            policy=SEED_POLICY,
            why="分两期",
        )
    finally:
        store.close()
    capsys.readouterr()
    assert run(path, "2025-09-01") == 0
    out = capsys.readouterr().out
    assert "JS-C-0042  skipped JS-C-0042-20250701: PLAN-JS-C-0042-20250701: payment plan met" in out
    assert "JS-C-0042  reminder" not in out
